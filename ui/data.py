"""Data sets for the pages: what is offered (the bundled sample beside the data directory's own), the picker
the data, training and classify pages share, opened data sets, and the CIFAR-10 download panel."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.data import discovery, download, paths, sample, sets, tensors
from core.training.jobs import Busy, Job, Registry
from ui import explain, t, urlstate
from ui.owndata import folder_name, own_sets


@st.cache_data(ttl=30, show_spinner=False)
def found_datasets(root: str) -> list[discovery.Found]:
    """What the pages offer, default first: the bundled sample and the data sets under the data directory
    (looked up again at most every 30 s, or after a download); the session's own uploads are added by the picker."""
    return discovery.offered(Path(root))


def dataset_label(found: discovery.Found) -> str:
    """A data set's name in the current language; the bundled sample says what it is and how big."""
    if found.bundled and found.kind == discovery.Kind.LABEL_FILES:
        return t("data.sample_labels_name", classes=", ".join(sample.LABEL_CLASSES))
    if found.upload:
        return t("owndata.label", name=found.name, kind=t(f"data.kind_{found.kind}"))
    if found.bundled:
        train, test = (10 * sample.PER_CLASS[s] for s in ("train", "test"))
        return t("data.sample_name", train=f"{train:,}", test=f"{test:,}")
    return f"{found.name} · {t('data.kind_' + found.kind)}"


@dataclass(frozen=True)
class Picked:
    """The data set a picker returned, with what a page needs to use it and to talk about it."""

    found: discovery.Found
    path: Path     # where its files are: for tensors.load_split, train.Config(data=...), sets.open_dataset's checks
    shown: str     # that place as the page may show it (never the server's absolute path)
    label: str     # its name in the current language


def dataset_picker(label: str, accept: Callable[[discovery.Found], bool] = lambda found: True, *,
                   key: str = "dataset", where=st) -> Picked | None:
    """A select box over the offered data sets that ``accept`` keeps, the default first.

    The choice lives in the URL as ``?<key>=<found.id>`` (the same value in every language, through
    ``urlstate.choice``: an unknown value there falls back to the default with a translated note); the
    widget's key is ``data_<key>``, shared by the pages, so a data set picked on one page stays picked on the
    next. ``where`` is the container to draw in (st, a column).
    Under the bundled sample it says where the full CIFAR-10 comes from. None when nothing fits.
    """
    root = paths.data_root()
    offered = {f.id: f for f in [*found_datasets(str(root)), *own_sets()] if accept(f)}
    if not offered:
        return None
    ids = list(offered)
    names = {i: dataset_label(f) for i, f in offered.items()}  # formatted now, in this run's language
    chosen = urlstate.choice(label, ids, ids[0], key, scope="data", kind="selectbox", format_func=names.get,
                             where=where)
    found = offered[chosen]
    if found.bundled:
        where.caption(t("data.sample_about"))
    try:
        path = discovery.location(root, found)
    except paths.DataError as err:
        st.error(explain(err), icon=":material/folder_off:")
        return None
    return Picked(found, path, folder_name(found) if found.upload else paths.shown(path, root), dataset_label(found))


def split_notes(split: tensors.TensorSplit, where=st) -> None:
    """What tensors.load_split had to work around, said where the split is used: image files it left out, and a
    damaged cache file it deleted and built again."""
    if split.skipped:
        files = ", ".join(split.skipped[:5]) + (" …" if len(split.skipped) > 5 else "")
        where.warning(t("data.split_skipped", n=len(split.skipped), files=files), icon=":material/broken_image:")
    if split.rebuilt:
        where.caption(t("data.cache_rebuilt"))


@st.cache_resource(max_entries=8, show_spinner=False)
def opened(root: str, found: discovery.Found, split: str, resize: int | None):
    """One torch Dataset per (data set, split, transform), shared by every session of this process."""
    from torchvision import transforms

    steps = ([transforms.Resize((resize, resize))] if resize else []) + [transforms.ToTensor()]
    return sets.open_dataset(Path(root), found, split, transforms.Compose(steps))


@st.cache_resource(show_spinner=False)
def downloads() -> Registry:
    return Registry(max_running=1)


def _download_work(root: Path):
    def work(job: Job) -> None:
        download.download(root, on_progress=job.progress, should_stop=job.stop_event.is_set)
    return work


def cifar10_panel(root: Path) -> None:
    """CIFAR-10 is not in the data directory: say where it goes, and offer to fetch or unpack it."""
    where = paths.shown(root)
    st.info(t("data.cifar_missing", root=where), icon=":material/folder_off:")
    st.markdown(t("data.cifar_manual", root=where, archive=download.ARCHIVE, folder=download.FOLDER))
    archive = root / download.ARCHIVE
    if archive.is_file():
        if st.button(t("data.extract"), icon=":material/unarchive:", key="cifar_extract"):
            with st.spinner(t("data.extracting")):
                try:
                    download.extract(root)
                except download.DownloadError as err:
                    st.error(explain(err))
                    return
            found_datasets.clear()
            st.rerun()
        return
    job = downloads().get(str(root))
    if job is not None and job.running:
        _download_progress(str(root))
        return
    if job is not None and job.state == "failed":
        st.error(explain(job.error), icon=":material/cloud_off:")
    if st.button(t("data.download"), icon=":material/download:", key="cifar_download"):
        try:
            downloads().start(str(root), _download_work(root))
        except Busy:
            pass  # another folder's download is running; its progress shows once it is this folder's turn
        st.rerun()


@st.fragment(run_every=0.5)
def _download_progress(key: str) -> None:
    """Progress with ETA, redrawn twice a second while the rest of the page stays usable."""
    job = downloads().get(key)
    if job is None or not job.running:
        found_datasets.clear()
        st.rerun(scope="app")
    fraction = job.done / job.total if job.total else 0.0
    eta = job.eta()
    st.progress(fraction, text=t("data.downloading", done=f"{job.done / 1e6:.1f}", total=f"{job.total / 1e6:.0f}",
                                  eta="…" if eta is None else f"{eta:.0f}"))
    st.button(t("data.stop"), key="cifar_stop", on_click=job.stop)
