"""One neuron of the trained network drawn: its input channels one by one, as the conv page animates them.

Two figures. The animation steps through the input channels: the channel's map (grey) with the window it reads,
the window's values each with, small, the learned weight it is multiplied by, and the output cell holding the sum
so far; an arrow in the window's colour from the window to the output cell; the last frame adds the bias. The
overview shows every channel at once, small: its map with the window outlined, the kernel slice beside it (red
positive, blue negative), and its partial sum under them, so 32 channels stay one light picture.
"""
from __future__ import annotations

import numpy as np

from core.inference.neuron import ConvNeuron
from core.viz import base

MAP_UNITS = 8  # the animation draws a channel's whole map this many cells wide, whatever its size
GREY = [[0, "black"], [1, "white"]]
SIGNED = [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]]


def _grey(maps: np.ndarray) -> tuple[float, float]:
    """One grey scale for every channel of a layer (zmin, zmax), so a brighter map is a larger one."""
    low, high = float(maps.min()), float(maps.max())
    return low, high if high > low else low + 1


def neuron_animation(n: ConvNeuron, labels: dict[str, str], duration_ms: int = 700,
                     width_px: int = base.DESKTOP_PX) -> base.Built:
    """One frame per input channel, then one for the bias: Σ over channels of (window × kernel slice) + bias.

    labels: map (with {c}), window, output, channel_sum (with {c} {p} {s}), total (with {s} {b} {t} {a}), play,
    pause, step, back, forward.
    """
    c_in, size, _ = n.maps.shape
    k = n.weight.shape[-1]
    widths = [MAP_UNITS, k, 1]
    tallest = max(MAP_UNITS, k)
    axes, _, lefts = base.strip(["", "", ""], widths, tallest)
    scale = MAP_UNITS / size
    top_k, top_out = (tallest - k) / 2, (tallest - 1) / 2
    cell = min(40, (width_px - base.MARGIN_PX) / (sum(widths) + base.GAP * 2))  # the server knows a phone (ui.screen_px)
    windows, running = n.windows, n.running
    values = [*windows.ravel(), n.total, *running]
    numbers = base.fit(values, cell, 13, n.weight.ravel().tolist()) or base.squeeze(values, cell)
    inside = np.zeros((c_in, size, size), dtype=bool)
    inside[:, n.padding : size - n.padding, n.padding : size - n.padding] = True
    low, high = _grey(n.maps)
    r0, c0 = n.origin

    def window_cells(c: int) -> tuple[list, list[list[str]]]:
        kind = np.where(inside[c, r0 : r0 + k, c0 : c0 + k], float(base.READ), float(base.PADDING))
        # learned weights are small (±0.05 in conv2): 3 decimals, else most read ×0
        text = [[f"{numbers.text(v)}<br><span style='font-size:70%'>×{base.cell_text(w, 3, short=True)}</span>"
                 for v, w in zip(row, weights)] for row, weights in zip(windows[c], n.weight[c])]
        return kind.tolist(), text

    def out_text(step: int) -> list[list[str]]:
        return [[base.cell_text(n.total if step == c_in else running[step], 3, short=True)]]

    def notes(step: int) -> list[dict]:
        c = min(step, c_in - 1)
        title = {"font": {"size": 14}, "showarrow": False, "text": labels["map"].format(c=c), "x": lefts[0] - 0.5,
                 "xanchor": "left", "xref": "x", "y": -0.5, "yanchor": "bottom", "yref": "y"}
        heads = [title] + [{"font": {"size": 14}, "showarrow": False, "text": labels[name], "x": left + (w - 1) / 2,
                            "xanchor": "center", "xref": "x", "y": top - 0.5, "yanchor": "bottom", "yref": "y"}
                           for name, left, w, top in (("window", lefts[1], k, top_k), ("output", lefts[2], 1, top_out))]
        box_right = lefts[0] - 0.5 + (c0 + k) * scale
        box_mid = -0.5 + (r0 + k / 2) * scale
        arrow = base.link((box_right, box_mid), (lefts[1] - 0.5, top_k + (k - 1) / 2), None,
                          (lefts[1] + k - 0.5, top_k + (k - 1) / 2), (lefts[2] - 0.5, top_out))
        if step < c_in:
            text = labels["channel_sum"].format(c=c, p=base.cell_text(n.partials[c], 4), s=base.cell_text(running[c], 4))
        else:
            text = labels["total"].format(s=base.cell_text(running[-1], 4), b=base.cell_text(n.bias, 4),
                                          t=base.cell_text(n.total, 4), a=base.cell_text(n.activation, 4))
        return heads + arrow + [base.formula_note(text, 15)]

    def box(step: int) -> list[dict]:
        return [{"type": "rect", "xref": "x", "yref": "y", "x0": lefts[0] - 0.5 + c0 * scale,
                 "x1": lefts[0] - 0.5 + (c0 + k) * scale, "y0": -0.5 + r0 * scale, "y1": -0.5 + (r0 + k) * scale,
                 "line": {"color": base.WINDOW, "width": 2}},
                {"type": "rect", "xref": "x", "yref": "y", "x0": lefts[2] - 0.5, "x1": lefts[2] + 0.5,
                 "y0": top_out - 0.5, "y1": top_out + 0.5, "line": {"color": base.TARGET, "width": 3}}]

    def frame_data(step: int) -> list[dict]:
        c = min(step, c_in - 1)
        kind, text = window_cells(c)
        return [{"type": "heatmap", "z": np.round(n.maps[c], 3).tolist()}, {"type": "heatmap", "z": kind, "text": text},
                {"type": "heatmap", "z": [[float(base.DONE if step == c_in else base.CURRENT)]], "text": out_text(step)}]

    steps = c_in + 1
    first = frame_data(0)
    data = [{"type": "heatmap", "z": first[0]["z"], "x0": lefts[0] - 0.5 + scale / 2, "dx": scale,
             "y0": -0.5 + scale / 2, "dy": scale, "colorscale": GREY, "zmin": low, "zmax": high, "showscale": False,
             "hoverinfo": "skip"},
            base.cells(first[1]["z"], first[1]["text"], "window", numbers.font) | {"x0": lefts[1], "y0": top_k},
            base.cells(first[2]["z"], first[2]["text"], "output", numbers.font) | {"x0": lefts[2], "y0": top_out}]
    bottom = base.CONTROLS_PX + 50
    height = base.grids_px(tallest, lefts[-1] + 1, width_px, most=40) + 40 + bottom
    layout = {"template": base.template(), **axes, "height": height, "margin": {"l": 10, "r": 10, "t": 40, "b": bottom},
              "plot_bgcolor": "white", "shapes": box(0), "annotations": notes(0),
              "updatemenus": base.menus(labels, 0, steps, duration_ms), "sliders": [base.scrubber(labels, steps)],
              "dragmode": False}
    frames = [{"name": str(step), "traces": [0, 1, 2], "data": frame_data(step),
               "layout": {"shapes": box(step), "annotations": notes(step),
                          "updatemenus": base.menus(labels, step, steps, duration_ms)}} for step in range(steps)]
    return base.Built({"data": data, "layout": layout, "frames": frames})


def neuron_channels(n: ConvNeuron, columns: int, width_px: int = base.DESKTOP_PX) -> base.Built:
    """Every input channel small, ``columns`` to a row (1 or 2 on a phone: the channels stack): its map with the
    window outlined, the learned kernel slice beside it, and the channel's partial sum under them."""
    c_in, size, _ = n.maps.shape
    k = n.weight.shape[-1]
    unit_w, unit_h, gap = size + 1 + k, size + 3, 2
    rows = -(-c_in // columns)
    total_w, total_h = columns * unit_w + (columns - 1) * gap, rows * unit_h
    maps = np.full((total_h, total_w), np.nan)
    kernels = np.full((total_h, total_w), np.nan)
    shapes, notes = [], []
    r0, c0 = n.origin
    for c in range(c_in):
        top, left = (c // columns) * unit_h, (c % columns) * (unit_w + gap)
        maps[top : top + size, left : left + size] = n.maps[c]
        kernels[top : top + k, left + size + 1 : left + unit_w] = n.weight[c]
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": left + c0 - 0.5, "x1": left + c0 + k - 0.5,
                       "y0": top + r0 - 0.5, "y1": top + r0 + k - 0.5, "line": {"color": base.WINDOW, "width": 2}})
        notes.append({"showarrow": False, "font": {"size": 11}, "x": left - 0.5, "xanchor": "left", "xref": "x",
                      "y": top + size, "yanchor": "top", "yref": "y",
                      "text": f"#{c}: {'+' if n.partials[c] >= 0 else ''}{base.cell_text(n.partials[c], 3)}"})
    low, high = _grey(n.maps)
    reach = float(np.abs(n.weight).max()) or 1.0
    # colours only, so 3 decimals (a conv2 cell's two figures: 593 KB of JSON before, 451 KB)
    data = [{"type": "heatmap", "z": np.round(maps, 3).tolist(), "colorscale": GREY, "zmin": low, "zmax": high,
             "showscale": False, "hoverinfo": "skip"},
            {"type": "heatmap", "z": np.round(kernels, 3).tolist(), "colorscale": SIGNED, "zmin": -reach, "zmax": reach,
             "showscale": False, "hoverinfo": "skip"}]
    axes = {"xaxis": {"visible": False, "range": [-0.5, total_w - 0.5], "scaleanchor": "y", "constrain": "domain"},
            "yaxis": {"visible": False, "range": [total_h - 0.5, -0.5]}}
    layout = {"template": base.template(), **axes, "height": base.grids_px(total_h, total_w, width_px, most=12) + 20,
              "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "plot_bgcolor": "white", "shapes": shapes,
              "annotations": notes, "dragmode": False}
    return base.Built({"data": data, "layout": layout})
