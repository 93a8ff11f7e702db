"""A multi-channel F.conv2d animated: the input channels' windows slide together above the output channels."""
from __future__ import annotations

import numpy as np

from core.basics.multichannel import MultiTrace
from core.viz import base


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
    # the arrows' way.
    widths_in, widths_out = [cols] * c_in, [out_w] * c_out
    total_in, total_out = (sum(w) + base.GAP * (len(w) - 1) for w in (widths_in, widths_out))
    total = max(total_in, total_out)
    lefts_in = [(total - total_in) / 2 + c * (cols + base.GAP) for c in range(c_in)]
    # each output grid centred in its share of the width: small outputs side by side left their titles overlapping
    lefts_out = [max(0, min(total - out_w, round((o + 0.5) * total / c_out - 0.5 - (out_w - 1) / 2)))
                 for o in range(c_out)] if total_out < total else \
        [(total - total_out) / 2 + o * (out_w + base.GAP) for o in range(c_out)]
    out_top = rows + base.GAP
    axes = {"xaxis": {"visible": False, "range": [-0.5, total - 0.5], "scaleanchor": "y", "constrain": "domain"},
            "yaxis": {"visible": False, "range": [out_top + out_h + 0.5, -0.5]}}
    notes = [{"font": {"size": 14}, "showarrow": False, "text": labels["channel"].format(c="RGB"[c] if c_in == 3 else c),
              "x": left + (cols - 1) / 2, "xanchor": "center", "xref": "x", "y": -0.5, "yanchor": "bottom", "yref": "y"}
             for c, left in enumerate(lefts_in)]
    notes += [{"font": {"size": 14}, "showarrow": False, "text": labels["out_channel"].format(i=o),
               "x": left + (out_w - 1) / 2, "xanchor": "center", "xref": "x", "y": out_top + out_h - 0.5, "yanchor": "top",
               "yref": "y"} for o, left in enumerate(lefts_out)]
    font = base.font_size([total], [base.cell_text(v) for v in trace.grid.ravel()], 12, lines=2)
    out_font = base.font_size([total], [base.cell_text(v) for v in trace.output.ravel()], 12)
    plain = [[[base.cell_text(v) for v in row] for row in channel] for channel in trace.grid]
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
                    text[r][col] += f"<br><span style='font-size:70%'>×{base.cell_text(weight)}</span>"
            result.append((kind, text))
        return result

    def outputs(step: int) -> list[tuple[np.ndarray, list[list[str]]]]:
        kind = np.full((c_out, out_h, out_w), float(base.EMPTY))
        text = [[[""] * out_w for _ in range(out_h)] for _ in range(c_out)]
        for done in trace.steps[: step + 1]:
            kind[(done.out_channel, *done.out)] = base.DONE
            text[done.out_channel][done.out[0]][done.out[1]] = base.cell_text(done.value)
        s = trace.steps[step]
        kind[(s.out_channel, *s.out)] = base.CURRENT
        return [(kind[o], text[o]) for o in range(c_out)]

    span_r, span_c = trace.dilation * (kh - 1) + 1, trace.dilation * (kw - 1) + 1

    def boxes(step: int) -> list[dict]:
        s = trace.steps[step]
        (r0, c0), (i, j), left = s.origin, s.out, lefts_out[s.out_channel]
        shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": lefts_in[c] + c0 - 0.5,
                   "x1": lefts_in[c] + c0 + span_c - 0.5, "y0": r0 - 0.5, "y1": r0 + span_r - 0.5,
                   "line": {"color": base.WINDOW, "width": 3}} for c in s.in_channels]
        return shapes + [{"type": "rect", "xref": "x", "yref": "y", "x0": left + j - 0.5, "x1": left + j + 0.5,
                          "y0": out_top + i - 0.5, "y1": out_top + i + 0.5, "line": {"color": base.TARGET, "width": 3}}]

    def arrows(step: int) -> list[dict]:
        """From the bottom of each window that reads now, down a line between two columns to the bottom of its
        grid, to the top of the output cell they make together."""
        s = trace.steps[step]
        (r0, c0), (i, j) = s.origin, s.out
        end = (lefts_out[s.out_channel] + j, out_top + i - 0.5)
        legs = []
        for c in s.in_channels:
            x = lefts_in[c] + base.between(c0, span_c)
            legs += base.link((x, r0 + span_r - 0.5), (x, rows - 0.5), end)
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
        place = {"x0": lefts_in[k]} if k < c_in else {"x0": lefts_out[k - c_in], "y0": out_top}
        data.append(base.cells(z, text, f"panel{k}", font if k < c_in else out_font) | place)
    bottom = base.CONTROLS_PX + 30
    height = base.grids_px(out_top + out_h + 1, total, width_px, most=40) + 30 + bottom
    layout = {"template": base.template(), **axes, "height": height,
              "margin": {"l": 10, "r": 10, "t": 30, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": notes + arrows(0) + formula(0), "updatemenus": base.menus(labels, 0, n, duration_ms),
              "sliders": [base.scrubber(labels, n)]}
    frames = [{"name": str(step), "traces": list(range(c_in + c_out)), "data": heatmaps(step),
               "layout": {"shapes": boxes(step), "annotations": notes + arrows(step) + formula(step),
                          "updatemenus": base.menus(labels, step, n, duration_ms)}} for step in range(n)]
    return base.Built({"data": data, "layout": layout, "frames": frames})
