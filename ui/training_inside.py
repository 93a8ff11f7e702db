"""The Training page's "inside the network": per layer, after each epoch, on a fixed batch of 32 test images, how
large and how spread its outputs are, how much gradient reaches it, and how far its weights moved
(core/training/inside.py records them in each epoch's metrics row)."""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from core import viz
from core.training import inside
from core.training.inside import LayerStats
from core.training.records import MetricsRow
from ui import CHART, t

TINY = 1e-3  # a layer whose gradient spread is under this share of the largest layer's gets a note
HUGE = 1e3   # … or over this, in absolute terms


def _name(s: LayerStats) -> str:
    return f"[{s.index}] {s.layer}"


def _fmt(v: float | None, spec: str) -> str:
    return "–" if v is None or not math.isfinite(v) else format(v, spec)


def layers_view(metrics: list[MetricsRow]) -> None:
    history = inside.history(metrics)
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


def compare_view(a: tuple[str, list[MetricsRow]], b: tuple[str, list[MetricsRow]], more: bool = False) -> None:
    """Two runs' weighted layers side by side (named A and B, each run's label said once above the table), and one
    line reading the first layer's figures: how much gradient reaches it, how far an epoch moves it, in each run.
    more: further runs were picked, which the table leaves out (said in a caption)."""
    matched = inside.side_by_side(a[1], b[1])
    if not matched:
        return
    st.markdown(f"**{t('inside_compare.title')}**")
    st.caption(t("inside_compare.runs", a=a[0], b=b[0]) + (f" {t('inside_compare.more')}" if more else ""))
    st.dataframe([{t("inside.col_layer"): f"{m.layer} #{m.number}",
                   t("inside_compare.col_grad", run="A"): _fmt(m.a.grad_std, ".2e"),
                   t("inside_compare.col_grad", run="B"): _fmt(m.b.grad_std, ".2e"),
                   t("inside_compare.col_moved", run="A"): _fmt(m.a.moved, ".2%"),
                   t("inside_compare.col_moved", run="B"): _fmt(m.b.moved, ".2%"),
                   t("inside_compare.col_out", run="A"): _fmt(m.a.out_std, ".3g"),
                   t("inside_compare.col_out", run="B"): _fmt(m.b.out_std, ".3g")} for m in matched],
                 hide_index=True)
    first = matched[0]
    if first.a.moved and first.b.moved and first.a.grad_std > 0 and first.b.grad_std > 0:
        further, less = ("A", "B") if first.a.moved >= first.b.moved else ("B", "A")
        accuracy = [row[-1].test_acc if row else None for row in (a[1], b[1])]
        st.markdown(t("inside_compare.line", layer=f"{first.layer} #1", grad_a=_fmt(first.a.grad_std, ".2e"),
                      grad_b=_fmt(first.b.grad_std, ".2e"), grad_times=_fmt(first.b.grad_std / first.a.grad_std, ".3g"),
                      moved_a=_fmt(first.a.moved, ".2%"), moved_b=_fmt(first.b.moved, ".2%"), further=further,
                      less=less, times=_fmt(max(first.a.moved, first.b.moved) / min(first.a.moved, first.b.moved), ".3g"),
                      acc_a=_fmt(accuracy[0], ".1%"), acc_b=_fmt(accuracy[1], ".1%")))
