"""What every animated grid shares: cell colours, value text sized for a phone, panels side by side, the ◀ Play
Pause ▶ buttons and the scrubber, invisible click targets, and a figure handed over as its finished dict."""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import plotly.graph_objects as go

from core.ops import number

# Cell categories of the sliding-window grid, drawn with a discrete colour scale.
INPUT, PADDING, OUTSIDE, READ, EMPTY, DONE, CURRENT = range(7)
CELL_COLOURS = ["#e8f1fb", "#dcdcdc", "#fbe3e3", "#ffc857", "#f4f4f4", "#d5ecd4", "#58b368"]
KIND_CODE = {"input": INPUT, "padding": PADDING, "outside": OUTSIDE}
CONTROLS_PX = 140  # under the grids: the ◀ ▶ Play Pause buttons, then the scrubber, then the formula
PHONE_PX = 380  # the plot's width on a 420 px phone
PICKED = "#1f5fbf"  # an input cell clicked, and the outputs whose windows read it
WINDOW = "#e07a00"  # the window's outline (and what ties it to its output)
TARGET = "#2d7a35"  # the output cell this step computes


def _scale() -> list[list]:
    n = len(CELL_COLOURS)
    return [item for i, c in enumerate(CELL_COLOURS) for item in ([i / n, c], [(i + 1) / n, c])]


class Built(go.Figure):
    """A figure handed over as its finished dict: ``to_dict`` (what st.plotly_chart and plotly.io call) returns it
    as is, with no second validation and no deep copy of every frame."""

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._spec = spec  # plotly objects take only underscored attributes of their own

    def to_dict(self) -> dict:
        return self._spec


def cell_text(v: float) -> str:
    """A value in a grid cell: 2 decimals fit a cell on a phone (0.1111 did not); the formula under the grid has 4."""
    return number(v, 2)


def font_size(widths: Sequence[int], texts: Sequence[str], largest: int, lines: int = 1) -> int:
    """A font size at which the longest number fits its cell on a phone: the figure cannot know the screen's width,
    and on a desktop a smaller number is only smaller, while on a phone a wider one spills into its neighbours.
    lines: 2 where a cell also shows a small second line (×weight, +product).
    """
    cell = PHONE_PX * (1 - 0.06 * (len(widths) - 1)) / sum(widths)
    longest = max((len(t) for t in texts), default=1)
    tall = cell / (1.3 * (1 + 0.7 * (lines - 1)))
    return int(max(6, min(largest, cell / (0.62 * max(longest, 2)), tall)))


def cells(z: np.ndarray, text: list[list[str]], name: str, size: int = 15) -> dict:
    """A grid of coloured cells (z: the categories above) with their text."""
    return {"type": "heatmap", "z": np.asarray(z).tolist(), "text": text, "texttemplate": "%{text}",
            "textfont": {"size": size}, "colorscale": _scale(), "zmin": 0, "zmax": len(CELL_COLOURS), "showscale": False,
            "xgap": 2, "ygap": 2, "hoverinfo": "skip", "name": name}


@cache
def template() -> dict:
    """Plotly's default template as a dict, made once (it is what go.Figure would embed in every figure)."""
    return go.Figure().to_dict()["layout"]["template"]


def panels(titles: Sequence[str], widths: Sequence[int], spacing: float = 0.06) -> tuple[dict, list[dict]]:
    """Side-by-side panels as make_subplots lays them out (axes x, x2, … with their domains) and their titles."""
    share = (1 - spacing * (len(widths) - 1)) / sum(widths)
    axes, notes, left = {}, [], 0.0
    for k, (title, width) in enumerate(zip(titles, widths), start=1):
        suffix = "" if k == 1 else str(k)
        right = left + share * width
        axes[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, right]}
        axes[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        notes.append({"font": {"size": 16}, "showarrow": False, "text": title, "x": (left + right) / 2,
                      "xanchor": "center", "xref": "paper", "y": 1.0, "yanchor": "bottom", "yref": "paper"})
        left = right + spacing
    return axes, notes


def square_cells(axes: dict, widths: Sequence[int], tallest: int) -> None:
    """The same cell size in every panel, aligned at the top: each x axis scaled to its y axis."""
    for k, width in enumerate(widths, start=1):
        suffix = "" if k == 1 else str(k)
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, width - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[tallest - 0.5, -0.5])


JUMP = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}


def menus(labels: dict[str, str], step: int, n: int, duration_ms: int) -> list[dict]:
    """◀ Play Pause ▶ under the grids; each frame re-points ◀/▶ at its neighbours, so stepping needs no server."""
    play = {"frame": {"duration": duration_ms, "redraw": True}, "transition": {"duration": 0}, "fromcurrent": True}
    return [{"type": "buttons", "direction": "left", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
             "showactive": False, "pad": {"t": 14, "r": 6}, "buttons": [
                 {"label": labels["back"], "method": "animate", "args": [[str(max(step - 1, 0))], JUMP]},
                 {"label": labels["play"], "method": "animate", "args": [None, play]},
                 {"label": labels["pause"], "method": "animate", "args": [[None], JUMP]},
                 {"label": labels["forward"], "method": "animate", "args": [[str(min(step + 1, n - 1))], JUMP]},
             ]}]


def scrubber(labels: dict[str, str], n: int) -> dict:
    """The scrubber sits under the buttons, full width: beside them, on a 420 px phone, the buttons covered it."""
    return {"active": 0, "x": 0, "len": 1, "y": 0, "yanchor": "top", "pad": {"t": 46, "r": 10},
            "currentvalue": {"prefix": labels["step"] + " "},
            "steps": [{"label": str(k + 1), "method": "animate", "args": [[str(k)], JUMP]} for k in range(n)]}


def formula_note(text: str, size: int) -> dict:
    """The step's arithmetic written out under the buttons and the scrubber."""
    return {"text": text, "xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
            "yshift": -CONTROLS_PX, "showarrow": False, "font": {"size": size, "color": "#1f1f1f"}, "align": "left"}


def click_targets(rows: int, cols: int, axis: str, name: str, left: float = 0) -> dict:
    """Invisible markers on a grid's cells: Plotly heatmaps report no selection, markers do (st.plotly_chart
    on_select), so a click on a cell reaches the server as (name, row, column). left: the grid's first column on
    its x axis."""
    where = [(r, c) for r in range(rows) for c in range(cols)]
    invisible = {"marker": {"opacity": 0}}
    return {"type": "scatter", "mode": "markers", "x": [left + c for _, c in where], "y": [r for r, _ in where],
            "customdata": [[name, r, c] for r, c in where], "marker": {"size": 24, "symbol": "square", "opacity": 0},
            "selected": invisible, "unselected": invisible, "hoverinfo": "none", "showlegend": False,
            "xaxis": f"x{axis}", "yaxis": f"y{axis}"}


def outline(axis: str, where, colour: str, left: float = 0) -> list[dict]:
    """A box around each (row, column) cell; left: the grid's first column on its x axis."""
    return [{"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": left + c - 0.45, "x1": left + c + 0.45,
             "y0": r - 0.45, "y1": r + 0.45, "line": {"color": colour, "width": 3}} for r, c in where]
