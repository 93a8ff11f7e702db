"""Figures of a training run: one small chart per quantity (they stack on a phone), the prediction grid, filters.

Every chart is its own figure so the page can lay them out two by two on a
wide screen and one under another at 420 px. Epoch axes have integer ticks
only; images/s starts at 0 so speeds compare honestly.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.training.records import MetricsRow
from core.viz.images import kernel_tiles

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
RIGHT, WRONG = "#2ca02c", "#d62728"
Curves = dict[str, tuple[list[dict], list[MetricsRow]]]   # run name -> (steps [{step, loss}], a row per epoch)


def _thin(xs: list, ys: list, most: int = 1000) -> tuple[list, list]:
    """At most ``most`` points, each the mean of a run of steps: a long curve redrawn every second stays light."""
    if len(xs) <= most:
        return xs, ys
    size = -(-len(xs) // most)
    return ([xs[min(i + size - 1, len(xs) - 1)] for i in range(0, len(xs), size)],
            [sum(ys[i:i + size]) / len(ys[i:i + size]) for i in range(0, len(ys), size)])


def _figure(title: str, x_title: str, height: int) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title={"text": title, "font": {"size": 14}}, height=height, showlegend=False,
                      margin={"l": 10, "r": 10, "t": 36, "b": 10})
    fig.update_xaxes(title_text=x_title)
    return fig


def _epoch_axis(fig: go.Figure, runs: Curves) -> None:
    """Integer ticks only: epoch 1, 2, 3 … (never "1 2 2" from a fractional tick step)."""
    last = max((m.epoch for _, metrics in runs.values() for m in metrics), default=1)
    fig.update_xaxes(tickmode="linear", tick0=1, dtick=max(1, -(-last // 10)), range=[0.7, max(1, last) + 0.3])


def curves(runs: Curves, titles: Sequence[str], axes: tuple[str, str], height: int = 260) -> list[go.Figure]:
    """Train loss per step, test loss and test accuracy per epoch, training images/s per epoch; a colour per run.

    ``axes`` are the x-axis titles (step, epoch) in the learner's language.
    """
    step, epoch = axes
    loss, test_loss, acc, speed = (_figure(title, x, height) for title, x in
                                   zip(titles, (step, epoch, epoch, epoch), strict=True))
    for k, (name, (steps, metrics)) in enumerate(runs.items()):
        style = {"name": name, "line": {"color": PALETTE[k % len(PALETTE)]}}
        x, y = _thin([s["step"] for s in steps], [s["loss"] for s in steps])
        loss.add_trace(go.Scatter(x=x, y=y, mode="lines", **style))
        epochs = [m.epoch for m in metrics]
        for fig, values in ((test_loss, [m.test_loss for m in metrics]), (acc, [m.test_acc for m in metrics]),
                            (speed, [m.images_per_s for m in metrics])):
            fig.add_trace(go.Scatter(x=epochs, y=values, mode="lines+markers", **style))
    acc.update_yaxes(tickformat=".0%", range=[0, 1])
    speed.update_yaxes(rangemode="tozero")
    test_loss.update_yaxes(rangemode="tozero")
    loss.update_yaxes(rangemode="tozero")
    for fig in (test_loss, acc, speed):
        _epoch_axis(fig, runs)
    if len(runs) > 1:   # under the loss chart, a run to a row; its neighbour grows as much, so the plots align
        lines = sum(len(wrapped(name).split("<br>")) for name in runs)
        below = LEGEND_LINE_PX * lines + 50
        for trace in loss.data:
            trace.name = wrapped(trace.name)
        loss.update_layout(showlegend=True, legend={"orientation": "h", "entrywidth": 1, "entrywidthmode": "fraction",
                                                    "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"})
        for fig in (loss, test_loss):
            fig.update_layout(height=height + below, margin={"b": below})
    return [loss, test_loss, acc, speed]


LEGEND_LINE_PX = 19   # a legend line at Plotly's 12 px font


def wrapped(name: str, most: int = 40) -> str:
    """A run's label on as many lines as it needs, broken between its " · " parts: a legend entry is never cut
    at the chart's right edge (a phone's chart is ~380 px wide, about 45 characters; CJK ones count double)."""
    lines: list[str] = []
    for part in name.split(" · "):
        if lines and _width(lines[-1] + " · " + part) <= most:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "<br>".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def upscale(images: np.ndarray, factor: int) -> np.ndarray:
    """[N, H, W, 3] uint8 pictures enlarged by repeating pixels (no blur: the pixels are what the net sees)."""
    return images.repeat(factor, axis=1).repeat(factor, axis=2)


def prediction_grid(images: np.ndarray, labels: Sequence[int], predicted: Sequence[int], classes: Sequence[str],
                    width_px: int, columns: int = 4) -> go.Figure:
    """16 test images [N, 3, H, W] uint8, each titled with the predicted class: green when right, red when wrong.

    The figure is as tall as the grid drawn ``width_px`` wide (the column's width on the learner's screen): a
    fixed height left a blank band above and below it on a phone.
    """
    n = len(images)
    rows = -(-n // columns)
    pictures = upscale(np.asarray(images).transpose(0, 2, 3, 1), 4)
    size = pictures.shape[1]
    gap = size // 2
    canvas = np.full((rows * (size + gap), columns * (size + 4), 3), 255, np.uint8)
    fig = go.Figure()
    for i in range(n):
        r, c = divmod(i, columns)
        top, left = r * (size + gap) + gap, c * (size + 4)
        canvas[top:top + size, left:left + size] = pictures[i]
        right = labels[i] == predicted[i]
        fig.add_annotation(x=left + size / 2, y=top - 4, text=("✓ " if right else "✗ ") + classes[predicted[i]],
                           showarrow=False, yanchor="bottom", font={"color": RIGHT if right else WRONG, "size": 12})
    fig.add_trace(go.Image(z=canvas, hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=round(canvas.shape[0] * width_px / canvas.shape[1]) + 4,
                      margin={"l": 0, "r": 0, "t": 4, "b": 0})
    return fig


def filter_sheet(weight: np.ndarray, columns: int = 8, factor: int = 8) -> np.ndarray:
    """conv1's filters [N, 3, k, k] as one RGB picture: each filter a tile (viz.kernel_tiles: all on one scale,
    grey is 0), the tiles in rows of ``columns``."""
    tiles = upscale(kernel_tiles(weight), factor)
    n, size = len(tiles), tiles.shape[1]
    rows = -(-n // columns)
    sheet = np.full((rows * (size + 2), columns * (size + 2), 3), 255, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        sheet[r * (size + 2):r * (size + 2) + size, c * (size + 2):c * (size + 2) + size] = tile
    return sheet
