"""The learner's own small data set: the Data page's zip upload, and the session's sets the data set pickers offer.

An upload is read once (ui/uploads.read_once: its bytes leave Streamlit's store once unpacked) into this
session's upload folder (ui/session_files.py); what it made, the data sets or the refusal, is kept in the session.
Its sets are this session's alone: other sessions' pickers never list them, and a shared link to one falls
back to the default with the picker's note.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.data import discovery, paths
from core.errors import CodedError, quoted
from core.uploads import datasets, sessions
from ui import explain, t
from ui.session_files import folders, session_id
from ui.uploads import read_once

KEY = "owndata_zip"
PICKER = "data_dataset"  # the data set pickers' widget key (ui/data.py, urlstate's "<scope>_<name>")


def own_sets() -> list[discovery.Found]:
    """This session's uploaded data sets, oldest first."""
    return datasets.of_session(folders(), session_id())


def folder_name(found: discovery.Found) -> str:
    """How the page's code names an uploaded set's folder: as the learner's own folder was called."""
    return datasets.folder_name(found)


def _unpack(name: str):
    def read(data: bytes) -> list[str] | CodedError:
        try:
            return [found.id for found in datasets.add(folders(), session_id(), data, name)]
        except CodedError as err:
            return err.bare()
    return read


def upload_panel() -> None:
    """The Data page's "your own data set": the layouts and limits, a zip upload, and what came of it.

    Drawn before the data set picker: a zip just unpacked becomes the picked data set.
    """
    with st.expander(t("owndata.title"), icon=":material/upload_file:", expanded=KEY in st.session_state
                     and st.session_state[KEY] is not None):
        st.markdown(t("owndata.about", mb=datasets.LIMITS.max_bytes // datasets.MB,
                      count=f"{datasets.LIMITS.max_members:,}", mp=datasets.checks.MAX_PIXELS // 1_000_000))
        file = st.file_uploader(t("owndata.upload"), type=["zip"], key=KEY)
        with st.spinner(t("owndata.checking")):
            done = read_once(KEY, file, _unpack(file.name) if file is not None else lambda data: [])
        if done is None:
            return
        if isinstance(done.value, CodedError):
            st.error(explain(done.value), icon=":material/gpp_bad:")
            return
        if st.session_state.get("owndata_picked") != done.file_id and done.value:
            st.session_state["owndata_picked"] = done.file_id
            st.session_state[PICKER] = done.value[0]
        said = {"name": datasets.clean_name(done.name), "count": len(done.value)}  # the name escaped for Markdown
        st.success(t("owndata.added", **quoted(t("owndata.added"), said)), icon=":material/check_circle:")
        st.caption(t("owndata.yours"))


def trains_here(found: discovery.Found) -> bool:
    """Whether the Training page may train ``found``: an uploaded set trains only on this server's own queue,
    since the queue's workers (JOBS_REDIS_URL) cannot reach this session's folder. Says so where it cannot."""
    from ui.training import redis_url  # the training queue's module: imported by the page that trains

    if found.upload and redis_url():
        st.warning(t("owndata.not_on_workers"), icon=":material/dns:")
        return False
    return True


def shown_here(data: str) -> bool:
    """Whether this session may list a training run on data (its RunConfig's settings.data): one trained on another
    session's upload is that session's alone (its insight shows their pictures, its classes their labels)."""
    where = paths.relative(Path(data), folders().root.resolve())
    return where is None or where.split("/")[0] == sessions.key(session_id())
