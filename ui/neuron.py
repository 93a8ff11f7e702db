"""Classify's "how this cell is computed": a clicked feature-map cell's own arithmetic on the learner's photo, and
how a class's score is made from the hidden layer.

Computed and drawn once per model, photo, cell, language and screen width for every session (st.cache_resource):
learners looking at the same sample photo click the same cells.
"""
from __future__ import annotations

import streamlit as st
from torch import nn

from core.basics import ops
from core.inference import neuron
from ui import CHART, animation_labels, lang, screen_px, t, urlstate

TOP = 8  # a Linear output's largest contributions shown one by one; the others are summed


@st.cache_resource(max_entries=32, show_spinner=False)
def _conv(key: str, index: int, channel: int, cell: tuple[int, int], language: str, width_px: int, _model, _batch):
    """(the neuron, its channel-by-channel animation, every channel small) for one model and photo (``key``)."""
    from core import viz

    n = neuron.conv_neuron(_model, _batch, index, channel, *cell)
    names = ("map", "window", "output", "channel_sum", "total")
    labels = animation_labels() | {name: t(f"neuron.{name}") for name in names}
    columns = (1 if n.maps.shape[1] > 30 else 2) if width_px <= viz.PHONE_PX else min(8, len(n.partials))
    return n, viz.neuron_animation(n, labels, width_px=width_px), viz.neuron_channels(n, columns, width_px)


@st.cache_resource(max_entries=32, show_spinner=False)
def _pool(key: str, index: int, channel: int, cell: tuple[int, int], language: str, width_px: int, _model, _batch):
    from core import viz

    p = neuron.pool_neuron(_model, _batch, index, channel, *cell)
    trace = ops.pool2d_trace(p.window, ops.PoolSettings(p.window.shape[0], ceil_mode=False))
    return p, viz.window_animation(trace, animation_labels(), width_px=width_px)


def neuron_view(key: str, model, batch, index: int, channel: int, cell: tuple[int, int]) -> None:
    """Cell ``cell`` of channel ``channel`` of layer ``index`` (a Conv2d or a MaxPool2d), as computed from what the
    layer reads. key: the model and the photo (what the caches are keyed by)."""
    layer = model.model[index]
    st.markdown(f"**{t('neuron.title', c=channel, row=cell[0], col=cell[1])}**")
    if isinstance(layer, nn.Conv2d):
        n, animation, channels = _conv(key, index, channel, cell, lang(), screen_px(), model, batch)
        st.caption(t("neuron.conv_intro", n=len(n.partials), k=n.weight.shape[-1]))
        st.plotly_chart(animation, key="cls_neuron", config=CHART)
        st.markdown(t("neuron.channels_title", n=len(n.partials)))
        st.plotly_chart(channels, key="cls_neuron_channels", config=CHART)
        st.caption(t("neuron.conv_sum", s=f"{n.running[-1]:.4f}", b=f"{n.bias:.4f}", t=f"{n.total:.4f}",
                     a=f"{n.activation:.4f}"))
    elif isinstance(layer, nn.MaxPool2d):
        p, animation = _pool(key, index, channel, cell, lang(), screen_px(), model, batch)
        st.plotly_chart(animation, key="cls_neuron", config=CHART)
        st.caption(t("neuron.pool", r0=p.origin[0], c0=p.origin[1], r1=p.origin[0] + p.window.shape[0] - 1,
                     c1=p.origin[1] + p.window.shape[1] - 1, row=p.winner[0], col=p.winner[1], v=f"{p.value:.4f}",
                     a=f"{p.activation:.4f}"))


def linear_view(key: str, model, batch, names: list[str], best: int) -> None:
    """How the score (logit) of a class is made: the last Linear layer's largest terms weight × hidden unit."""
    from core import viz

    index = max(i for i, layer in enumerate(model.model) if isinstance(layer, nn.Linear))
    st.markdown(f"**{t('neuron.linear_title')}**")
    unit = urlstate.choice(t("looked.target"), list(range(len(names))), best, "target", scope="cls", kind="selectbox",
                           format_func=lambda i: names[i])  # the same class as "where it looked" explains
    lin = neuron.linear_neuron(model, batch, index, unit)
    shown, rest = lin.top(TOP)
    bars = [f"h{i}" for i in shown] + [t("neuron.others", n=len(lin.inputs) - TOP), t("neuron.bias")]
    values = [float(lin.contributions[i]) for i in shown] + [rest, lin.bias]
    st.plotly_chart(viz.bars(bars, values, y_title=t("neuron.contribution")), key="cls_linear", config=CHART)
    st.caption(t("neuron.linear_caption", layer=index, n=len(lin.inputs), t=f"{lin.total:.4f}",
                 a=f"{lin.activation:.4f}", name=names[unit]))
