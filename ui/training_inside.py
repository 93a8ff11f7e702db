"""The Training page's "inside the network": per layer, after each epoch, on a fixed batch of 32 test images, how
large and how spread its outputs are, how much gradient reaches it, and how far its weights moved
(core/training/inside.py records them in each epoch's metrics row)."""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from core import viz
from core.training.inside import LayerStats
from core.training.records import MetricsRow
from ui import CHART, t

TINY = 1e-3  # a layer whose gradient spread is under this share of the largest layer's gets a note
HUGE = 1e3   # … or over this, in absolute terms


def _history(metrics: list[MetricsRow]) -> list[tuple[int, list[LayerStats]]]:
    """(epoch, its layers) for every epoch that recorded them; rows of older runs, or damaged ones, are left out."""
    kept = []
    for row in metrics:
        stats = [LayerStats.from_row(r) for r in row.layers]
        if stats and None not in stats:
            kept.append((row.epoch, stats))
    return kept


def _name(s: LayerStats) -> str:
    return f"[{s.index}] {s.layer}"


def _fmt(v: float | None, spec: str) -> str:
    return "–" if v is None or not math.isfinite(v) else format(v, spec)


def layers_view(metrics: list[MetricsRow]) -> None:
    history = _history(metrics)
    if not history:
        return
    epoch, last = history[-1]
    st.markdown(f"**{t('inside.title', epoch=epoch)}**")
    st.dataframe([{t("inside.col_layer"): _name(s), t("inside.col_out"): f"{_fmt(s.out_min, '.3g')} … {_fmt(s.out_max, '.3g')}",
                   t("inside.col_spread"): _fmt(s.out_std, ".3g"), t("inside.col_grad"): _fmt(s.grad_std, ".2e"),
                   t("inside.col_norm"): _fmt(s.weight_norm, ".3g"), t("inside.col_moved"): _fmt(s.moved, ".2%")}
                  for s in last], hide_index=True)
    weighted = [s.index for s in last if s.weight_norm is not None and s.layer in ("Conv2d", "Linear")]
    epochs = np.array([e for e, _ in history])
    by_index = [{s.index: s for s in stats} for _, stats in history]
    left, right = st.columns(2)
    for column, field, title in ((left, "grad_std", "inside.chart_grad"), (right, "moved", "inside.chart_moved")):
        lines = {_name(last[i]): np.array([getattr(stats[i], field) or math.nan for stats in by_index]) for i in weighted}
        figure = viz.curves(epochs, lines, x_title=t("train.axis_epoch"), y_title=t(title))
        figure.update_yaxes(type="log")
        figure.update_xaxes(dtick=1)
        figure.update_layout(height=280)
        column.plotly_chart(figure, config=CHART)
    spreads = [s.grad_std for s in last]
    largest = max(spreads)
    tiny = [_name(s) for s in last if s.grad_std < TINY * largest]
    huge = [_name(s) for s in last if not math.isfinite(s.grad_std) or s.grad_std > HUGE]
    if tiny:
        st.warning(t("inside.tiny", layers=", ".join(tiny)), icon=":material/south:")
    if huge:
        st.warning(t("inside.huge", layers=", ".join(huge)), icon=":material/north:")
    st.caption(t("inside.how"))
