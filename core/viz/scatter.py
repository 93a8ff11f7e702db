"""F.conv_transpose2d as a scatter: each input cell times the kernel added into the output, one frame per cell."""
from __future__ import annotations

import numpy as np

from core.basics.transposed import TransposeTrace, step_formula
from core.viz import base


def _wrap_adds(formula: str, per_line: int = 3) -> str:
    """A step's additions three to a line: a 7×7 kernel adds into 49 cells, and a phone is 420 px wide."""
    head, _, adds = formula.partition(": ")
    terms = adds.split(", ")
    lines = [", ".join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return f"<b>{head}</b><br>" + "<br>".join(lines)


def scatter_cropped(trace: TransposeTrace) -> bool:
    """Whether the animation draws a dashed box: some step's value × kernel reaches the output only in part (the
    rest cropped away by padding), so its legend explains the dashes only then."""
    return any(0 < len(s.targets) < trace.weight.size for s in trace.steps)


def scatter_animation(trace: TransposeTrace, labels: dict[str, str], duration_ms: int = 700,
                      width_px: int = base.DESKTOP_PX) -> base.Built:
    """F.conv_transpose2d as one frame per input cell: the cell (orange) times the kernel is added into the output.

    Output cells this step adds to are orange, cells added to before are green, and every
    touched cell shows its running sum; the line under the grids writes out the step's additions. An arrow in the
    input cell's colour leads from it, through the kernel, to the output region it is added into.
    labels: input, kernel, output, play, pause, step, back, forward. width_px: the plot's width, which sets its height.
    """
    h, w = trace.x.shape
    kh, kw = trace.weight.shape
    out_h, out_w = trace.output.shape
    widths = [w, kw, out_w]
    tallest = max(h, kh, out_h)
    axes, title_notes, lefts = base.strip([labels["input"], labels["kernel"], labels["output"]], widths, tallest)
    out_left = lefts[2]
    sums = [base.cell_text(v) for s in trace.steps for v in s.after.ravel()]
    font = base.font_size(widths, [*sums, *(base.cell_text(v) for v in trace.weight.ravel())], 12, lines=2,
                          gaps=2 * base.GAP)
    x_text = [[base.cell_text(v) for v in row] for row in trace.x]
    weights = [[base.cell_text(v) for v in r] for r in trace.weight]
    data = [base.cells(np.full(trace.weight.shape, float(base.READ)), weights, "kernel", font) | {"x0": lefts[1]}]

    def state(step: int) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        grid = np.full((h, w), float(base.INPUT))
        grid.ravel()[:step] = base.DONE
        grid[trace.steps[step].source] = base.READ
        out, text = np.full((out_h, out_w), float(base.EMPTY)), [[""] * out_w for _ in range(out_h)]
        for done in trace.steps[:step]:
            for r, c in done.targets:
                out[r, c] = base.DONE
        for r, c in trace.steps[step].targets:
            out[r, c] = base.READ
        after = trace.steps[step].after
        for r, c in zip(*np.nonzero(out != base.EMPTY)):
            text[r][c] = base.cell_text(after[r, c])
        for (r, c), product in zip(trace.steps[step].targets, trace.steps[step].products):  # what this step adds
            text[r][c] += f"<br><span style='font-size:70%'>+{base.cell_text(product)}</span>"
        return grid, out, text

    def region(step: int) -> tuple[int, int, int, int, bool]:
        """(first row, first column, last row, last column) of the output this step adds to, and whether part of
        the kernel's copy was cropped away."""
        i, j = trace.steps[step].source
        r0, c0 = i * trace.stride - trace.padding, j * trace.stride - trace.padding
        r1, c1 = r0 + trace.dilation * (kh - 1), c0 + trace.dilation * (kw - 1)
        cropped = r0 < 0 or c0 < 0 or r1 >= out_h or c1 >= out_w
        return max(r0, 0), max(c0, 0), min(r1, out_h - 1), min(c1, out_w - 1), cropped

    def boxes(step: int) -> list[dict]:
        i, j = trace.steps[step].source
        source = {"type": "rect", "xref": "x", "yref": "y", "x0": j - 0.5, "x1": j + 0.5, "y0": i - 0.5,
                  "y1": i + 0.5, "line": {"color": base.WINDOW, "width": 3}}
        if not trace.steps[step].targets:
            return [source]
        r0, c0, r1, c1, cropped = region(step)
        target = {"type": "rect", "xref": "x", "yref": "y", "x0": out_left + c0 - 0.5, "x1": out_left + c1 + 0.5,
                  "y0": r0 - 0.5, "y1": r1 + 0.5,
                  "line": {"color": base.WINDOW, "width": 3, "dash": "dash" if cropped else "solid"}}
        return [source, target]

    def notes(step: int) -> list[dict]:
        """The titles, the arrow from the input cell (through the kernel) to the region it adds into (hidden where
        the whole copy is cropped away), and the step's additions."""
        (i, j), (r0, c0, r1, _, _) = trace.steps[step].source, region(step)
        y, middle = i + 0.5, base.between(0, kh)  # along the line under the input cell, between numbers
        arrow = base.link((j + 0.5, y), (w - 0.5, y), (lefts[1] - 0.5, middle), None, (lefts[1] + kw - 0.5, middle),
                          (out_left + c0 - 0.5, (r0 + r1) / 2), shown=bool(trace.steps[step].targets))
        return title_notes + arrow + [base.formula_note(_wrap_adds(step_formula(trace.steps[step])), 15)]

    n = len(trace.steps)
    grid0, out0, text0 = state(0)
    data += [base.cells(grid0, x_text, "input", font), base.cells(out0, text0, "output", font) | {"x0": out_left}]
    lines = max(_wrap_adds(step_formula(s)).count("<br>") + 1 for s in trace.steps)
    bottom = base.CONTROLS_PX + 4 + 21 * lines
    height = base.grids_px(tallest, lefts[-1] + widths[-1], width_px) + 40 + bottom
    layout = {"template": base.template(), **axes, "height": height,
              "margin": {"l": 10, "r": 10, "t": 40, "b": bottom}, "plot_bgcolor": "white", "shapes": boxes(0),
              "annotations": notes(0), "updatemenus": base.menus(labels, 0, n, duration_ms),
              "sliders": [base.scrubber(labels, n)]}
    frames = []
    for step in range(n):
        grid, out, text = state(step)
        frames.append({"name": str(step), "traces": [1, 2],
                       "data": [{"type": "heatmap", "z": grid.tolist()},
                                {"type": "heatmap", "z": out.tolist(), "text": text}],
                       "layout": {"shapes": boxes(step), "annotations": notes(step),
                                  "updatemenus": base.menus(labels, step, n, duration_ms)}})
    return base.Built({"data": data, "layout": layout, "frames": frames})
