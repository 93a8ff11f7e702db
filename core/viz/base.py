"""What every animated grid shares: cell colours, value text sized for a phone, panels side by side, the ◀ Play
Pause ▶ buttons and the scrubber, invisible click targets, and a figure handed over as its finished dict."""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import plotly.graph_objects as go

from core.basics.ops import number

# Cell categories of the sliding-window grid, drawn with a discrete colour scale. SKIPPED: a cell inside a dilated
# window that it does not read (a dilation gap), a pale tint of the read colour: the window is one block with holes.
INPUT, PADDING, OUTSIDE, READ, EMPTY, DONE, CURRENT, SKIPPED = range(8)
CELL_COLOURS = ["#e8f1fb", "#dcdcdc", "#fbe3e3", "#ffc857", "#f4f4f4", "#d5ecd4", "#58b368", "#fff1d4"]
KIND_CODE = {"input": INPUT, "padding": PADDING, "outside": OUTSIDE}
CONTROLS_PX = 140  # under the grids: the ◀ ▶ Play Pause buttons, then the scrubber, then the formula
PHONE_PX = 380  # the plot's width on a 420 px phone
DESKTOP_PX = 920  # the plot's width in the main column of a 1400 px screen (wide layout, sidebar open)
MARGIN_PX = 20  # a strip figure's left and right margins together
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


def cell_text(v: float, digits: int = 2, short: bool = False) -> str:
    """A value in a grid cell: 2 decimals fit a cell on a phone (0.1111 did not); the formula under the grid has 4.
    short: without the leading zero (.02, -.5), for cells too narrow for 0.02."""
    if digits == 0 and np.isfinite(v):
        return str(int(round(v)))  # "-0.4" rounds to 0, not "-0" (or "-" once number() strips its zeros)
    text = number(v, digits)
    return text.replace("0.", ".", 1) if short and text.lstrip("-").startswith("0.") else text


# A character's width in font sizes, as DejaVu Sans draws it (what Chromium on Linux falls back to for Plotly's
# "Open Sans"; wider than Roboto or Helvetica on phones, so what fits here fits there).
CHAR_EM = {".": 0.32, "-": 0.36, "×": 0.84, "−": 0.84, "∞": 0.84}
FLOOR_PX = 6  # the smallest font a grid uses
FORMATS = ((2, False), (2, True), (1, True), (0, False))  # (decimals, short), from the most precise


def text_em(text: str) -> float:
    """A number's width in font sizes."""
    return sum(CHAR_EM.get(ch, 0.64) for ch in text)


@dataclass(frozen=True)
class Fit:
    """How a grid writes its numbers: the font size, and decimals as few as a phone's cell needs."""

    font: int
    digits: int = 2
    short: bool = False

    def text(self, v: float) -> str:
        return cell_text(v, self.digits, self.short)


def fit(values: Sequence[float], cell: float, largest: int, weights: Sequence[float] = (),
        floor: int = FLOOR_PX) -> Fit | None:
    """The most precise format (FORMATS) at which the widest of ``values`` fits a ``cell`` px wide at a font of at
    least ``floor``, and its font; None where none does. weights: also a second line ×weight at 70 % of the font."""
    tall = cell / (1.3 * (1.7 if weights else 1))
    for digits, short in FORMATS:
        font = int(min(largest, cell / _widest(values, Fit(floor, digits, short), weights), tall))
        if font >= floor:
            return Fit(font, digits, short)
    return None


def squeeze(values: Sequence[float], cell: float) -> Fit:
    """Whole numbers in a font small enough that the widest fits (below FLOOR_PX): for numbers too long for any
    format at FLOOR_PX (-15 in a 12 px cell), smaller is better than spilling into the neighbours."""
    return Fit(max(1, int(cell / _widest(values, Fit(FLOOR_PX, 0)))), 0)


def _widest(values: Sequence[float], write: Fit, weights: Sequence[float] = ()) -> float:
    """The widest number in font sizes (at least 1.2, two digits' worth), the ×weight line at 70 %."""
    return max([1.2, *(text_em(write.text(v)) for v in values), *(0.7 * text_em("×" + write.text(w)) for w in weights)])


def font_size(widths: Sequence[int], texts: Sequence[str], largest: int, lines: int = 1, gaps: float | None = None) -> int:
    """A font size at which the longest number fits its cell on a phone: the figure cannot know the screen's width,
    and on a desktop a smaller number is only smaller, while on a phone a wider one spills into its neighbours.
    lines: 2 where a cell also shows a small second line (×weight, +product).
    gaps: the room between panels in cells, where they share one axis (else 6 % of the width between panels).
    """
    if gaps is None:
        cell = PHONE_PX * (1 - 0.06 * (len(widths) - 1)) / sum(widths)
    else:
        cell = PHONE_PX / (sum(widths) + gaps)
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


GAP = 1.5  # cells between two panels of a strip


def em(text: str) -> float:
    """A title's or caption's width in font sizes: a Chinese character is about one, a Latin letter about half of
    one; a character of ambiguous width (→, ×) counts as one, as a Chinese font draws it."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def strip(titles: Sequence[str], widths: Sequence[int], tallest: int, gap: float = GAP) -> tuple[dict, list[dict], list[float]]:
    """Panels side by side on one pair of axes, each from its own first column (the returned lefts), cells square.

    One axis, not one per panel: a line from a cell of one panel to a cell of another is then drawn in data units
    and lands on the same cells at every screen width (separate axes centre each panel in its slot, so the distance
    between two panels, in cells, would depend on the width). A title too wide for its panel on a phone goes on two
    lines at its parenthesis, and an outer panel's title too wide still is aligned with the figure's outer edge
    instead of overflowing it.
    """
    lefts, x = [], 0.0
    for width in widths:
        lefts.append(x)
        x += width + gap
    total = x - gap
    axes = {"xaxis": {"visible": False, "range": [-0.5, total - 0.5], "scaleanchor": "y", "constrain": "domain"},
            "yaxis": {"visible": False, "range": [tallest - 0.5, -0.5]}}
    cell_px, notes = PHONE_PX / total, []
    for k, (title, left, width) in enumerate(zip(titles, lefts, widths)):
        room = (width + gap) * cell_px  # a title may reach halfway into the gaps on either side
        head, paren, rest = title.partition(" (") if " (" in title else title.partition("（")
        if em(title) * 16 > room and paren:  # "Input (grey = padding)" on two lines
            title = f"{head}<br>{paren.strip()}{rest}"
        x, anchor = left + (width - 1) / 2, "center"
        if max(em(line) for line in title.split("<br>")) * 16 > 0.75 * width * cell_px and k in (0, len(widths) - 1):
            x, anchor = (left - 0.5, "left") if k == 0 else (left + width - 0.5, "right")
        notes.append({"font": {"size": 16}, "showarrow": False, "text": title, "x": x, "xanchor": anchor, "xref": "x",
                      "y": -0.5, "yanchor": "bottom", "yref": "y"})
    return axes, notes, lefts


def grids_px(rows: float, columns: float, width_px: int, most: int = 46) -> int:
    """The height of ``rows`` grid cells in a figure ``width_px`` wide whose widest line of panels is ``columns``.

    Cells are square (the x axis is anchored to y): on a narrow screen the width sets their size, and a figure
    whose height still counted desktop cells (``most`` px) showed its grids between two blank bands, ~100 px
    each on a phone. A wider screen than ``width_px`` only leaves room at the sides.
    """
    return round(rows * min(most, (width_px - MARGIN_PX) / columns))


def link(*points: tuple[float, float] | None, shown: bool = True) -> list[dict]:
    """An arrow in the window's colour along ``points`` on a strip's axes, from what is read to what it makes.

    A None between two points is a panel the arrow passes behind (the kernel: window × kernel → output), entering
    at one edge and leaving at the other, so no number in it is crossed out; callers run the first leg along a line
    between rows or columns to the edge of the grid for the same reason. Annotations, because shapes have no
    arrowheads; frames animate them like the formula. One annotation per leg, even an empty one (a window at the
    grid's edge) or a hidden one (shown=False): every frame keeps the same count, or Plotly redraws them out of
    order and the formula is no longer the last.
    """
    legs = [(a, b) for a, b in zip(points, points[1:]) if a is not None and b is not None]
    return [{"x": head[0], "y": head[1], "ax": tail[0], "ay": tail[1], "xref": "x", "yref": "y", "axref": "x",
             "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2 if k == len(legs) - 1 else 0, "arrowsize": 1.2,
             "arrowwidth": 2.5, "arrowcolor": WINDOW, "standoff": 0, "startstandoff": 0,
             "visible": shown and head != tail}
            for k, (tail, head) in enumerate(legs)]


def between(first: int, span: int) -> float:
    """The line between two rows (or columns) nearest the middle of ``span`` cells from ``first``: an arrow that
    leaves a window there runs between numbers, not through them."""
    return first - 0.5 + (span + 1) // 2


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
