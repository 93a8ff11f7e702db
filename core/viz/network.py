"""The network drawn: its layers as blocks, and what a feature-map cell sees of the input."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.viz.base import DESKTOP_PX, PICKED, Built, click_targets, grids_px, outline, panels, template


def architecture(stages: Sequence[tuple[str, tuple[int, ...]]], height: int = 300,
                 below: Sequence[str] | None = None) -> go.Figure:
    """The network as blocks: each feature map's height grows with its size, its width with its channels.

    stages: (the layer that made it, its shape without the batch), the input first.
    below: a label under each block's shape, in the colour the pages outline receptive fields with (a stage's
    receptive field), the input's first.
    """
    room = 0 if below is None else 52  # three short lines under the shapes
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
        if below is not None:
            notes.append({"x": x + block_w / 2, "y": -141 - room, "yanchor": "bottom", "text": below[k],
                          "showarrow": False, "font": {"size": 10, "color": PICKED}})  # last lines aligned
        if k:
            notes.append({"x": x - 14, "y": 118, "text": layer, "showarrow": False, "font": {"size": 10, "color": "#555"},
                          "textangle": -35})
        x += block_w + 34
    fig = go.Figure()
    fig.update_layout(shapes=shapes, annotations=notes, height=height + room, plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    fig.update_xaxes(visible=False, range=[-10, x])
    fig.update_yaxes(visible=False, range=[-145 - room, 150])
    return fig


def receptive_field(fmap: np.ndarray, image: np.ndarray, cell: tuple[int, int] | None,
                    region: tuple[int, int, int, int] | None, titles: Sequence[str],
                    width_px: int = DESKTOP_PX) -> Built:
    """A feature map (grey, each cell clickable) beside the 32×32 input, the clicked cell and the input region it
    sees outlined in the same colour; two squares, as tall as they are wide in a plot ``width_px`` wide."""
    h, w = fmap.shape
    size = image.shape[0]
    low, span = float(fmap.min()), max(float(fmap.max() - fmap.min()), 1e-8)
    spacing = 0.08  # of the width, between the two squares
    axes, notes = panels(titles, [1, 1], spacing=spacing)
    for suffix, n in (("", w), ("2", size)):
        axes[f"xaxis{suffix}"].update(visible=False, range=[-0.5, n - 0.5], scaleanchor=f"y{suffix}",
                                      constrain="domain")
        axes[f"yaxis{suffix}"].update(visible=False, range=[(h if suffix == "" else size) - 0.5, -0.5])
    data = [{"type": "heatmap", "z": ((fmap - low) / span).tolist(), "colorscale": [[0, "black"], [1, "white"]],
             "showscale": False,
             "hovertemplate": "(%{y}, %{x})<extra></extra>", "xaxis": "x", "yaxis": "y"},
            {"type": "image", "z": image.tolist(), "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"},
            click_targets(h, w, "", "map") | {"marker": {"size": max(4, 260 // max(h, 1)), "symbol": "square",
                                                          "opacity": 0}}]
    shapes = []
    if cell is not None and region is not None:
        r0, c0, r1, c1 = region
        shapes = outline("", [cell], PICKED) + [
            {"type": "rect", "xref": "x2", "yref": "y2", "x0": c0 - 0.5, "x1": c1 + 0.5, "y0": r0 - 0.5, "y1": r1 + 0.5,
             "line": {"color": PICKED, "width": 3}}]
    square = grids_px(1, 2 / (1 - spacing), width_px, most=290)
    layout = {"template": template(), **axes, "height": square + 40, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
              "annotations": notes, "shapes": shapes, "dragmode": False, "clickmode": "event+select",
              "plot_bgcolor": "white"}
    return Built({"data": data, "layout": layout})
