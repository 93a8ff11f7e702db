"""A multi-channel F.conv2d animated: the input channels' windows slide together above the output channels."""
from __future__ import annotations

import numpy as np

from core.multichannel import MultiTrace
from core.viz import base


def channels_animation(trace: MultiTrace, labels: dict[str, str], duration_ms: int = 700) -> base.Built:
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
    font = base.font_size([cols] * c_in, [base.cell_text(v) for v in trace.grid.ravel()], 12, lines=2)
    out_font = base.font_size([out_w] * c_out, [base.cell_text(v) for v in trace.output.ravel()], 12)
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

    def boxes(step: int) -> list[dict]:
        s = trace.steps[step]
        (r0, c0), (i, j) = s.origin, s.out
        span_r, span_c = trace.dilation * (kh - 1) + 1, trace.dilation * (kw - 1) + 1
        shapes = [{"type": "rect", "xref": f"x{'' if c == 0 else c + 1}", "yref": f"y{'' if c == 0 else c + 1}",
                   "x0": c0 - 0.5, "x1": c0 + span_c - 0.5, "y0": r0 - 0.5, "y1": r0 + span_r - 0.5,
                   "line": {"color": base.WINDOW, "width": 3}} for c in s.in_channels]
        axis = str(c_in + s.out_channel + 1)
        return shapes + [{"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": j - 0.5, "x1": j + 0.5,
                          "y0": i - 0.5, "y1": i + 0.5, "line": {"color": base.TARGET, "width": 3}}]

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
        suffix = "" if k == 0 else str(k + 1)
        data.append(base.cells(z, text, f"panel{k}", font if k < c_in else out_font) | {"xaxis": f"x{suffix}",
                                                                                  "yaxis": f"y{suffix}"})
    bottom = base.CONTROLS_PX + 30
    layout = {"template": base.template(), **axes, "height": (rows + out_h) * 40 + 90 + bottom,
              "margin": {"l": 10, "r": 10, "t": 30, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": notes + formula(0), "updatemenus": base.menus(labels, 0, n, duration_ms),
              "sliders": [base.scrubber(labels, n)]}
    frames = [{"name": str(step), "traces": list(range(c_in + c_out)), "data": heatmaps(step),
               "layout": {"shapes": boxes(step), "annotations": notes + formula(step),
                          "updatemenus": base.menus(labels, step, n, duration_ms)}} for step in range(n)]
    return base.Built({"data": data, "layout": layout, "frames": frames})
