"""Charts: small matrices, function curves, bars per class, channel histograms, the confusion matrix."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.basics.ops import number
from core.viz.base import DESKTOP_PX, DONE, PICKED, cells, grids_px

_RGB = ("#d62728", "#2ca02c", "#1f77b4")


def matrices(values: Sequence[np.ndarray], titles: Sequence[str], width_px: int = DESKTOP_PX) -> go.Figure:
    """Small matrices side by side, drawn like the animation's cells, with their numbers.

    width_px: the plot's width on the learner's screen, which sets its height (base.grids_px).
    """
    values = [np.atleast_2d(np.asarray(v, dtype=float)) for v in values]
    tallest = max(v.shape[0] for v in values)
    widths = [v.shape[1] for v in values]
    spacing = 0.08  # of the width, between two matrices
    fig = make_subplots(1, len(values), subplot_titles=list(titles), column_widths=widths, horizontal_spacing=spacing)
    for k, v in enumerate(values, start=1):
        fig.add_trace(cells(np.full(v.shape, float(DONE)), [[number(x) for x in row] for row in v], titles[k - 1]), 1, k)
        fig.update_xaxes(visible=False, range=[-0.5, v.shape[1] - 0.5], scaleanchor=f"y{'' if k == 1 else k}",
                         constrain="domain", row=1, col=k)
        fig.update_yaxes(visible=False, range=[tallest - 0.5, -0.5], constrain="domain", row=1, col=k)
    columns = sum(widths) / (1 - spacing * (len(widths) - 1))  # the spacing, in cells
    fig.update_layout(height=grids_px(tallest, columns, width_px, most=56) + 60, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      plot_bgcolor="white")
    return fig


def curves(x: np.ndarray, lines: dict[str, np.ndarray], points: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
           x_title: str = "x", y_title: str = "y") -> go.Figure:
    """Function curves, with the page's own input values marked on them."""
    fig = go.Figure()
    for name, y in lines.items():
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name))
    for name, (px, py) in (points or {}).items():
        fig.add_trace(go.Scatter(x=px, y=py, mode="markers", name=name, marker={"size": 11, "line": {"width": 1}}))
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis_title=x_title,
                      yaxis_title=y_title, legend={"orientation": "h", "y": 1.08})
    return fig


def bars(labels: Sequence[str], values: Sequence[float], highlight: int | None = None, y_title: str = "",
         height: int = 300) -> go.Figure:
    """A bar per class (probabilities, counts), one of them highlighted."""
    colours = ["#58b368" if i == highlight else "#9db4d3" for i in range(len(values))]
    fig = go.Figure(go.Bar(x=list(labels), y=list(values), marker_color=colours,
                           text=[number(v) for v in values], textposition="outside", cliponaxis=False))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 20, "b": 10}, yaxis_title=y_title)
    return fig


def channel_histograms(x: np.ndarray, bins: int = 64, x_title: str = "", height: int = 260) -> go.Figure:
    """Histograms of the R, G and B values of a [3, H, W] array, overlaid."""
    fig = go.Figure()
    low, high = float(np.min(x)), float(np.max(x))
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    for c, (name, colour) in enumerate(zip("RGB", _RGB)):
        counts, _ = np.histogram(x[c], edges)
        fig.add_trace(go.Scatter(x=(edges[:-1] + edges[1:]) / 2, y=counts, mode="lines", name=name,
                                 line={"color": colour, "width": 1.5}, fill="tozeroy", opacity=0.5))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis_title=x_title,
                      legend={"orientation": "h", "y": 1.1}, bargap=0)
    return fig


def confusion(matrix: Sequence[Sequence[int]], labels: Sequence[str], x_title: str, y_title: str,
              picked: tuple[int, int] | None = None) -> go.Figure:
    """Rows: true class, columns: predicted; the diagonal is what the model gets right.

    picked: a (true, predicted) cell outlined. Every cell reports a click as ("confusion", true, predicted) through
    an invisible marker (heatmaps report no selection).
    """
    m = np.asarray(matrix)
    fig = go.Figure(go.Heatmap(z=m, x=list(labels), y=list(labels), colorscale="Blues", text=m,
                               texttemplate="%{text}", hovertemplate="%{y} → %{x}: %{z}<extra></extra>"))
    where = [(r, c) for r in range(len(m)) for c in range(len(m))]
    invisible = {"marker": {"opacity": 0}}
    fig.add_trace(go.Scatter(x=[labels[c] for _, c in where], y=[labels[r] for r, _ in where], mode="markers",
                             customdata=[["confusion", r, c] for r, c in where], showlegend=False, hoverinfo="none",
                             marker={"size": 30, "symbol": "square", "opacity": 0}, selected=invisible,
                             unselected=invisible))
    if picked is not None:
        r, c = picked
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                      line={"color": PICKED, "width": 3})
    fig.update_yaxes(autorange="reversed", title_text=y_title)
    fig.update_xaxes(title_text=x_title, side="top")
    fig.update_layout(height=480, margin={"l": 10, "r": 10, "t": 60, "b": 10}, dragmode=False,
                      clickmode="event+select")
    return fig
