"""Receptive fields on the trained network: click a feature-map cell, see the 32×32 input region it sees."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core import receptive, viz
from ui import t
from ui.lesson import CHART


def _clicked(key: str, shape: tuple[int, int]) -> tuple[int, int]:
    """The map cell last clicked in chart ``key`` (the centre cell before any click, or after the map changed size)."""
    event = st.session_state.get(key) or {}
    points = (event.get("selection") or {}).get("points") or []
    data = points[0].get("customdata") if points else None
    if data and len(data) == 3 and int(data[1]) < shape[0] and int(data[2]) < shape[1]:
        return int(data[1]), int(data[2])
    return shape[0] // 2, shape[1] // 2


def receptive_view(layers: Sequence, index: int, fmap: np.ndarray, image: np.ndarray, key: str = "cls_receptive") -> None:
    """The map of layer ``index`` beside the input picture (32×32×3 uint8): a click on a cell outlines what it sees.

    Also lists every conv/pool layer's receptive-field size, so the growth with depth is in plain view.
    """
    fields = receptive.fields(layers)
    field = fields[index]
    if field is None:
        return
    st.markdown(f"**{t('receptive.title')}**")
    cell = _clicked(key, fmap.shape)
    region = field.region(*cell, image.shape[0])
    figure = viz.receptive_field(fmap, image, cell, region, [t("receptive.map"), t("receptive.input")])
    st.plotly_chart(figure, key=key, config=CHART, on_select="rerun", selection_mode="points")
    r0, c0, r1, c1 = region
    st.caption(t("receptive.seen", row=cell[0], col=cell[1], size=field.size, r0=r0, r1=r1, c0=c0, c1=c1))
    sizes = " · ".join(f"model[{i}] {type(layer).__name__}: {f.size}×{f.size}"
                       for i, (layer, f) in enumerate(zip(layers, fields)) if f is not None and hasattr(layer, "kernel_size"))
    st.caption(t("receptive.sizes", sizes=sizes))
    st.caption(t("receptive.why"))
