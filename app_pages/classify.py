"""Classify: the course's test.py on your own photo, what the network sees on the way, and an audit of the model."""
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from core import checkpoints, codegen, data, infer, runs, viz, weights
from core.course import CIFAR10_CLASSES
from core.model import ARCHITECTURES, Tudui
from core.transforms import NORMALIZE_PRESETS
from ui import labels, photo_picker, photo_source, show_code, t, tensor_shape
from ui.data import dataset_picker

CHART = {"displayModeBar": False}


@dataclass
class Chosen:
    """A model ready to predict, with what the page needs to say about it."""

    id: str                      # identifies the weights, for caching the audit
    model: Tudui
    mean: list[float] | None
    std: list[float] | None
    path: str                    # the weights file as the snippet opens it
    content: bytes               # the file's bytes, for running the snippet
    classes: list[str]           # what its outputs stand for (a run on a folder data set has its own)


@st.cache_resource(max_entries=16, show_spinner=False)
def build(content: bytes, arch: str) -> Tudui:
    """One model per (weights, architecture), loaded once per process."""
    return checkpoints.build(checkpoints.read_state_dict(content), arch)


@st.cache_resource(show_spinner=False)
def test_split(source: str) -> data.TensorSplit:
    return data.load_split(Path(source), "test")


@st.cache_data(max_entries=16, show_spinner=False)
def audit(model_id: str, _model: Tudui, source: str, mean, std) -> infer.Audit:
    """Cached per model (its id) and data set: 10,000 test images take a few seconds on a CPU."""
    return infer.audit(_model, test_split(source), mean, std)


def class_label(name: str) -> str:
    """A class name, translated where it is one of CIFAR-10's."""
    return t(f"classes.{name}") if name in CIFAR10_CLASSES else name


def repo_path(path: Path) -> str:
    try:
        return str(path.relative_to(data.REPO))
    except ValueError:
        return str(path)


def choose_model() -> Chosen | None:
    shipped = weights.cards()
    finished = [r for r in runs.all_runs() if r.metrics]
    options = list(shipped) + (["run"] if finished else []) + ["upload"]
    names = {name: t("cls.shipped", arch=t(f"arch.{c['architecture']}"), acc=f"{c['test_acc']:.1%}")
             for name, c in shipped.items()} | {"run": t("cls.from_run"), "upload": t("cls.upload")}
    source = st.segmented_control(t("cls.model"), options, format_func=names.get, default=options[0], required=True,
                                  key="cls_model", persist_state="session")
    if source in shipped:
        card = shipped[source]
        path = weights.MODELS / card["weights"]
        content = path.read_bytes()
        st.caption(t("cls.card", epochs=card["epochs"], recipe=card["recipe"], acc=f"{card['test_acc']:.2%}",
                     norm=t("cls.norm_yes") if card["mean"] else t("cls.norm_no")))
        return Chosen(f"shipped:{card['sha256']}", build(content, card["architecture"]), card["mean"], card["std"],
                      repo_path(path), content, card["classes"])
    if source == "run":
        by_key = {r.key: r for r in finished}
        run_names = {r.key: f"{r.config['recipe']} · {t('arch.' + r.config['arch'])} · {len(r.metrics)} epochs · "
                             f"{r.metrics[-1]['test_acc']:.1%}" for r in finished}
        run = by_key[st.selectbox(t("cls.run"), list(by_key), format_func=run_names.get, key="cls_run")]
        epoch = st.slider(t("cls.epoch"), 1, len(run.metrics), len(run.metrics), key="cls_epoch") \
            if len(run.metrics) > 1 else 1
        path = run.checkpoint(epoch)
        content = path.read_bytes()
        st.caption(t("cls.epoch_acc", epoch=epoch, acc=f"{run.metrics[epoch - 1]['test_acc']:.1%}"))
        return Chosen(f"run:{run.key}:{epoch}", build(content, run.config["arch"]), run.config["mean"],
                      run.config["std"], repo_path(path), content, run.config["classes"])
    return upload_model()


def upload_model() -> Chosen | None:
    file = st.file_uploader(t("cls.upload_label"), type=["pt", "pth"], key="cls_weights")
    st.caption(t("cls.upload_help"))
    if file is None:
        return None
    content = file.getvalue()
    try:
        state = checkpoints.read_state_dict(content)
    except checkpoints.CheckpointError as err:
        st.error(t(f"cls.error_{err.code}", **err.params), icon=":material/gpp_bad:")
        if err.code == "full_pickle":
            st.code("torch.save(model.state_dict(), 'tudui.pth')   # instead of torch.save(model, ...)", language="python")
        return None
    guessed = checkpoints.guess_architecture(state)
    arch = st.segmented_control(t("model.arch"), ARCHITECTURES, format_func=labels("arch."),
                                default=guessed or "course", required=True, key="cls_upload_arch")
    if guessed:
        st.caption(t("cls.recognised", arch=t(f"arch.{guessed}")))
    norm = st.toggle(t("cls.upload_norm"), False, key="cls_upload_norm")
    mean, std = (list(v) for v in NORMALIZE_PRESETS["cifar10"]) if norm else (None, None)
    try:
        model = build(content, arch)
    except checkpoints.CheckpointError as err:
        st.error(t(f"cls.error_{err.code}", **{**err.params, "arch": t(f"arch.{arch}")}), icon=":material/error:")
        return None
    return Chosen(f"upload:{hashlib.sha256(content).hexdigest()}:{arch}", model, mean, std, file.name, content,
                  list(CIFAR10_CLASSES))


def preprocessing(photo, prepared: infer.Prepared, chosen: Chosen) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.image(photo, caption=t("cls.step_rgb", size=photo.size), width="stretch")
    c2.image(prepared.small.resize((128, 128), resample=0), caption=t("cls.step_resize"), width="stretch")
    low, high = float(prepared.tensor.min()), float(prepared.tensor.max())
    c3.markdown(t("cls.step_tensor", shape=tensor_shape(*prepared.tensor.shape), low=f"{low:.3f}", high=f"{high:.3f}",
                  norm=t("cls.norm_yes") if chosen.mean else t("cls.norm_no")))
    c4.markdown(t("cls.step_reshape", shape=tensor_shape(*prepared.batch.shape)))
    st.caption(t("cls.rgb_note"))


def prediction(logits, probs, classes: list[str]) -> None:
    """All ten outputs; a model trained on fewer classes leaves the others unnamed (their index)."""
    names = [class_label(classes[i]) if i < len(classes) else f"#{i}" for i in range(len(probs))]
    best = int(probs.argmax())
    st.subheader(t("cls.verdict", name=names[best], p=f"{float(probs[best]):.1%}"))
    st.plotly_chart(viz.bars(names, probs.tolist(), best, y_title="softmax"), key="cls_probs", config=CHART)
    with st.expander(t("cls.logits")):
        st.dataframe([{t("cls.col_class"): name, "logit": f"{float(v):.4f}", "softmax": f"{float(p):.4f}"}
                      for name, v, p in zip(names, logits, probs)], hide_index=True)
        st.markdown(t("cls.argmax", k=best))


def network_view(chosen: Chosen, prepared: infer.Prepared) -> None:
    maps = infer.feature_maps(chosen.model, prepared.batch)
    names = {i: f"model[{index}] {layer.split('(')[0]} → {list(m.shape)}" for i, (index, layer, m) in enumerate(maps)}
    pick = st.selectbox(t("cls.layer"), list(names), format_func=names.get, key="cls_layer")
    _, layer, m = maps[pick]
    st.caption(f"`{layer}`")
    tiles = viz.gray_tiles(m.numpy())
    st.plotly_chart(viz.image_batch(tiles, [f"#{c}" for c in range(len(tiles))], columns=16, tile=52),
                    key="cls_maps", config=CHART)
    channel = st.number_input(t("cls.channel"), 0, len(tiles) - 1, 0, key="cls_channel")
    left, right = st.columns(2)
    left.plotly_chart(viz.feature_grid([m[channel].numpy()], [f"#{channel}"], columns=1, cell_px=300),
                      key="cls_one_map", config=CHART)
    with right:
        st.markdown(t("cls.kernels"))
        weight = chosen.model.model[0].weight.detach().numpy()
        st.plotly_chart(viz.image_batch(viz.kernel_tiles(weight), [f"#{c}" for c in range(len(weight))], columns=8,
                                        tile=40), key="cls_kernels", config=CHART)


def audit_view(chosen: Chosen) -> None:
    picked = dataset_picker(t("data.choose"), data.has_test_split, key="dataset")
    if picked is None:
        st.info(t("cls.audit_no_data"), icon=":material/folder_off:")
        return
    source = str(picked.path)
    try:
        with st.spinner(t("cls.auditing")):
            result = audit(chosen.id, chosen.model, source, chosen.mean, chosen.std)
    except data.DataError as err:
        st.error(t(f"data.error_{err.code}", **err.params), icon=":material/folder_off:")
        return
    st.metric(t("cls.test_acc"), f"{result.accuracy:.2%}")
    split = test_split(source)
    class_names = [class_label(name) for name in split.classes]
    st.plotly_chart(viz.bars(class_names, result.per_class, y_title=t("cls.per_class")), key="cls_per_class",
                    config=CHART)
    st.plotly_chart(viz.confusion(result.confusion, class_names, t("cls.predicted"), t("cls.true")),
                    key="cls_confusion", config=CHART)
    st.markdown(t("cls.mistakes"))
    images = split.images[[i for i, *_ in result.mistakes]].permute(0, 2, 3, 1).numpy()
    named = [*class_names, *(f"#{i}" for i in range(len(class_names), 10))]
    captions = [f"{named[truth]}→{named[pred]} {conf:.0%}" for _, truth, pred, conf in result.mistakes]
    st.plotly_chart(viz.image_batch(np.ascontiguousarray(images), captions, columns=8, tile=96), key="cls_mistakes",
                    config=CHART)


st.title(t("classify.title"))
st.markdown(t("cls.intro"))
chosen = choose_model()
st.divider()
photo = photo_picker("cls_photo", camera=True)
if chosen is not None and photo is not None:
    prepared = infer.prepare(photo, chosen.mean, chosen.std)
    logits, probs = infer.predict(chosen.model, prepared.batch)
    st.subheader(t("cls.steps_title"))
    preprocessing(photo, prepared, chosen)
    prediction(logits, probs, chosen.classes)
    sees_tab, code_tab, audit_tab = st.tabs([t("cls.tab_sees"), t("cls.tab_code"), t("cls.tab_audit")],
                                            key="cls_view", on_change="rerun")
    with sees_tab:
        if sees_tab.open:
            network_view(chosen, prepared)
    with code_tab:
        if code_tab.open:
            image_path = photo_source("cls_photo")
            snippet = codegen.classify(chosen.model.arch, chosen.path, image_path, chosen.mean, chosen.std)
            show_code(snippet, files={image_path: photo, chosen.path: chosen.content})
    with audit_tab:
        if audit_tab.open:
            audit_view(chosen)
