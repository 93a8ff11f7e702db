"""An upload read once per file, its bytes then handed back to the server.

Streamlit keeps every uploaded file's bytes in memory while its tab is open (and two minutes
after), for every session: the 30 photos and checkpoints of a class were 307 MB of the soak's
server (benchmarks/soak.py), though a page needs each only once: a photo is reduced to 1,024 px, a
checkpoint to its verdict. So what ``read`` makes of the bytes is kept in the session, keyed by the
file's id, and the bytes leave Streamlit's store (the workaround a user posted in
streamlit/streamlit#9218, an open issue about this). The browser still shows the file; the widget then gives None, but its
state still names the file's id, which finds what was read. Removing the file in the browser
(its ×) clears that state, and with it what was kept.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.typing import UploadedFile

T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """What a page made of one upload."""

    file_id: str
    name: str
    value: T


def read_once(key: str, file: UploadedFile | None, read: Callable[[bytes], T],
              release_when: Callable[[T], bool] = lambda _: True) -> Read[T] | None:
    """What ``read`` made of the upload in widget ``key`` (``file``, what the widget gave), read once per file.

    release_when: whether the bytes can leave once read (not when the page reads them again later).
    None when the widget holds no file.
    """
    slot = _slot(key)
    file_id = getattr(st.session_state.get(key), "file_id", None)  # an UploadedFile, or a file whose bytes left
    done: Read[T] | None = st.session_state.get(slot)
    if file_id is None or (done is not None and done.file_id != file_id):
        st.session_state.pop(slot, None)
        done = None
    if done is None:
        if file is None:
            return None
        done = Read(file.file_id, file.name, read(file.getvalue()))
        st.session_state[slot] = done
    if file is not None and release_when(done.value):
        release(file.file_id)
    return done


def kept(key: str) -> Read | None:
    """What was read of the upload in widget ``key``, as of its last read (its name, for a snippet)."""
    return st.session_state.get(_slot(key))


def _slot(key: str) -> str:
    return f"_{key}_read"


def release(file_id: str) -> None:
    """Drop an upload's bytes from Streamlit's store for this session.

    Nothing outside a page's run, or with a store that cannot remove one file (its protocol has no
    ``remove_file``; Streamlit's own in-memory store, the only one it ships, has).
    """
    ctx = get_script_run_ctx()
    remove = getattr(ctx.uploaded_file_mgr, "remove_file", None) if ctx is not None else None
    if remove is not None:
        remove(ctx.session_id, file_id)
