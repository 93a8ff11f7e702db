"""A multi-channel F.conv2d animated: the input channels' windows slide together above the output channels."""
from __future__ import annotations

import numpy as np

from core.basics.multichannel import MultiTrace
from core.viz import base

READABLE_PX = 30  # the narrowest cell that shows a pixel's 0–255 over its ×weight at a font a phone reads (13 px)
READABLE_FONT = 10  # the smallest font of a cell's value (its ×weight line is 70 % of it)
LARGEST_PX = 14
LINE_EM = 1.3  # Plotly's line height in font sizes: the ×weight line under a value takes a whole one, small as it is
MOST_PX = 40  # the widest cell: on a desktop the height, not the width, sets the cells' size
TALLEST = 1.4  # a cell's height over its width, at most


def line_cells(per: int, width: int) -> float:
    """A line of ``per`` panels ``width`` cells wide, with the gaps between them, in cells."""
    return per * width + base.GAP * (per - 1)


def per_line(n: int, width: int, width_px: int) -> int:
    """How many of ``n`` panels ``width`` cells wide share a line in a plot ``width_px`` wide: as many as keep a
    cell READABLE_PX wide, at least one. A desktop shows three 5×5 inputs side by side; a phone showed them in
    20 px cells, their values clipped, and now shows two, then one under the first."""
    room = width_px - base.MARGIN_PX
    return next((k for k in range(n, 1, -1) if room / line_cells(k, width) >= READABLE_PX), 1)


def grid_places(n: int, per: int, width: int, height: int, total: float, top: float,
                spread: bool = False) -> list[tuple[float, float]]:
    """Each panel's first column and first row, ``per`` to a line, the lines ``height`` cells and a gap apart from
    ``top``, a line of ``per`` centred in ``total`` cells. spread: a line narrower than that gives each panel its
    share of the width (small outputs side by side left their titles overlapping), else panels start one under the
    other, so an arrow leaving an upper grid runs down between the columns of the grid below."""
    places = []
    for k in range(n):
        line, at = divmod(k, per)
        y = top + line * (height + base.GAP)
        if spread and line_cells(per, width) < total:
            x = max(0, min(total - width, round((at + 0.5) * total / per - 0.5 - (width - 1) / 2)))
        else:
            x = (total - line_cells(per, width)) / 2 + at * (width + base.GAP)
        places.append((x, y))
    return places


def channels_animation(trace: MultiTrace, labels: dict[str, str], duration_ms: int = 700,
                       width_px: int = base.DESKTOP_PX) -> base.Built:
    """A multi-channel F.conv2d, one frame per output cell: the three channel windows slide together (each cell
    with its value and, small, the weight of the current output channel's slice), their partial sums and the bias
    written out under the grids, the output channels filling in below the inputs; an arrow from each window that
    reads now to the output cell they make together.

    labels: channel (with {c}), out_channel (with {i}), bias, play, pause, step, back, forward.
    width_px: the plot's width on the learner's screen, which sets its height.
    """
    c_in, rows, cols = trace.grid.shape
    c_out, out_h, out_w = trace.output.shape
    kh, kw = trace.weight.shape[-2:]
    # One pair of axes, inputs above and outputs below as a paper is read (the arrows from the windows to the output
    # cell are then drawn in cells and land right at every width); the output titles go under their grids, out of
    # the arrows' way. Panels share a line while their cells stay readable at this width, else go on the next.
    per_in, per_out = per_line(c_in, cols, width_px), per_line(c_out, out_w, width_px)
    total = max(line_cells(per_in, cols), line_cells(per_out, out_w))
    ins = grid_places(c_in, per_in, cols, rows, total, 0.0)
    inputs_bottom = ins[-1][1] + rows - 0.5  # the last line of inputs: the arrows run down to it, then to the output
    out_top = inputs_bottom + 0.5 + base.GAP
    outs = grid_places(c_out, per_out, out_w, out_h, total, out_top, spread=True)
    bottom_row = outs[-1][1] + out_h
    # cells as wide as the screen allows, and taller than wide (up to TALLEST) where a square one could not hold a
    # value over its ×weight at LARGEST_PX: on a phone, 31 px wide and 38 px tall
    wide = min(MOST_PX, (width_px - base.MARGIN_PX) / total)
    aspect = max(1.0, min(TALLEST, (2 * LINE_EM * LARGEST_PX + 2) / wide))
    axes = {"xaxis": {"visible": False, "range": [-0.5, total - 0.5], "scaleanchor": "y", "scaleratio": 1 / aspect,
                      "constrain": "domain"},
            "yaxis": {"visible": False, "range": [bottom_row + 0.5, -0.5]}}
    # on white, drawn after the arrows: an arrow from a grid down through the one stacked below passes behind its title
    notes = [{"font": {"size": 14}, "showarrow": False, "text": labels["channel"].format(c="RGB"[c] if c_in == 3 else c),
              "x": left + (cols - 1) / 2, "xanchor": "center", "xref": "x", "y": top - 0.5, "yanchor": "bottom",
              "yref": "y", "bgcolor": "white"} for c, (left, top) in enumerate(ins)]
    notes += [{"font": {"size": 14}, "showarrow": False, "text": labels["out_channel"].format(i=o),
               "x": left + (out_w - 1) / 2, "xanchor": "center", "xref": "x", "y": top + out_h - 0.5, "yanchor": "top",
               "yref": "y"} for o, (left, top) in enumerate(outs)]
    # the numbers sized for the cells at this width; at LARGEST_PX they fit cells of 27 px, so a desktop window
    # narrowed to 500 px still holds them. Fewer decimals rather than a font under READABLE_FONT: the formula has all.
    cell = wide - 2  # inside the 2 px gap between cells
    grid_values, weights, out_values = (a.ravel().tolist() for a in (trace.grid, trace.weight, trace.output))
    two_lines = min(LARGEST_PX, int((wide * aspect - 2) / (2 * LINE_EM)))
    write_in = (base.fit(grid_values, cell, two_lines, weights, floor=READABLE_FONT)
                or base.squeeze([*grid_values, *weights], cell))
    write_out = base.fit(out_values, cell, LARGEST_PX, floor=READABLE_FONT) or base.squeeze(out_values, cell)
    plain = [[[write_in.text(v) for v in row] for row in channel] for channel in trace.grid]
    positions = [(a * trace.dilation, b * trace.dilation) for a in range(kh) for b in range(kw)]

    def inputs(step: int) -> list[tuple[np.ndarray, list[list[str]]]]:
        s = trace.steps[step]
        result = []
        for c in range(c_in):
            kind = np.full((rows, cols), float(base.INPUT))
            kind[: trace.padding, :] = kind[rows - trace.padding :, :] = base.PADDING
            kind[:, : trace.padding] = kind[:, cols - trace.padding :] = base.PADDING
            text = [row[:] for row in plain[c]]
            if c in s.in_channels:
                w = trace.weight[s.out_channel, c - s.in_channels[0]].ravel()
                for (a, b), weight in zip(positions, w):
                    r, col = s.origin[0] + a, s.origin[1] + b
                    kind[r, col] = base.READ
                    text[r][col] += f"<br><span style='font-size:70%'>×{write_in.text(weight)}</span>"
            result.append((kind, text))
        return result

    def outputs(step: int) -> list[tuple[np.ndarray, list[list[str]]]]:
        kind = np.full((c_out, out_h, out_w), float(base.EMPTY))
        text = [[[""] * out_w for _ in range(out_h)] for _ in range(c_out)]
        for done in trace.steps[: step + 1]:
            kind[(done.out_channel, *done.out)] = base.DONE
            text[done.out_channel][done.out[0]][done.out[1]] = write_out.text(done.value)
        s = trace.steps[step]
        kind[(s.out_channel, *s.out)] = base.CURRENT
        return [(kind[o], text[o]) for o in range(c_out)]

    span_r, span_c = trace.dilation * (kh - 1) + 1, trace.dilation * (kw - 1) + 1

    def boxes(step: int) -> list[dict]:
        s = trace.steps[step]
        (r0, c0), (i, j), (left, top) = s.origin, s.out, outs[s.out_channel]
        shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": ins[c][0] + c0 - 0.5,
                   "x1": ins[c][0] + c0 + span_c - 0.5, "y0": ins[c][1] + r0 - 0.5, "y1": ins[c][1] + r0 + span_r - 0.5,
                   "line": {"color": base.WINDOW, "width": 3}} for c in s.in_channels]
        return shapes + [{"type": "rect", "xref": "x", "yref": "y", "x0": left + j - 0.5, "x1": left + j + 0.5,
                          "y0": top + i - 0.5, "y1": top + i + 0.5, "line": {"color": base.TARGET, "width": 3}}]

    def arrows(step: int) -> list[dict]:
        """From the bottom of each window that reads now, down a line between two columns to the bottom of the
        inputs (between the columns of a grid stacked below, too), to the top of the output cell they make together."""
        s = trace.steps[step]
        (r0, c0), (i, j) = s.origin, s.out
        end = (outs[s.out_channel][0] + j, outs[s.out_channel][1] + i - 0.5)
        legs = []
        for c in s.in_channels:
            x, top = ins[c][0] + base.between(c0, span_c), ins[c][1]
            legs += base.link((x, top + r0 + span_r - 0.5), (x, inputs_bottom), end)
        return legs

    def formula(step: int) -> list[dict]:
        s = trace.steps[step]
        names = ["RGB"[c] if c_in == 3 else str(c) for c in s.in_channels]
        terms = " + ".join(f"{n}: {base.cell_text(p)}" for n, p in zip(names, s.partials))
        text = (f"out[{s.out_channel}][{s.out[0]},{s.out[1]}] = {terms} + {labels['bias']} {base.cell_text(s.bias)}"
                f" = <b>{base.cell_text(s.value)}</b>")
        return [base.formula_note(text, 15)]

    def heatmaps(step: int) -> list[dict]:
        return [{"type": "heatmap", "z": z.tolist(), "text": t} for z, t in inputs(step) + outputs(step)]

    n = len(trace.steps)
    data = []
    for k, (z, text) in enumerate(inputs(0) + outputs(0)):
        (left, top), write = (ins[k], write_in) if k < c_in else (outs[k - c_in], write_out)
        data.append(base.cells(z, text, f"panel{k}", write.font) | {"x0": left, "y0": top})
    bottom = base.CONTROLS_PX + 30
    height = round((bottom_row + 1) * wide * aspect) + 30 + bottom
    layout = {"template": base.template(), **axes, "height": height,
              "margin": {"l": 10, "r": 10, "t": 30, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": arrows(0) + notes + formula(0), "updatemenus": base.menus(labels, 0, n, duration_ms),
              "sliders": [base.scrubber(labels, n)]}
    frames = [{"name": str(step), "traces": list(range(c_in + c_out)), "data": heatmaps(step),
               "layout": {"shapes": boxes(step), "annotations": arrows(step) + notes + formula(step),
                          "updatemenus": base.menus(labels, step, n, duration_ms)}} for step in range(n)]
    return base.Built({"data": data, "layout": layout, "frames": frames})
