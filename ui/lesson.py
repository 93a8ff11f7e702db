"""One lesson for every windowed operation (conv2d, max/avg pooling, conv_transpose2d).

Each of those pages teaches the same way: settings PyTorch refuses are explained with a fix, otherwise the
operation is animated step by step, its legend under it, the output-size formula with the numbers plugged in
beside the equivalent code and what it prints. A page states only what is particular to its operation (an
``Operation``); ``show`` draws the rest, so the three pages look and behave alike.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import streamlit as st

from core.ops import SettingsError
from ui import settings_problem, show_code, t
from ui.loading import wait_for_torch

TraceT = TypeVar("TraceT")
CHART = {"displayModeBar": False}


@dataclass(frozen=True)
class Explanation:
    """What the page says about one successful run of its operation."""

    figure: Any                          # the step-by-step animation (a Plotly figure)
    legend: str                          # the colours present in that figure
    size_latex: str                      # the output-size formula
    size_lines: tuple[tuple[str, str], ...]  # (axis, the formula with this run's numbers)
    shape: str                           # input shape → output shape, as a sentence
    code: str                            # standalone PyTorch code for these settings
    warnings: tuple[str, ...] = ()       # surprises of these settings (a window PyTorch drops)
    notes: tuple[str, ...] = ()          # rules worth a line under the formula
    extra: Callable[[], None] | None = None  # drawn under the shape (the transposed page's "not an inverse")


@dataclass(frozen=True)
class Operation(Generic[TraceT]):
    """A windowed operation as its page sees it.

    compute: the step-by-step trace, or SettingsError where PyTorch refuses the settings.
    fixes: the one-change ways out of a refusal, as (button label, {widget key: value}).
    explain: what to draw for a trace.
    defaults: the page's settings, for the "back to the course's numbers" button every refusal offers.
    """

    scope: str
    compute: Callable[[], TraceT]
    fixes: Callable[[SettingsError], list[tuple[str, dict]]]
    explain: Callable[[TraceT], Explanation]
    defaults: dict[str, Any] = field(default_factory=dict)
    reset_label: str = "conv.reset"


def show(op: Operation[TraceT]) -> TraceT | None:
    """The lesson for ``op``'s current settings; returns its trace, or None where PyTorch would refuse them."""
    try:
        trace = op.compute()
    except SettingsError as err:
        settings_problem(err, op.fixes(err) + [(t(op.reset_label), {**op.defaults})], key=f"{op.scope}_problem")
        return None
    wait_for_torch()
    shown = op.explain(trace)
    st.plotly_chart(shown.figure, key=f"{op.scope}_animation", config=CHART)
    st.caption(shown.legend)
    left, right = st.columns(2)
    with left:
        st.subheader(t("conv.size_title"))
        st.latex(shown.size_latex)
        for axis, line in shown.size_lines:
            st.markdown(f"**{axis}<sub>out</sub>** = {line}", unsafe_allow_html=True)
        for warning in shown.warnings:
            st.warning(warning)
        for note in shown.notes:
            st.markdown(note)
        st.markdown(shown.shape)
        if shown.extra is not None:
            shown.extra()
    with right:
        show_code(shown.code)
    return trace
