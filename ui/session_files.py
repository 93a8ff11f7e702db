"""This browser session's upload folder, and removing the folders of sessions that have ended.

Streamlit has no hook for a session's end, but its runtime knows the sessions it holds: the session manager's
``list_sessions()`` gives the connected ones and those kept for two minutes after their tab closed, in case it
reconnects (streamlit/runtime/websocket_session_manager.py, memory_session_storage.py; the private
``Runtime._session_mgr`` is the only way to them, so where it is missing nothing is pruned). A background thread
asks every PRUNE_EVERY_S seconds and removes every other session's folder. Where no runtime serves the app
(AppTest), nothing is pruned by liveness; the disk bound still holds.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.uploads import sessions

PRUNE_EVERY_S = 30.0


def live_sessions() -> set[str] | None:
    """The ids of the sessions this server still holds; None where it cannot tell."""
    if not Runtime.exists():
        return None
    listing = getattr(getattr(Runtime.instance(), "_session_mgr", None), "list_sessions", None)
    if listing is None:
        return None
    try:
        return {info.session.id for info in listing()}
    except RuntimeError:  # the event loop changed the sessions while this thread read them: ask next time
        return None


def _keep_pruning(folders: sessions.SessionFolders) -> None:
    while True:
        time.sleep(PRUNE_EVERY_S)
        live = live_sessions()
        if live is not None:
            folders.prune(live)


@st.cache_resource(show_spinner=False)
def _folders_at(root: str) -> sessions.SessionFolders:
    """One SessionFolders per root for the process, with its pruning thread."""
    folders = sessions.SessionFolders(Path(root))
    threading.Thread(target=_keep_pruning, args=(folders,), daemon=True, name="upload-pruner").start()
    return folders


def folders() -> sessions.SessionFolders:
    """The server's upload folders: under $UPLOADS_DIR, or in the system's temp folder."""
    return _folders_at(os.environ.get("UPLOADS_DIR") or str(sessions.ROOT))


def session_id() -> str:
    """This browser session's id (one id outside a page's run)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "local"
