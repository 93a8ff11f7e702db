"""Transforms: what ToTensor, Normalize, Resize and the random crops do to a photo, and a Compose pipeline to build.

The title, intro and photo picker need no PyTorch, so they draw at once; the open tab waits for the background import.
Each tab is a view in ui.transforms_views (ui.compose for Compose): its settings, core.data.transforms, the figure.
"""
import streamlit as st

from ui import photo_picker, share, t, urlstate
from ui.compose import compose_view
from ui.loading import wait_for_torch
from ui.practice import practice_section
from ui.transforms_views import PICKER, crop_view, normalize_view, resize_view, to_tensor_view

VIEWS = {"to_tensor": to_tensor_view, "normalize": normalize_view, "resize": resize_view, "crop": crop_view,
         "compose": compose_view}

st.title(t("transforms.title"))
st.markdown(t("transforms.intro"))
share.copy_link()
photo = photo_picker(PICKER, longest=1024, runs_code=True)
if photo is not None:
    view, tabs = urlstate.tabs({"to_tensor": "ToTensor", "normalize": "Normalize", "resize": "Resize",
                                "crop": t("tf.tab_crop"), "compose": "Compose"}, "view", scope="tf")
    with tabs[view]:
        wait_for_torch()
        VIEWS[view](photo)

practice_section("transforms")
