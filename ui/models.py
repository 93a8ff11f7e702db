"""The classify page's models: where one comes from (a shipped one, an epoch of a run, an upload) and the caches
that load it once for every session.

Each source draws its own few widgets and returns a Chosen, the model with what the page says and runs about it, so
the page itself reads "pick a model -> pick a photo -> what the network sees".
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from PIL import Image

from core.basics import codegen
from core.course import CIFAR10_CLASSES
from core.data import paths
from core.data.transforms import NORMALIZE_PRESETS
from core.errors import CodedError
from core.inference import checkpoints, infer, matching, weights
from core.model import ARCHITECTURES, Network, Tudui
from core.training import runs
from ui import uploads, urlstate
from ui.language import explain, labels, lang, t
from ui.owndata import shown_here
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
    finished = [r for r in runs.all_runs() if r.metrics and shown_here(r.settings.data)]
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
