"""Classify: the course's test.py on your own photo, what the network sees on the way, and an audit of the model."""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image
from torch import nn

from core import viz
from core.basics import codegen
from core.course import CIFAR10_CLASSES
from core.data import discovery, paths, tensors
from core.data.transforms import NORMALIZE_PRESETS
from core.errors import CodedError
from core.inference import checkpoints, infer, matching, weights
from core.model import ARCHITECTURES, Network, Tudui
from core.training import runs
from ui import (
    CHART,
    class_label,
    explain,
    labels,
    lang,
    photo_picker,
    photo_source,
    screen_px,
    show_code,
    t,
    tensor_shape,
    uploads,
    urlstate,
)
from ui.attribution import looked_view
from ui.confusion import confusion_view
from ui.data import dataset_picker, split_notes
from ui.neuron import linear_view, neuron_view
from ui.receptive import receptive_view
from ui.training import run_label


@dataclass(frozen=True)
class Chosen:
    """A model ready to predict, with what the page needs to say about it."""

    id: str                      # identifies the weights, for the caches shared by every session
    model: Network
    mean: list[float] | None
    std: list[float] | None
    path: str                    # the weights file as the snippet opens it (never the server's absolute path)
    content: Callable[[], bytes]  # the file's bytes, read only to run the snippet
    classes: list[str]           # what its outputs stand for (a run on a folder data set has its own)


@st.cache_resource(show_spinner=False)
def shipped_model(name: str, sha256: str) -> Tudui:
    """A shipped model, loaded once per process (and again if its file, named by its hash, changes)."""
    return weights.load(name)[0]


@st.cache_resource(max_entries=16, show_spinner=False)
def run_model(path: str, modified: float, arch: str) -> Tudui:
    """One epoch of a run, loaded once per process (and again if the file changes)."""
    return checkpoints.build(checkpoints.read_state_dict(Path(path).read_bytes()), arch)


@st.cache_resource(max_entries=32, show_spinner=False)
def read_upload(digest: str, _content: bytes) -> checkpoints.Upload | CodedError:
    """An uploaded checkpoint read once for every session, keyed by its sha256; a refusal is kept too.

    What is kept is small: the tensors only when they fit an architecture or make a whole model (at most MAX_MB),
    else their shapes.
    """
    try:
        return checkpoints.read_upload(_content)
    except CodedError as err:  # a refused state_dict or whole model
        return err.bare()


@st.cache_resource(max_entries=16, show_spinner=False)
def upload_model(digest: str, arch: str, _upload: checkpoints.Upload) -> Tudui:
    """A state_dict upload in the architecture chosen, its layers renamed when they lined up by position."""
    return checkpoints.build(_upload.state, arch)


@st.cache_resource(show_spinner=False)
def test_split(source: str) -> tensors.TensorSplit:
    return tensors.load_split(Path(source), "test")


@st.cache_data(max_entries=16, show_spinner=False)
def audit(model_id: str, _model: Tudui, source: str, mean, std) -> infer.Audit:
    """Cached per model (its id) and data set, for every session: the test split is evaluated once."""
    return infer.audit(_model, test_split(source), mean, std)


@st.cache_data(max_entries=64, show_spinner=False)
def seen(model_id: str, photo_digest: str, mean, std, _model: Tudui, _batch) -> infer.Seen:
    """Computed once per model, photo and normalisation, for every session looking at the same (the samples)."""
    return infer.seen(_model, _batch)


def photo_digest(photo: Image.Image) -> str:
    return hashlib.sha256(f"{photo.size}".encode() + photo.tobytes()).hexdigest()


def read_weights(content: bytes) -> tuple[str, checkpoints.Upload | CodedError]:
    """(sha256, the verdict): hashed once per upload in a session (a 20 MB file takes ~40 ms), read once for all."""
    digest = hashlib.sha256(content).hexdigest()
    return digest, read_upload(digest, content)


def refused(read: tuple[str, checkpoints.Upload | CodedError]) -> bool:
    """A refused upload's bytes are not needed again; a model's are, to run its snippet (they are small)."""
    return isinstance(read[1], CodedError)


def choose_model() -> Chosen | None:
    shipped = weights.cards()
    finished = [r for r in runs.all_runs() if r.metrics]
    options = list(shipped) + (["run"] if finished else []) + ["upload"]
    names = {name: t("cls.shipped", arch=t(f"arch.{c.architecture}"), acc=f"{c.test_acc:.1%}")
             for name, c in shipped.items()} | {"run": t("cls.from_run"), "upload": t("cls.upload")}
    source = urlstate.choice(t("cls.model"), options, options[0], "model", scope="cls", format_func=names.get)
    if source in shipped:
        card = shipped[source]
        path = weights.MODELS / card.weights
        st.caption(t("cls.card", epochs=card.epochs, recipe=t(f"train.recipe_{card.recipe}"),
                     acc=f"{card.test_acc:.2%}", norm=t("cls.norm_yes") if card.mean else t("cls.norm_no")))
        return Chosen(f"shipped:{card.sha256}", shipped_model(source, card.sha256), card.mean, card.std,
                      f"assets/models/{path.name}", path.read_bytes, card.classes)
    if source == "run":
        return run_choice(finished)
    return upload_choice()


def run_choice(finished: list[runs.Run]) -> Chosen | None:
    by_key = {r.key: r for r in finished}
    run_names = {r.key: run_label(r) for r in finished}
    run = by_key[st.selectbox(t("cls.run"), list(by_key), format_func=run_names.get, key="cls_run")]
    urlstate.keep_within("cls_epoch", 1, len(run.metrics), name="epoch")  # another run may have fewer epochs
    epoch = st.slider(t("cls.epoch"), 1, len(run.metrics), len(run.metrics), key="cls_epoch") \
        if len(run.metrics) > 1 else 1
    path = run.checkpoint(epoch)
    st.caption(t("cls.epoch_acc", epoch=epoch, acc=f"{run.metrics[epoch - 1].test_acc:.1%}"))
    try:
        model = run_model(str(path), path.stat().st_mtime, run.settings.arch)
    except OSError:
        st.error(explain(checkpoints.CheckpointError("not_checkpoint")), icon=":material/error:")
        return None
    except checkpoints.CheckpointError as err:
        st.error(explain(err), icon=":material/error:")
        return None
    return Chosen(f"run:{run.key}:{epoch}:{path.stat().st_mtime}", model, run.config.mean, run.config.std,
                  paths.shown(path, runs.runs_root(), "runs"), path.read_bytes, run.config.classes)


def upload_choice() -> Chosen | None:
    file = st.file_uploader(t("cls.upload_label"), type=["pt", "pth"], key="cls_weights")
    st.caption(t("cls.upload_help", limit=checkpoints.MAX_MB))
    read = uploads.read_once("cls_weights", file, read_weights, release_when=refused)
    if read is None:
        return None
    digest, upload = read.value
    if isinstance(upload, CodedError):  # its bytes have left the server: only the verdict is kept
        st.error(explain(upload), icon=":material/gpp_bad:")
        if upload.code == "full_pickle":
            st.code(codegen.resave(read.name, upload.params["global_name"], lang()), language="python")
        return None
    norm = st.toggle(t("cls.upload_norm"), False, key="cls_upload_norm")
    mean, std = (list(v) for v in NORMALIZE_PRESETS["cifar10"]) if norm else (None, None)
    if upload.whole is not None:
        return whole_model_choice(digest, upload.whole, read.name, mean, std)
    arch = st.segmented_control(t("model.arch"), ARCHITECTURES, format_func=labels("arch."),
                                default=upload.guessed or "course", required=True, key="cls_upload_arch")
    if upload.guessed:
        st.caption(t("cls.recognised", arch=t(f"arch.{upload.guessed}")))
    error = checkpoints.mismatch(upload.shapes, arch)
    if error is None:  # the shapes fit, so the upload kept its tensors
        try:
            model = upload_model(digest, arch, upload)
        except checkpoints.CheckpointError as err:  # NaN or inf weights
            error = err
    if error is not None:
        st.error(explain(error, arch=t(f"arch.{arch}")), icon=":material/error:")
        return None
    renamed = checkpoints.renames(upload.shapes, arch)
    for shown, note in ((upload.wrapper, t("ckpt.from_wrapper", entry=upload.wrapper)),
                        (upload.prefix, t("ckpt.cut_prefix")),
                        (renamed, t("ckpt.renamed", pairs=pairs(matching.summarised(renamed))))):
        if shown:
            st.caption(note)
    if upload.wrapper or upload.prefix or renamed:  # the snippet opens the state_dict the page loaded
        return rebuilt_choice(f"upload:{digest}:{arch}", model, read.name, mean, std)
    return Chosen(f"upload:{digest}:{arch}", model, mean, std, file.name, file.getvalue, list(CIFAR10_CLASSES))


def pairs(renamed: list[tuple[str, str]], shown: int = 6) -> str:
    """``model1.0`` → ``model.0``, … (the first few)."""
    text = ", ".join(f"`{mine}` → `{theirs}`" for mine, theirs in renamed[:shown])
    return text + (" …" if len(renamed) > shown else "")


def whole_model_choice(digest: str, whole: checkpoints.Rebuilt, name: str, mean, std) -> Chosen:
    """A whole model: what its file held, and the network the page rebuilt from it."""
    classes = ", ".join(f"`{c}`" for c in whole.classes) or "`torch.nn.Sequential`"
    known = t("ckpt.whole_known", arch=t(f"arch.{whole.network.arch}")) if whole.network.arch else t("ckpt.whole_own")
    st.caption(f"{t('ckpt.whole', classes=classes, count=len(whole.paths))} {known}")
    renamed = [(path, f"model.{i}") for i, path in enumerate(whole.paths) if path != f"model.{i}"]
    if renamed:
        st.caption(t("ckpt.layer_names", pairs=pairs(matching.summarised(renamed), 20)))
    return rebuilt_choice(f"whole:{digest}", whole.network, name, mean, std)


def rebuilt_choice(model_id: str, model: Network, name: str, mean, std) -> Chosen:
    """A network the page built from an upload: its snippet opens the state_dict the page saved of it."""
    path = f"{name.rsplit('.', 1)[0]}_state_dict.pth"
    st.caption(t("ckpt.snippet_file", name=path))
    return Chosen(model_id, model, mean, std, path, lambda: checkpoints.saved_state_dict(model),
                  list(CIFAR10_CLASSES))


def preprocessing(photo, prepared: infer.Prepared, chosen: Chosen) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.image(photo, caption=t("cls.step_rgb", size=photo.size), width="stretch")
    c2.image(prepared.small.resize((128, 128), resample=0), caption=t("cls.step_resize"), width="stretch")
    low, high = float(prepared.tensor.min()), float(prepared.tensor.max())
    step = "cls.step_normalize" if chosen.mean else "cls.step_tensor"
    c3.markdown(t(step, shape=tensor_shape(*prepared.tensor.shape), low=f"{low:.3f}", high=f"{high:.3f}"))
    c4.markdown(t("cls.step_reshape", shape=tensor_shape(*prepared.batch.shape)))
    st.caption(t("cls.rgb_note"))


def named(probs, classes: list[str]) -> list[str]:
    """A name per output; a model trained on fewer classes leaves the others unnamed (their index)."""
    return [class_label(classes[i]) if i < len(classes) else f"#{i}" for i in range(len(probs))]


def prediction(logits, probs, classes: list[str]) -> None:
    """All ten outputs, named."""
    names = named(probs, classes)
    best = int(probs.argmax())
    st.subheader(t("cls.verdict", name=names[best], p=f"{float(probs[best]):.1%}"))
    st.plotly_chart(viz.bars(names, probs.tolist(), best, y_title="softmax"), key="cls_probs", config=CHART)
    with st.expander(t("cls.logits")):
        st.dataframe([{t("cls.col_class"): name, "logit": f"{float(v):.4f}", "softmax": f"{float(p):.4f}"}
                      for name, v, p in zip(names, logits, probs)], hide_index=True)
        st.markdown(t("cls.argmax", k=best))


def network_view(chosen: Chosen, maps: list[tuple[int, str, np.ndarray]], prepared: infer.Prepared, key: str) -> None:
    if not maps:  # a learner's network without convolution or pooling
        st.info(t("ckpt.no_maps"), icon=":material/info:")
        return
    names = {i: f"model[{index}] {layer.split('(')[0]} → {list(m.shape)}" for i, (index, layer, m) in enumerate(maps)}
    pick = st.selectbox(t("cls.layer"), list(names), format_func=names.get, key="cls_layer")
    index, layer, m = maps[pick]
    st.caption(f"`{layer}`")
    tiles = viz.gray_tiles(m)
    st.plotly_chart(viz.image_batch(tiles, [f"#{c}" for c in range(len(tiles))], columns=16, tile=52,
                                    width_px=screen_px()),
                    key="cls_maps", config=CHART)
    urlstate.keep_within("cls_channel", 0, len(tiles) - 1, name="channel")  # another layer may have fewer
    channel = st.number_input(t("cls.channel"), 0, len(tiles) - 1, 0, key="cls_channel")
    left, right = st.columns(2)
    left.plotly_chart(viz.feature_grid([m[channel]], [f"#{channel}"], columns=1, cell_px=300,
                                       width_px=screen_px(share=0.5)),
                      key="cls_one_map", config=CHART)
    first_conv = next((layer for layer in chosen.model.model if isinstance(layer, nn.Conv2d)), None)
    if first_conv is not None:  # a learner's network may start with pooling
        with right:
            st.markdown(t("cls.kernels"))
            weight = first_conv.weight.detach().numpy()
            st.plotly_chart(viz.image_batch(viz.kernel_tiles(weight), [f"#{c}" for c in range(len(weight))],
                                            columns=8, tile=40, width_px=screen_px(share=0.5)),
                            key="cls_kernels", config=CHART)
    receptive_view(chosen.model, index, m[channel], np.asarray(prepared.small.convert("RGB")),
                   then=lambda cell: neuron_view(key, chosen.model, prepared.batch, index, channel, cell))


def audit_view(chosen: Chosen) -> None:
    picked = dataset_picker(t("data.choose"), discovery.has_test_split, key="dataset")
    if picked is None:
        st.info(t("cls.audit_no_data"), icon=":material/folder_off:")
        return
    source = str(picked.path)
    try:
        with st.spinner(t("cls.auditing")):
            result = audit(chosen.id, chosen.model, source, chosen.mean, chosen.std)
    except paths.DataError as err:
        st.error(explain(err), icon=":material/folder_off:")
        return
    st.metric(t("cls.test_acc"), f"{result.accuracy:.2%}")
    split = test_split(source)
    split_notes(split)
    class_names = [class_label(name) for name in split.classes]
    st.plotly_chart(viz.bars(class_names, result.per_class, y_title=t("cls.per_class")), key="cls_per_class",
                    config=CHART)
    named = [*class_names, *(f"#{i}" for i in range(len(class_names), len(result.confusion)))]
    confusion_view(result, split.images, named)
    st.markdown(t("cls.mistakes"))
    pictures = split.images[[i for i, *_ in result.mistakes]].permute(0, 2, 3, 1).numpy()
    captions = [f"{named[truth]}→{named[pred]} {conf:.0%}" for _, truth, pred, conf in result.mistakes]
    st.plotly_chart(viz.image_batch(np.ascontiguousarray(pictures), captions, columns=8, tile=96,
                                    width_px=screen_px()), key="cls_mistakes", config=CHART)


st.title(t("classify.title"))
st.markdown(t("cls.intro"))
chosen = choose_model()
st.divider()
photo = photo_picker("cls_photo", camera=True, runs_code=True)
if chosen is not None and photo is not None:
    prepared = infer.prepare(photo, chosen.mean, chosen.std)
    digest = photo_digest(photo)
    result = seen(chosen.id, digest, chosen.mean, chosen.std, chosen.model, prepared.batch)
    key = f"{chosen.id}|{digest}|{chosen.mean}|{chosen.std}"  # the model and the photo, for the views' caches
    st.subheader(t("cls.steps_title"))
    preprocessing(photo, prepared, chosen)
    prediction(result.logits, result.probs, chosen.classes)
    view, tabs = urlstate.tabs({"sees": t("cls.tab_sees"), "looked": t("looked.tab"), "code": t("cls.tab_code"),
                                "audit": t("cls.tab_audit")}, "view", scope="cls")
    with tabs[view]:  # only the open tab is computed
        if view == "sees":
            network_view(chosen, result.maps, prepared, key)
            linear_view(key, chosen.model, prepared.batch, named(result.probs, chosen.classes), int(result.probs.argmax()))
        elif view == "looked":
            looked_view(key, chosen.model, prepared.batch, np.asarray(prepared.small.convert("RGB")),
                        named(result.probs, chosen.classes), int(result.probs.argmax()))
        elif view == "code":
            image_path = photo_source("cls_photo")
            snippet = codegen.classify(chosen.model.model, chosen.path, image_path, chosen.mean, chosen.std, lang())
            show_code(snippet, files={image_path: photo, chosen.path: chosen.content()})
        else:
            audit_view(chosen)
