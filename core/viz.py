"""Plotly figure builders. Labels come in already translated; nothing here knows the language."""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.multichannel import MultiTrace
from core.ops import Trace, number, window_formula
from core.transposed import TransposeTrace, step_formula

# Cell categories of the sliding-window grid, drawn with a discrete colour scale.
INPUT, PADDING, OUTSIDE, READ, EMPTY, DONE, CURRENT = range(7)
_CELL_COLOURS = ["#e8f1fb", "#dcdcdc", "#fbe3e3", "#ffc857", "#f4f4f4", "#d5ecd4", "#58b368"]
_KIND_CODE = {"input": INPUT, "padding": PADDING, "outside": OUTSIDE}
CONTROLS_PX = 140  # under the grids: the ◀ ▶ Play Pause buttons, then the scrubber, then the formula


def _scale() -> list[list]:
    n = len(_CELL_COLOURS)
    return [item for i, c in enumerate(_CELL_COLOURS) for item in ([i / n, c], [(i + 1) / n, c])]


class Built(go.Figure):
    """A figure handed over as its finished dict: ``to_dict`` (what st.plotly_chart and plotly.io call) returns it
    as is, with no second validation and no deep copy of every frame."""

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._spec = spec  # plotly objects take only underscored attributes of their own

    def to_dict(self) -> dict:
        return self._spec


def _cell(v: float) -> str:
    """A value in a grid cell: 2 decimals fit a cell on a phone (0.1111 did not); the formula under the grid has 4."""
    return number(v, 2)


PHONE_PX = 380  # the plot's width on a 420 px phone


def _font(widths: Sequence[int], texts: Sequence[str], largest: int, lines: int = 1) -> int:
    """A font size at which the longest number fits its cell on a phone: the figure cannot know the screen's width,
    and on a desktop a smaller number is only smaller, while on a phone a wider one spills into its neighbours.
    lines: 2 where a cell also shows a small second line (×weight, +product)."""
    cell = PHONE_PX * (1 - 0.06 * (len(widths) - 1)) / sum(widths)
    longest = max((len(t) for t in texts), default=1)
    tall = cell / (1.3 * (1 + 0.7 * (lines - 1)))
    return int(max(6, min(largest, cell / (0.62 * max(longest, 2)), tall)))


def _cells(z: np.ndarray, text: list[list[str]], name: str, size: int = 15) -> dict:
    return {"type": "heatmap", "z": np.asarray(z).tolist(), "text": text, "texttemplate": "%{text}",
            "textfont": {"size": size}, "colorscale": _scale(), "zmin": 0, "zmax": len(_CELL_COLOURS), "showscale": False,
            "xgap": 2, "ygap": 2, "hoverinfo": "skip", "name": name}


@cache
def _template() -> dict:
    """Plotly's default template as a dict, made once (it is what go.Figure would embed in every figure)."""
    return go.Figure().to_dict()["layout"]["template"]


def _panels(titles: Sequence[str], widths: Sequence[int], spacing: float = 0.06) -> tuple[dict, list[dict]]:
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


def _wrap(formula: str, per_line: int = 9) -> str:
    """Long sums on several lines: a 7×7 kernel has 49 terms."""
    head, _, tail = formula.rpartition(" = ")
    separator = " + " if " + " in head else ", "
    terms = head.split(separator)
    lines = [separator.join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return (separator.strip() + "<br>").join(lines) + f" = <b>{tail}</b>"


_JUMP = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}


def _menus(labels: dict[str, str], step: int, n: int, duration_ms: int) -> list[dict]:
    """◀ Play Pause ▶ under the grids; each frame re-points ◀/▶ at its neighbours, so stepping needs no server."""
    play = {"frame": {"duration": duration_ms, "redraw": True}, "transition": {"duration": 0}, "fromcurrent": True}
    return [{"type": "buttons", "direction": "left", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
             "showactive": False, "pad": {"t": 14, "r": 6}, "buttons": [
                 {"label": labels["back"], "method": "animate", "args": [[str(max(step - 1, 0))], _JUMP]},
                 {"label": labels["play"], "method": "animate", "args": [None, play]},
                 {"label": labels["pause"], "method": "animate", "args": [[None], _JUMP]},
                 {"label": labels["forward"], "method": "animate", "args": [[str(min(step + 1, n - 1))], _JUMP]},
             ]}]


def _scrubber(labels: dict[str, str], n: int) -> dict:
    """The scrubber sits under the buttons, full width: beside them, on a 420 px phone, the buttons covered it."""
    return {"active": 0, "x": 0, "len": 1, "y": 0, "yanchor": "top", "pad": {"t": 46, "r": 10},
            "currentvalue": {"prefix": labels["step"] + " "},
            "steps": [{"label": str(k + 1), "method": "animate", "args": [[str(k)], _JUMP]} for k in range(n)]}


def _click_targets(rows: int, cols: int, axis: str, name: str) -> dict:
    """Invisible markers on a grid's cells: Plotly heatmaps report no selection, markers do (st.plotly_chart
    on_select), so a click on a cell reaches the server as (name, row, column)."""
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    invisible = {"marker": {"opacity": 0}}
    return {"type": "scatter", "mode": "markers", "x": [c for _, c in cells], "y": [r for r, _ in cells],
            "customdata": [[name, r, c] for r, c in cells], "marker": {"size": 24, "symbol": "square", "opacity": 0},
            "selected": invisible, "unselected": invisible, "hoverinfo": "none", "showlegend": False,
            "xaxis": f"x{axis}", "yaxis": f"y{axis}"}


def _outline(axis: str, cells, colour: str) -> list[dict]:
    return [{"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": c - 0.45, "x1": c + 0.45, "y0": r - 0.45,
             "y1": r + 0.45, "line": {"color": colour, "width": 3}} for r, c in cells]


PICKED = "#1f5fbf"  # an input cell clicked, and the outputs whose windows read it


def window_animation(trace: Trace, labels: dict[str, str], duration_ms: int = 700, start: int = 0,
                     picked: tuple[int, int] | None = None) -> Built:
    """The window sliding over the padded input, one Plotly frame per output cell.

    Everything runs in the browser: Play/Pause, the scrubber, and the step
    buttons (each frame re-points ◀/▶ at its neighbours, so no server round trip).
    Inside the window each cell shows its value and, in small type, the kernel weight it is multiplied by.
    start: the step shown first (a clicked output cell's window). picked: a grid cell clicked, outlined blue with
    every output cell whose window reads it. Clicks come back through invisible markers (``_click_targets``).
    labels: input, kernel, output, play, pause, step, back, forward.
    """
    rows, cols = trace.grid.shape
    kinds = np.array([[_KIND_CODE[trace.cell_kind(r, c)] for c in range(cols)] for r in range(rows)], dtype=float)
    grid_text = [["" if np.isnan(v) else _cell(v) for v in row] for row in trace.grid]
    out_h, out_w = trace.output.shape
    has_kernel = trace.windows[0].weights is not None
    titles = [labels["input"], labels["kernel"], labels["output"]] if has_kernel else [labels["input"], labels["output"]]
    widths = [cols, trace.kernel[1], out_w] if has_kernel else [cols, out_w]
    axes, title_notes = _panels(titles, widths)  # frames that set annotations must keep these titles
    out_col = len(titles)
    values = [t for row in grid_text for t in row] + [_cell(v) for v in trace.output.ravel()]
    if has_kernel:
        values += [_cell(v) for v in trace.windows[0].weights]
    weights_fit = has_kernel and sum(widths) <= 20  # a second line in a cell: only where cells are not tiny
    font = _font(widths, values, 13, lines=2 if weights_fit else 1)
    data = []
    if has_kernel:
        kernel = np.array(trace.windows[0].weights).reshape(trace.kernel)
        data.append(_cells(np.full(trace.kernel, float(READ)), [[_cell(v) for v in r] for r in kernel], "kernel", font)
                    | {"xaxis": "x2", "yaxis": "y2"})

    def input_text(step: int) -> list[list[str]]:
        text = [row[:] for row in grid_text]
        if weights_fit:
            window = trace.windows[step]
            for (r, c), w in zip(window.cells, window.weights):
                text[r][c] += f"<br><span style='font-size:70%'>×{_cell(w)}</span>"
        return text

    def state(step: int) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        grid = kinds.copy()
        for r, c in trace.windows[step].cells:
            grid[r, c] = READ
        out = np.full((out_h, out_w), float(EMPTY))
        text = [[""] * out_w for _ in range(out_h)]
        for done in trace.windows[: step + 1]:
            out[done.out] = DONE
            text[done.out[0]][done.out[1]] = _cell(done.value)
        out[trace.windows[step].out] = CURRENT
        return grid, out, text

    def window_box(step: int) -> list[dict]:
        w = trace.windows[step]
        span_r, span_c = (trace.dilation * (k - 1) + 1 for k in trace.kernel)
        (r0, c0), (i, j) = w.origin, w.out
        box = {"type": "rect", "xref": "x", "yref": "y", "x0": c0 - 0.5, "x1": c0 + span_c - 0.5,
               "y0": r0 - 0.5, "y1": r0 + span_r - 0.5, "line": {"color": "#e07a00", "width": 3,
               "dash": "dash" if w.partial else "solid"}}
        axis = "" if out_col == 1 else str(out_col)
        target = {"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": j - 0.5, "x1": j + 0.5,
                  "y0": i - 0.5, "y1": i + 0.5, "line": {"color": "#2d7a35", "width": 3}}
        return [box, target]

    def formula(step: int) -> list[dict]:
        return [{"text": _wrap(window_formula(trace.windows[step])), "xref": "paper", "yref": "paper", "x": 0,
                 "xanchor": "left", "y": 0, "yanchor": "top", "yshift": -CONTROLS_PX, "showarrow": False,
                 "font": {"size": 16, "color": "#1f1f1f"}, "align": "left"}]

    n = len(trace.windows)

    def menus(step: int) -> list[dict]:
        return _menus(labels, step, n, duration_ms)

    start = min(max(start, 0), n - 1)
    grid0, out0, text0 = state(start)
    suffix = "" if out_col == 1 else str(out_col)
    data += [_cells(grid0, input_text(start), "input", font) | {"xaxis": "x", "yaxis": "y"},
             _cells(out0, text0, "output", font) | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}]
    input_index, output_index = len(data) - 2, len(data) - 1
    data += [_click_targets(rows, cols, "", "input"), _click_targets(out_h, out_w, suffix, "output")]
    highlight = []
    if picked is not None:
        users = [w.out for w in trace.windows if picked in w.cells]
        highlight = _outline("", [picked], PICKED) + _outline(suffix, users, PICKED)
    lines = max(_wrap(window_formula(w)).count("<br>") + 1 for w in trace.windows)
    bottom = CONTROLS_PX + 4 + 22 * lines
    tallest = max(rows, out_h, trace.kernel[0] if has_kernel else 0)
    for k, width in enumerate(widths, start=1):  # the same cell size in every panel, aligned at the top
        suffix = "" if k == 1 else str(k)
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, width - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[tallest - 0.5, -0.5])
    slider = _scrubber(labels, n) | {"active": start}
    layout = {"template": _template(), **axes, "height": max(rows, out_h) * 46 + 40 + bottom,
              "margin": {"l": 10, "r": 10, "t": 40, "b": bottom}, "plot_bgcolor": "white",
              "shapes": window_box(start) + highlight, "annotations": title_notes + formula(start),
              "updatemenus": menus(start), "sliders": [slider], "dragmode": False, "clickmode": "event+select"}
    # Plain dicts, not Plotly objects: validating one frame per output cell took most of a slider change's rerun.
    frames = []
    for step in range(n):
        grid, out, text = state(step)
        frames.append({"name": str(step), "traces": [input_index, output_index],
                       "data": [{"type": "heatmap", "z": grid.tolist(), "text": input_text(step)},
                                {"type": "heatmap", "z": out.tolist(), "text": text}],
                       "layout": {"shapes": window_box(step), "annotations": title_notes + formula(step),
                                  "updatemenus": menus(step)}})
    spec = {"data": data, "layout": layout, "frames": frames}
    return Built(spec)



def feature_grid(maps: Sequence[np.ndarray], titles: Sequence[str], columns: int = 3, cell_px: int = 190) -> go.Figure:
    """Feature maps side by side in grey, each scaled to its own min → black, max → white; hover shows the value.

    The maps may differ in size (an input channel beside its smaller convolution);
    an (H, W, 3) uint8 array is drawn as a colour image.
    """
    n = len(maps)
    rows = -(-n // columns)
    height = rows * (cell_px + 34)
    fig = make_subplots(rows, columns, subplot_titles=list(titles), horizontal_spacing=0.02,
                        vertical_spacing=34 / height if rows > 1 else 0)
    for i, m in enumerate(maps):
        if np.ndim(m) == 3:
            trace = go.Image(z=m, hovertemplate="(%{y}, %{x}): %{z}<extra></extra>")
        else:
            trace = go.Heatmap(z=m, colorscale="gray", showscale=False,
                               hovertemplate="(%{y}, %{x}): %{z:.4f}<extra></extra>")
        fig.add_trace(trace, i // columns + 1, i % columns + 1)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for i in range(1, n + 1):
        fig.update_xaxes(scaleanchor=f"y{'' if i == 1 else i}", row=(i - 1) // columns + 1, col=(i - 1) % columns + 1)
    fig.update_layout(height=height + 10, margin={"l": 0, "r": 0, "t": 30, "b": 0})
    return fig


def matrices(values: Sequence[np.ndarray], titles: Sequence[str]) -> go.Figure:
    """Small matrices side by side, drawn like the animation's cells, with their numbers."""
    values = [np.atleast_2d(np.asarray(v, dtype=float)) for v in values]
    tallest = max(v.shape[0] for v in values)
    widths = [v.shape[1] for v in values]
    fig = make_subplots(1, len(values), subplot_titles=list(titles), column_widths=widths, horizontal_spacing=0.08)
    for k, v in enumerate(values, start=1):
        fig.add_trace(_cells(np.full(v.shape, float(DONE)), [[number(x) for x in row] for row in v], titles[k - 1]), 1, k)
        fig.update_xaxes(visible=False, range=[-0.5, v.shape[1] - 0.5], scaleanchor=f"y{'' if k == 1 else k}",
                         constrain="domain", row=1, col=k)
        fig.update_yaxes(visible=False, range=[tallest - 0.5, -0.5], constrain="domain", row=1, col=k)
    fig.update_layout(height=tallest * 56 + 60, margin={"l": 10, "r": 10, "t": 30, "b": 10}, plot_bgcolor="white")
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


_RGB = ("#d62728", "#2ca02c", "#1f77b4")


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


def image_with_boxes(image: np.ndarray, boxes: Sequence[tuple[int, int, int, int]], height: int = 420) -> go.Figure:
    """An RGB image with numbered rectangles (top, left, h, w): where each random crop was taken."""
    fig = go.Figure(go.Image(z=image, hoverinfo="skip"))
    colours = [f"hsl({(k * 67) % 360}, 80%, 45%)" for k in range(1, len(boxes) + 1)]
    fig.update_layout(
        shapes=[{"type": "rect", "x0": left - 0.5, "x1": left + w - 0.5, "y0": top - 0.5, "y1": top + h - 0.5,
                 "line": {"color": colour, "width": 2}} for (top, left, h, w), colour in zip(boxes, colours)],
        annotations=[{"x": left + 2, "y": top + 2, "text": str(k), "showarrow": False, "xanchor": "left",
                      "yanchor": "top", "font": {"color": "white", "size": 13}, "bgcolor": colour}
                     for k, ((top, left, _, _), colour) in enumerate(zip(boxes, colours), start=1)])
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def image_batch(images: np.ndarray, captions: Sequence[str], columns: int = 8, tile: int = 96) -> go.Figure:
    """A batch as one picture, tiles in rows of ``columns`` with a caption under each (like make_grid).

    The picture travels as one PNG (not a 100,000-number array), so a batch of
    64 draws quickly; captions are annotations, so Chinese class names render.
    """
    import base64
    import io

    from PIL import Image

    n = len(images)
    rows = -(-n // columns)
    gap, caption = 4, 18
    canvas = np.full((rows * (tile + caption + gap), columns * (tile + gap), 3), 255, dtype=np.uint8)
    for k, img in enumerate(images):
        r, c = divmod(k, columns)
        scaled = np.asarray(Image.fromarray(img).resize((tile, tile), Image.Resampling.NEAREST))
        y, x = r * (tile + caption + gap), c * (tile + gap)
        canvas[y:y + tile, x:x + tile] = scaled
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "PNG", compress_level=1)  # 2× faster to encode, 13 % bigger
    source = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    fig = go.Figure(go.Image(source=source, hoverinfo="skip"))
    notes = [{"x": c * (tile + gap) + tile / 2, "y": r * (tile + caption + gap) + tile + caption / 2, "text": text,
              "showarrow": False, "font": {"size": 11}}
             for (r, c), text in ((divmod(k, columns), text) for k, text in enumerate(captions))]
    fig.update_layout(annotations=notes)  # one layout update: 64 add_annotation calls take half a second
    fig.update_xaxes(visible=False, range=[-0.5, canvas.shape[1] - 0.5])
    fig.update_yaxes(visible=False, range=[canvas.shape[0] - 0.5, -0.5], scaleanchor="x")
    fig.update_layout(height=int(canvas.shape[0] * 0.95) + 10, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def architecture(stages: Sequence[tuple[str, tuple[int, ...]]], height: int = 300) -> go.Figure:
    """The network as blocks: each feature map's height grows with its size, its width with its channels.

    stages: (the layer that made it, its shape without the batch), the input first.
    """
    shapes, notes, x = [], [], 0.0
    for k, (layer, shape) in enumerate(stages):
        if len(shape) == 3:
            c, h, w = shape
            block_h, block_w, label = 40 + 5 * h, 6 + 4 * math.log2(c + 1), f"{c}@<br>{h}×{w}"  # 2 lines fit a phone
        else:
            (n,) = shape
            block_h, block_w, label = 30 + 18 * math.log2(n + 1), 6, str(n)
        colour = "#9db4d3" if len(shape) == 3 else "#58b368"
        shapes.append({"type": "rect", "x0": x, "x1": x + block_w, "y0": -block_h / 2, "y1": block_h / 2,
                       "fillcolor": colour, "line": {"color": "#4a6b94", "width": 1}})
        notes.append({"x": x + block_w / 2, "y": -122, "text": label, "showarrow": False, "font": {"size": 10}})
        if k:
            notes.append({"x": x - 14, "y": 118, "text": layer, "showarrow": False, "font": {"size": 10, "color": "#555"},
                          "textangle": -35})
        x += block_w + 34
    fig = go.Figure()
    fig.update_layout(shapes=shapes, annotations=notes, height=height, plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    fig.update_xaxes(visible=False, range=[-10, x])
    fig.update_yaxes(visible=False, range=[-145, 150])
    return fig


def _thin(xs: list[float], ys: list[float], most: int = 1500) -> tuple[list[float], list[float]]:
    """At most ``most`` points, each the mean of a run of steps: a 7,800-step curve redrawn every second stays light."""
    if len(xs) <= most:
        return xs, ys
    size = -(-len(xs) // most)
    return ([xs[min(i + size - 1, len(xs) - 1)] for i in range(0, len(xs), size)],
            [sum(ys[i:i + size]) / len(ys[i:i + size]) for i in range(0, len(ys), size)])


def training_curves(runs: dict[str, tuple[list[dict], list[dict]]], titles: Sequence[str], height: int = 330) -> go.Figure:
    """Train loss per step, test loss and accuracy per epoch, images/s per epoch; one colour per run.

    runs: name -> (steps [{step, loss}], metrics [{epoch, test_loss, test_acc, images_per_s}]).
    """
    fig = make_subplots(1, 4, subplot_titles=list(titles), horizontal_spacing=0.06)
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for k, (name, (steps, metrics)) in enumerate(runs.items()):
        colour = palette[k % len(palette)]
        x, y = _thin([s["step"] for s in steps], [s["loss"] for s in steps])
        epochs = [m["epoch"] for m in metrics]
        style = {"legendgroup": name, "line": {"color": colour}}
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, **style), 1, 1)
        fig.add_trace(go.Scatter(x=epochs, y=[m["test_loss"] for m in metrics], mode="lines+markers", name=name,
                                 showlegend=False, **style), 1, 2)
        fig.add_trace(go.Scatter(x=epochs, y=[m["test_acc"] for m in metrics], mode="lines+markers", name=name,
                                 showlegend=False, **style), 1, 3)
        fig.add_trace(go.Scatter(x=epochs, y=[m["images_per_s"] for m in metrics], mode="lines+markers", name=name,
                                 showlegend=False, **style), 1, 4)
    fig.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=3)
    fig.update_xaxes(title_text="step", row=1, col=1)
    for col in (2, 3, 4):
        fig.update_xaxes(title_text="epoch", tickformat="d", row=1, col=col)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def gray_tiles(maps: np.ndarray) -> np.ndarray:
    """Feature maps [C, H, W] as grey RGB tiles [C, H, W, 3], each scaled to its own min → black, max → white."""
    maps = np.asarray(maps, dtype=np.float32)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = np.maximum(maps.max(axis=(1, 2), keepdims=True) - low, 1e-8)
    grey = ((maps - low) / span * 255 + 0.5).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=3)


def kernel_tiles(weight: np.ndarray) -> np.ndarray:
    """First-layer kernels [N, 3, k, k] as small colour pictures, all on one scale so they compare."""
    w = np.asarray(weight, dtype=np.float32)
    scale = max(float(np.abs(w).max()), 1e-8)
    return ((w / scale * 0.5 + 0.5) * 255 + 0.5).clip(0, 255).astype(np.uint8).transpose(0, 2, 3, 1)


def confusion(matrix: Sequence[Sequence[int]], labels: Sequence[str], x_title: str, y_title: str) -> go.Figure:
    """Rows: true class, columns: predicted; the diagonal is what the model gets right."""
    m = np.asarray(matrix)
    fig = go.Figure(go.Heatmap(z=m, x=list(labels), y=list(labels), colorscale="Blues", text=m,
                               texttemplate="%{text}", hovertemplate="%{y} → %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text=y_title)
    fig.update_xaxes(title_text=x_title, side="top")
    fig.update_layout(height=480, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def scatter_animation(trace: TransposeTrace, labels: dict[str, str], duration_ms: int = 700) -> Built:
    """F.conv_transpose2d as one frame per input cell: the cell (orange) times the kernel is added into the output.

    Output cells this step adds to are orange, cells added to before are green, and every
    touched cell shows its running sum; the line under the grids writes out the step's additions.
    labels: input, kernel, output, play, pause, step, back, forward.
    """
    h, w = trace.x.shape
    kh, kw = trace.weight.shape
    out_h, out_w = trace.output.shape
    widths = [w, kw, out_w]
    axes, title_notes = _panels([labels["input"], labels["kernel"], labels["output"]], widths)
    sums = [_cell(v) for s in trace.steps for v in s.after.ravel()]
    font = _font(widths, [*sums, *(_cell(v) for v in trace.weight.ravel())], 12, lines=2)
    x_text = [[_cell(v) for v in row] for row in trace.x]
    data = [_cells(np.full(trace.weight.shape, float(READ)), [[_cell(v) for v in r] for r in trace.weight], "kernel",
                   font) | {"xaxis": "x2", "yaxis": "y2"}]

    def state(step: int) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        grid = np.full((h, w), float(INPUT))
        grid.ravel()[:step] = DONE
        grid[trace.steps[step].source] = READ
        out, text = np.full((out_h, out_w), float(EMPTY)), [[""] * out_w for _ in range(out_h)]
        for done in trace.steps[:step]:
            for r, c in done.targets:
                out[r, c] = DONE
        for r, c in trace.steps[step].targets:
            out[r, c] = READ
        after = trace.steps[step].after
        for r, c in zip(*np.nonzero(out != EMPTY)):
            text[r][c] = _cell(after[r, c])
        for (r, c), product in zip(trace.steps[step].targets, trace.steps[step].products):  # what this step adds
            text[r][c] += f"<br><span style='font-size:70%'>+{_cell(product)}</span>"
        return grid, out, text

    def boxes(step: int) -> list[dict]:
        i, j = trace.steps[step].source
        source = {"type": "rect", "xref": "x", "yref": "y", "x0": j - 0.5, "x1": j + 0.5, "y0": i - 0.5,
                  "y1": i + 0.5, "line": {"color": "#e07a00", "width": 3}}
        r0, c0 = i * trace.stride - trace.padding, j * trace.stride - trace.padding
        r1, c1 = r0 + trace.dilation * (kh - 1), c0 + trace.dilation * (kw - 1)
        cropped = r0 < 0 or c0 < 0 or r1 >= out_h or c1 >= out_w
        target = {"type": "rect", "xref": "x3", "yref": "y3", "x0": max(c0, 0) - 0.5, "x1": min(c1, out_w - 1) + 0.5,
                  "y0": max(r0, 0) - 0.5, "y1": min(r1, out_h - 1) + 0.5,
                  "line": {"color": "#e07a00", "width": 3, "dash": "dash" if cropped else "solid"}}
        return [source, target] if trace.steps[step].targets else [source]

    def formula(step: int) -> list[dict]:
        text = _wrap_adds(step_formula(trace.steps[step]))
        return [{"text": text, "xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
                 "yshift": -CONTROLS_PX, "showarrow": False, "font": {"size": 15, "color": "#1f1f1f"}, "align": "left"}]

    n = len(trace.steps)
    grid0, out0, text0 = state(0)
    data += [_cells(grid0, x_text, "input", font) | {"xaxis": "x", "yaxis": "y"},
             _cells(out0, text0, "output", font) | {"xaxis": "x3", "yaxis": "y3"}]
    lines = max(_wrap_adds(step_formula(s)).count("<br>") + 1 for s in trace.steps)
    bottom = CONTROLS_PX + 4 + 21 * lines
    tallest = max(h, kh, out_h)
    for k, width in enumerate(widths, start=1):
        suffix = "" if k == 1 else str(k)
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, width - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[tallest - 0.5, -0.5])
    layout = {"template": _template(), **axes, "height": tallest * 46 + 40 + bottom,
              "margin": {"l": 10, "r": 10, "t": 40, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": title_notes + formula(0), "updatemenus": _menus(labels, 0, n, duration_ms),
              "sliders": [_scrubber(labels, n)]}
    frames = []
    for step in range(n):
        grid, out, text = state(step)
        frames.append({"name": str(step), "traces": [1, 2],
                       "data": [{"type": "heatmap", "z": grid.tolist()},
                                {"type": "heatmap", "z": out.tolist(), "text": text}],
                       "layout": {"shapes": boxes(step), "annotations": title_notes + formula(step),
                                  "updatemenus": _menus(labels, step, n, duration_ms)}})
    return Built({"data": data, "layout": layout, "frames": frames})


def _wrap_adds(formula: str, per_line: int = 3) -> str:
    """A step's additions three to a line: a 7×7 kernel adds into 49 cells, and a phone is 420 px wide."""
    head, _, adds = formula.partition(": ")
    terms = adds.split(", ")
    lines = [", ".join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return f"<b>{head}</b><br>" + "<br>".join(lines)


def channels_animation(trace: MultiTrace, labels: dict[str, str], duration_ms: int = 700) -> Built:
    """A multi-channel F.conv2d, one frame per output cell: the three channel windows slide together (each cell
    with its value and, small, the weight of the current output channel's slice), their partial sums and the bias
    written out under the grids, the output channels filling in below the inputs.

    labels: channel (with {c}), out_channel (with {i}), bias, play, pause, step, back, forward.
    """
    c_in, rows, cols = trace.grid.shape
    c_out, out_h, out_w = trace.output.shape
    kh, kw = trace.weight.shape[-2:]
    top, bottom_row = 0.56, 0.44  # inputs above, outputs below, as a paper is read
    axes, notes = {}, []
    for k in range(c_in + c_out):
        above = k < c_in
        count, slot = (c_in, k) if above else (c_out, k - c_in)
        width = 1 / count
        left, right = slot * width + 0.02, (slot + 1) * width - 0.02
        domain_y = [top, 1.0] if above else [0.0, bottom_row]
        suffix = "" if k == 0 else str(k + 1)
        span = (cols if above else out_w) - 0.5
        axes[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, right], "visible": False,
                                  "range": [-0.5, span], "scaleanchor": f"y{suffix}", "constrain": "domain"}
        axes[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": domain_y, "visible": False,
                                  "range": [(rows if above else out_h) - 0.5, -0.5]}
        title = labels["channel"].format(c="RGB"[k] if c_in == 3 else k) if above else labels["out_channel"].format(i=slot)
        notes.append({"font": {"size": 14}, "showarrow": False, "text": title, "x": (left + right) / 2,
                      "xanchor": "center", "xref": "paper", "y": domain_y[1], "yanchor": "bottom", "yref": "paper"})
    font = _font([cols] * c_in, [_cell(v) for v in trace.grid.ravel()], 12, lines=2)
    out_font = _font([out_w] * c_out, [_cell(v) for v in trace.output.ravel()], 12)
    base = [[[_cell(v) for v in row] for row in channel] for channel in trace.grid]
    positions = [(a * trace.dilation, b * trace.dilation) for a in range(kh) for b in range(kw)]

    def inputs(step: int) -> list[tuple[np.ndarray, list[list[str]]]]:
        s = trace.steps[step]
        result = []
        for c in range(c_in):
            kind = np.full((rows, cols), float(INPUT))
            kind[: trace.padding, :] = kind[rows - trace.padding :, :] = PADDING
            kind[:, : trace.padding] = kind[:, cols - trace.padding :] = PADDING
            text = [row[:] for row in base[c]]
            if c in s.in_channels:
                w = trace.weight[s.out_channel, c - s.in_channels[0]].ravel()
                for (a, b), weight in zip(positions, w):
                    r, col = s.origin[0] + a, s.origin[1] + b
                    kind[r, col] = READ
                    text[r][col] += f"<br><span style='font-size:70%'>×{_cell(weight)}</span>"
            result.append((kind, text))
        return result

    def outputs(step: int) -> list[tuple[np.ndarray, list[list[str]]]]:
        kind = np.full((c_out, out_h, out_w), float(EMPTY))
        text = [[[""] * out_w for _ in range(out_h)] for _ in range(c_out)]
        for done in trace.steps[: step + 1]:
            kind[(done.out_channel, *done.out)] = DONE
            text[done.out_channel][done.out[0]][done.out[1]] = _cell(done.value)
        s = trace.steps[step]
        kind[(s.out_channel, *s.out)] = CURRENT
        return [(kind[o], text[o]) for o in range(c_out)]

    def boxes(step: int) -> list[dict]:
        s = trace.steps[step]
        (r0, c0), (i, j) = s.origin, s.out
        span_r, span_c = trace.dilation * (kh - 1) + 1, trace.dilation * (kw - 1) + 1
        shapes = [{"type": "rect", "xref": f"x{'' if c == 0 else c + 1}", "yref": f"y{'' if c == 0 else c + 1}",
                   "x0": c0 - 0.5, "x1": c0 + span_c - 0.5, "y0": r0 - 0.5, "y1": r0 + span_r - 0.5,
                   "line": {"color": "#e07a00", "width": 3}} for c in s.in_channels]
        axis = str(c_in + s.out_channel + 1)
        return shapes + [{"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": j - 0.5, "x1": j + 0.5,
                          "y0": i - 0.5, "y1": i + 0.5, "line": {"color": "#2d7a35", "width": 3}}]

    def formula(step: int) -> list[dict]:
        s = trace.steps[step]
        names = ["RGB"[c] if c_in == 3 else str(c) for c in s.in_channels]
        terms = " + ".join(f"{n}: {_cell(p)}" for n, p in zip(names, s.partials))
        text = (f"out[{s.out_channel}][{s.out[0]},{s.out[1]}] = {terms} + {labels['bias']} {_cell(s.bias)}"
                f" = <b>{_cell(s.value)}</b>")
        return [{"text": text, "xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
                 "yshift": -CONTROLS_PX, "showarrow": False, "font": {"size": 15}, "align": "left"}]

    def heatmaps(step: int) -> list[dict]:
        return [{"type": "heatmap", "z": z.tolist(), "text": t} for z, t in inputs(step) + outputs(step)]

    n = len(trace.steps)
    data = []
    for k, (z, text) in enumerate(inputs(0) + outputs(0)):
        suffix = "" if k == 0 else str(k + 1)
        data.append(_cells(z, text, f"panel{k}", font if k < c_in else out_font) | {"xaxis": f"x{suffix}",
                                                                                  "yaxis": f"y{suffix}"})
    bottom = CONTROLS_PX + 30
    layout = {"template": _template(), **axes, "height": (rows + out_h) * 40 + 90 + bottom,
              "margin": {"l": 10, "r": 10, "t": 30, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": notes + formula(0), "updatemenus": _menus(labels, 0, n, duration_ms),
              "sliders": [_scrubber(labels, n)]}
    frames = [{"name": str(step), "traces": list(range(c_in + c_out)), "data": heatmaps(step),
               "layout": {"shapes": boxes(step), "annotations": notes + formula(step),
                          "updatemenus": _menus(labels, step, n, duration_ms)}} for step in range(n)]
    return Built({"data": data, "layout": layout, "frames": frames})


def receptive_field(fmap: np.ndarray, image: np.ndarray, cell: tuple[int, int] | None,
                    region: tuple[int, int, int, int] | None, titles: Sequence[str]) -> Built:
    """A feature map (grey, each cell clickable) beside the 32×32 input, the clicked cell and the input region it
    sees outlined in the same colour."""
    h, w = fmap.shape
    size = image.shape[0]
    low, span = float(fmap.min()), max(float(fmap.max() - fmap.min()), 1e-8)
    axes, notes = _panels(titles, [1, 1], spacing=0.08)
    for suffix, n in (("", w), ("2", size)):
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, n - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[(h if suffix == "" else size) - 0.5, -0.5])
    data = [{"type": "heatmap", "z": ((fmap - low) / span).tolist(), "colorscale": [[0, "black"], [1, "white"]],
             "showscale": False,
             "hovertemplate": "(%{y}, %{x})<extra></extra>", "xaxis": "x", "yaxis": "y"},
            {"type": "image", "z": image.tolist(), "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"},
            _click_targets(h, w, "", "map") | {"marker": {"size": max(4, 260 // max(h, 1)), "symbol": "square",
                                                          "opacity": 0}}]
    shapes = []
    if cell is not None and region is not None:
        r0, c0, r1, c1 = region
        shapes = _outline("", [cell], PICKED) + [
            {"type": "rect", "xref": "x2", "yref": "y2", "x0": c0 - 0.5, "x1": c1 + 0.5, "y0": r0 - 0.5, "y1": r1 + 0.5,
             "line": {"color": PICKED, "width": 3}}]
    layout = {"template": _template(), **axes, "height": 330, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
              "annotations": notes, "shapes": shapes, "dragmode": False, "clickmode": "event+select",
              "plot_bgcolor": "white"}
    return Built({"data": data, "layout": layout})
