"""Data sets for the pages: found once, opened once per process, and the CIFAR-10 download panel."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import data, download
from core.jobs import Busy, Job, Registry
from ui import t


@st.cache_data(ttl=30, show_spinner=False)
def found_datasets(root: str) -> list[data.Found]:
    """The data sets under the data directory (looked up again at most every 30 s, or after a download)."""
    path = Path(root)
    return data.discover(path) if path.is_dir() else []


@st.cache_resource(max_entries=8, show_spinner=False)
def opened(root: str, found: data.Found, split: str, resize: int | None):
    """One torch Dataset per (data set, split, transform), shared by every session of this process."""
    from torchvision import transforms

    steps = ([transforms.Resize((resize, resize))] if resize else []) + [transforms.ToTensor()]
    return data.open_dataset(Path(root), found, split, transforms.Compose(steps))


@st.cache_resource(show_spinner=False)
def downloads() -> Registry:
    return Registry(max_running=1)


def _download_work(root: Path):
    def work(job: Job) -> None:
        download.download(root, on_progress=job.progress, should_stop=job.stop_event.is_set)
    return work


def cifar10_panel(root: Path) -> None:
    """CIFAR-10 is not in the data directory: say where it goes, and offer to fetch or unpack it."""
    st.warning(t("data.cifar_missing", root=str(root)), icon=":material/folder_off:")
    st.markdown(t("data.cifar_manual", root=str(root), archive=download.ARCHIVE, folder=download.FOLDER))
    archive = root / download.ARCHIVE
    if archive.is_file():
        if st.button(t("data.extract"), icon=":material/unarchive:", key="cifar_extract"):
            with st.spinner(t("data.extracting")):
                try:
                    download.extract(root)
                except download.DownloadError as err:
                    st.error(t(f"data.download_{err.code}", **err.params))
                    return
            found_datasets.clear()
            st.rerun()
        return
    job = downloads().get(str(root))
    if job is not None and job.running:
        _download_progress(str(root))
        return
    if job is not None and job.state == "failed":
        err = job.error
        st.error(t(f"data.download_{getattr(err, 'code', 'offline')}",
                   **getattr(err, "params", {"url": download.url(), "reason": str(err)})),
                 icon=":material/cloud_off:")
    if st.button(t("data.download"), icon=":material/download:", key="cifar_download", type="primary"):
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
