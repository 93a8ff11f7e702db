"""A visible note where a figure will come while PyTorch is still being imported in the background."""
from __future__ import annotations

import streamlit as st

from core import preload
from ui import t


def wait_for_torch(where=st) -> None:
    """Return once torch is imported; until then show "loading PyTorch…" in ``where``'s place, never a blank page."""
    if preload.ready():
        return
    note = where.empty()
    with note.container(key="loading-torch"):  # the browser tests wait while this is on screen
        st.info(t("app.loading_torch"), icon=":material/hourglass_top:")
    preload.wait()
    note.empty()
