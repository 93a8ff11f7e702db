"""The sliding window of F.conv2d and the pooling functions, one Plotly frame per output cell."""
from __future__ import annotations

import numpy as np

from core.ops import Trace, window_formula
from core.viz import base


def _wrap(formula: str, per_line: int = 9) -> str:
    """Long sums on several lines: a 7×7 kernel has 49 terms."""
    head, _, tail = formula.rpartition(" = ")
    separator = " + " if " + " in head else ", "
    terms = head.split(separator)
    lines = [separator.join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return (separator.strip() + "<br>").join(lines) + f" = <b>{tail}</b>"


def window_animation(trace: Trace, labels: dict[str, str], duration_ms: int = 700, start: int = 0,
                     picked: tuple[int, int] | None = None) -> base.Built:
    """The window sliding over the padded input, one Plotly frame per output cell.

    Everything runs in the browser: Play/Pause, the base.scrubber, and the step
    buttons (each frame re-points ◀/▶ at its neighbours, so no server round trip).
    Inside the window each cell shows its value and, in small type, the kernel weight it is multiplied by.
    start: the step shown first (a clicked output cell's window). picked: a grid cell clicked, outlined blue with
    every output cell whose window reads it. Clicks come back through invisible markers (``base.click_targets``).
    labels: input, kernel, output, play, pause, step, back, forward.
    """
    rows, cols = trace.grid.shape
    kinds = np.array([[base.KIND_CODE[trace.cell_kind(r, c)] for c in range(cols)] for r in range(rows)], dtype=float)
    grid_text = [["" if np.isnan(v) else base.cell_text(v) for v in row] for row in trace.grid]
    out_h, out_w = trace.output.shape
    has_kernel = trace.windows[0].weights is not None
    titles = [labels["input"], labels["kernel"], labels["output"]] if has_kernel else [labels["input"], labels["output"]]
    widths = [cols, trace.kernel[1], out_w] if has_kernel else [cols, out_w]
    axes, title_notes = base.panels(titles, widths)  # frames that set annotations must keep these titles
    out_col = len(titles)
    values = [t for row in grid_text for t in row] + [base.cell_text(v) for v in trace.output.ravel()]
    if has_kernel:
        values += [base.cell_text(v) for v in trace.windows[0].weights]
    weights_fit = has_kernel and sum(widths) <= 20  # a second line in a cell: only where cells are not tiny
    font = base.font_size(widths, values, 13, lines=2 if weights_fit else 1)
    data = []
    if has_kernel:
        kernel = np.array(trace.windows[0].weights).reshape(trace.kernel)
        weights = [[base.cell_text(v) for v in r] for r in kernel]
        data.append(base.cells(np.full(trace.kernel, float(base.READ)), weights, "kernel", font)
                    | {"xaxis": "x2", "yaxis": "y2"})

    def input_text(step: int) -> list[list[str]]:
        text = [row[:] for row in grid_text]
        if weights_fit:
            window = trace.windows[step]
            for (r, c), w in zip(window.cells, window.weights):
                text[r][c] += f"<br><span style='font-size:70%'>×{base.cell_text(w)}</span>"
        return text

    def state(step: int) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        grid = kinds.copy()
        for r, c in trace.windows[step].cells:
            grid[r, c] = base.READ
        out = np.full((out_h, out_w), float(base.EMPTY))
        text = [[""] * out_w for _ in range(out_h)]
        for done in trace.windows[: step + 1]:
            out[done.out] = base.DONE
            text[done.out[0]][done.out[1]] = base.cell_text(done.value)
        out[trace.windows[step].out] = base.CURRENT
        return grid, out, text

    def window_box(step: int) -> list[dict]:
        w = trace.windows[step]
        span_r, span_c = (trace.dilation * (k - 1) + 1 for k in trace.kernel)
        (r0, c0), (i, j) = w.origin, w.out
        box = {"type": "rect", "xref": "x", "yref": "y", "x0": c0 - 0.5, "x1": c0 + span_c - 0.5,
               "y0": r0 - 0.5, "y1": r0 + span_r - 0.5, "line": {"color": base.WINDOW, "width": 3,
               "dash": "dash" if w.partial else "solid"}}
        axis = "" if out_col == 1 else str(out_col)
        target = {"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": j - 0.5, "x1": j + 0.5,
                  "y0": i - 0.5, "y1": i + 0.5, "line": {"color": base.TARGET, "width": 3}}
        return [box, target]

    def formula(step: int) -> list[dict]:
        return [base.formula_note(_wrap(window_formula(trace.windows[step])), 16)]

    n = len(trace.windows)

    def step_menus(step: int) -> list[dict]:
        return base.menus(labels, step, n, duration_ms)

    start = min(max(start, 0), n - 1)
    grid0, out0, text0 = state(start)
    suffix = "" if out_col == 1 else str(out_col)
    data += [base.cells(grid0, input_text(start), "input", font) | {"xaxis": "x", "yaxis": "y"},
             base.cells(out0, text0, "output", font) | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}]
    input_index, output_index = len(data) - 2, len(data) - 1
    data += [base.click_targets(rows, cols, "", "input"), base.click_targets(out_h, out_w, suffix, "output")]
    highlight = []
    if picked is not None:
        users = [w.out for w in trace.windows if picked in w.cells]
        highlight = base.outline("", [picked], base.PICKED) + base.outline(suffix, users, base.PICKED)
    lines = max(_wrap(window_formula(w)).count("<br>") + 1 for w in trace.windows)
    bottom = base.CONTROLS_PX + 4 + 22 * lines
    base.square_cells(axes, widths, max(rows, out_h, trace.kernel[0] if has_kernel else 0))
    slider = base.scrubber(labels, n) | {"active": start}
    layout = {"template": base.template(), **axes, "height": max(rows, out_h) * 46 + 40 + bottom,
              "margin": {"l": 10, "r": 10, "t": 40, "b": bottom}, "plot_bgcolor": "white",
              "shapes": window_box(start) + highlight, "annotations": title_notes + formula(start),
              "updatemenus": step_menus(start), "sliders": [slider], "dragmode": False, "clickmode": "event+select"}
    # Plain dicts, not Plotly objects: validating one frame per output cell took most of a slider change's rerun.
    frames = []
    for step in range(n):
        grid, out, text = state(step)
        frames.append({"name": str(step), "traces": [input_index, output_index],
                       "data": [{"type": "heatmap", "z": grid.tolist(), "text": input_text(step)},
                                {"type": "heatmap", "z": out.tolist(), "text": text}],
                       "layout": {"shapes": window_box(step), "annotations": title_notes + formula(step),
                                  "updatemenus": step_menus(step)}})
    return base.Built({"data": data, "layout": layout, "frames": frames})
