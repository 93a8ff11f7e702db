"""One lesson for every windowed operation (conv2d, max/avg pooling, conv_transpose2d).

Each of those pages teaches the same way: settings PyTorch refuses are explained with a fix, otherwise the
operation is animated step by step, its legend under it, the output-size formula with the numbers plugged in
beside the equivalent code and what it prints. A page states only what is particular to its operation (an
``Operation``); ``show`` draws the rest, so the three pages look and behave alike.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from core import i18n, query
from core.basics import ops
from core.basics.ops import SettingsError
from ui import CHART, lang, settings_problem, show_code, t, urlstate
from ui.loading import wait_for_torch

TraceT = TypeVar("TraceT")
SettingsT = TypeVar("SettingsT")


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
class View:
    """How the animation opens: at step ``start``, a picked grid cell outlined (clickable pages), ``duration`` ms
    per step."""

    start: int
    picked: tuple[int, int] | None
    duration: int


@dataclass(frozen=True)
class Operation(Generic[SettingsT, TraceT]):
    """A windowed operation as its page sees it.

    settings: the page's settings object (``ui.urlform.form``); reset is its class's defaults.
    compute: the step-by-step trace for settings, or SettingsError where PyTorch refuses them.
    fixes: the one-change ways out of a refusal, as (button label, settings with that change).
    explain: what to draw for a trace and its settings, opened as ``View`` says.
    clickable: a click on an output cell opens its step, a click on an input cell outlines the outputs reading it
    (window operations, whose trace is a core.basics.ops.Trace); the clicked cell is the URL's ``cell=output:1,2``.
    """

    scope: str
    settings: SettingsT
    compute: Callable[[SettingsT], TraceT]
    fixes: Callable[[SettingsError, SettingsT], list[tuple[str, SettingsT]]]
    explain: Callable[[TraceT, SettingsT, View], Explanation]
    duration: int
    reset_label: str = "conv.reset"
    clickable: bool = False


def legend(looks: Collection, language: str, dilation: int = 1) -> str:
    """The legend of a figure that draws ``looks`` (core.viz.Look): one line per look, its swatch in the figure's
    colours and what it means, in ``language``; nothing about a look the figure does not draw."""
    from core import viz

    lines = [f"{viz.SWATCH[look]} {i18n.t(f'legend.{look}', language, dilation=dilation)}"
             for look in viz.Look if look in looks]
    return "<br>".join([*lines, i18n.t("legend.controls", language)])


def window_legend(trace: ops.Trace, picked: tuple[int, int] | None) -> str:
    """The legend of ``viz.window_animation(trace, …, picked=picked)`` in the learner's language."""
    from core import viz

    return legend(viz.window_looks(trace, picked), lang(), trace.dilation)


def clicked(key: str) -> tuple[str, int, int] | None:
    """The grid cell last clicked in the chart ``key``: (grid name, row, column), from its on_select state."""
    event = st.session_state.get(key) or {}
    points = (event.get("selection") or {}).get("points") or []
    data = points[0].get("customdata") if points else None
    if not data or len(data) != 3:
        return None
    return str(data[0]), int(data[1]), int(data[2])


Click = tuple[str, int, int]  # (grid name, row, column)
GRIDS = ("input", "output")


def parse_cell(text: str) -> Click:
    """The URL's ``cell=output:1,2`` (or ``input:0,3``) as a click; QueryError for anything else."""
    grid, _, place = text.partition(":")
    try:
        r, c = (int(v) for v in place.split(","))
    except ValueError:
        r = c = -1
    if grid not in GRIDS or r < 0 or c < 0:
        raise query.QueryError("cell.bad", value=text[:20])
    return grid, r, c


def cell_text(click: Click) -> str:
    grid, r, c = click
    return f"{grid}:{r},{c}"


def _on_grid(trace: ops.Trace, click: Click | None) -> Click | None:
    """The click, if its cell is on the grids these settings draw (a linked or kept cell may be past them)."""
    if click is None:
        return None
    grid, r, c = click
    rows, cols = trace.output.shape if grid == "output" else trace.grid.shape
    return click if r < rows and c < cols else None


def _focus(trace: ops.Trace, click: Click | None) -> tuple[int, tuple[int, int] | None, int]:
    """(step to open, picked grid cell, how many windows read it) for a click on the animation."""
    if click is None:
        return 0, None, 0
    name, r, c = click
    if name == "output":
        return trace.step_of((r, c)), None, 0
    readers = trace.readers((r, c))
    return (readers[0] if readers else 0), (r, c), len(readers)


def show(op: Operation[SettingsT, TraceT]) -> TraceT | None:
    """The lesson for ``op``'s current settings; returns its trace, or None where PyTorch would refuse them."""
    try:
        trace = op.compute(op.settings)
    except SettingsError as err:
        fixes = op.fixes(err, op.settings) + [(t(op.reset_label), type(op.settings)())]
        settings_problem(err, fixes, op.scope, key=f"{op.scope}_problem")
        return None
    wait_for_torch()
    key, cell = f"{op.scope}_animation", f"{op.scope}_cell"
    click = None
    if op.clickable:  # the clicked cell is kept under ``cell`` and in the URL, so a link opens the same step
        urlstate.custom("cell", cell, parse_cell)
        click = _on_grid(trace, st.session_state.get(cell))
        urlstate.write("cell", None if click is None else cell_text(click))
    start, picked, readers = _focus(trace, click)
    shown = op.explain(trace, op.settings, View(start, picked, op.duration))
    if op.clickable:
        st.plotly_chart(shown.figure, key=key, config=CHART, selection_mode="points",
                        on_select=lambda: st.session_state.update({cell: clicked(key)}))
    else:
        st.plotly_chart(shown.figure, key=key, config=CHART)
    # markdown, not a caption: a caption's faded text would fade the swatches, which must match the figure
    st.markdown(f"<div style='font-size:0.875rem'>{shown.legend}</div>", unsafe_allow_html=True)
    if op.clickable:
        if picked is None:
            st.caption(t("anim.click_hint"))
        else:
            st.caption(t("anim.picked", row=picked[0], col=picked[1], count=readers))
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
