"""Receptive fields on the trained network: click a feature-map cell, see the 32×32 input region it sees."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core import i18n, viz
from core.inference import receptive
from ui import lang, screen_px, t
from ui.lesson import CHART, clicked

if TYPE_CHECKING:  # torch loads in the background while a page's header shows
    from torch import nn


def _clicked(key: str, shape: tuple[int, int]) -> tuple[int, int]:
    """The map cell last clicked in chart ``key`` (the centre cell before any click, or after the map changed size)."""
    click = clicked(key)
    if click is not None and click[1] < shape[0] and click[2] < shape[1]:
        return click[1], click[2]
    return shape[0] // 2, shape[1] // 2


@st.cache_data(max_entries=12, show_spinner=False)
def diagram(signature: tuple[str, ...], language: str, _layers: Sequence[nn.Module]):
    """The network's blocks (viz.architecture) with each stage's receptive field under its shape: how many input
    pixels one cell of that stage sees, and how far apart two neighbouring cells' fields start (the jump). Worked
    out from the layers' kernel_size/stride/padding and one zero image's shapes. The same for every visitor in a
    language with the same layers (``signature``: their reprs, which hold every setting), so built once for all."""
    import torch

    from core.model import layer_rows

    device = next((p.device for layer in _layers for p in layer.parameters()), None)
    rows = layer_rows(_layers, torch.zeros(1, 3, 32, 32, device=device))
    stages = [("", (3, 32, 32))] + [(r.layer.split("(")[0], r.shape[1:]) for r in rows]
    fields = [receptive.Field(1, 1, 0), *receptive.fields(_layers)]  # an input pixel sees itself
    below = [i18n.t("receptive.block", language, size=f.size, jump=f.jump) if f
             else i18n.t("receptive.block_all", language) for f in fields]
    below[0] = f"{i18n.t('receptive.block_head', language)}<br>{below[0]}"  # the row's name once, over the input's own 1×1
    return viz.architecture(stages, below=below)


def show_diagram(layers: Sequence[nn.Module], key: str) -> None:
    """The diagram of ``layers`` (a network's ``model``: on the meta device for a structure only)."""
    st.plotly_chart(diagram(tuple(map(repr, layers)), lang(), layers), key=key, config=CHART)
    st.caption(t("receptive.diagram"))


def receptive_view(net, index: int, fmap: np.ndarray, image: np.ndarray, key: str = "cls_receptive",
                   then: Callable[[tuple[int, int]], None] | None = None) -> None:
    """The map of layer ``index`` of ``net`` (a core.model.Network) beside the input picture (32×32×3 uint8): a click
    on a cell outlines what it sees.

    Under it the network's diagram says every stage's receptive field, so the growth with depth is in plain view.
    then: drawn for the clicked cell (the centre one before any click) between the map and the diagram.
    """
    field = receptive.fields(list(net.model))[index]
    if field is None:
        return
    st.markdown(f"**{t('receptive.title')}**")
    cell = _clicked(key, fmap.shape)
    region = field.region(*cell, image.shape[0])
    figure = viz.receptive_field(fmap, image, cell, region, [t("receptive.map"), t("receptive.input")], screen_px())
    st.plotly_chart(figure, key=key, config=CHART, on_select="rerun", selection_mode="points")
    r0, c0, r1, c1 = region
    st.caption(t("receptive.seen", row=cell[0], col=cell[1], size=field.size, r0=r0, r1=r1, c0=c0, c1=c1))
    if then is not None:
        then(cell)
    show_diagram(net.model, f"{key}_diagram")
    st.caption(t("receptive.why"))
