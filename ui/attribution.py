"""Classify's "where it looked": Grad-CAM and integrated gradients for the predicted class or any class picked."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.inference import attribution
from ui import CHART, lang, screen_px, t, urlstate


@st.cache_resource(max_entries=32, show_spinner=False)
def _maps(key: str, target: int, language: str, width_px: int, _model, _batch, _image: np.ndarray):
    """(Grad-CAM, integrated gradients, their figure) for one model and photo (``key``) and class, for everyone."""
    from core import viz

    cam = attribution.grad_cam(_model, _batch, target)
    ig = attribution.integrated_gradients(_model, _batch, target)
    figure = viz.attribution_maps(_image, cam.upsampled, ig.per_pixel, [t("looked.cam"), t("looked.ig")], width_px)
    return cam, ig, figure


def looked_view(key: str, model, batch, image: np.ndarray, names: list[str], best: int) -> None:
    """key: the model and photo (what the cache is keyed by); image: the 32×32×3 photo the network saw."""
    target = urlstate.choice(t("looked.target"), list(range(len(names))), best, "target", scope="cls",
                             kind="selectbox", format_func=lambda i: names[i])
    st.caption(t("looked.predicted", name=names[best]))
    cam, ig, figure = _maps(key, target, lang(), screen_px(), model, batch, image)
    st.plotly_chart(figure, key="cls_looked", config=CHART)
    st.markdown(t("looked.cam_means", name=names[target]))
    st.markdown(t("looked.ig_means", name=names[target], total=f"{ig.attribution.sum():.3f}", gap=f"{ig.gap:.3f}"))
    st.caption(t("looked.how"))
