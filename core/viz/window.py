"""The sliding window of F.conv2d and the pooling functions, one Plotly frame per output cell."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.basics.ops import Trace, window_formula
from core.viz import base
from core.viz.legend import CATEGORY_LOOK, Look


def _wrap(formula: str, width: int = 52, most: int = 9) -> str:
    """Long sums on several lines (a 7×7 kernel has 49 terms): as many terms to a line as fit a phone (about 52
    characters), at most 9, so the course's 3×3 sum stays on one line and 0×0.0204 terms go five to a line."""
    head, _, tail = formula.rpartition(" = ")
    separator = " + " if " + " in head else ", "
    lines: list[list[str]] = [[]]
    for term in head.split(separator):
        line = lines[-1]
        if line and (len(line) == most or len(separator.join([*line, term])) > width):
            lines.append(line := [])
        line.append(term)
    return (separator.strip() + "<br>").join(separator.join(line) for line in lines) + f" = <b>{tail}</b>"


def _widths(trace: Trace) -> list[int]:
    """The panels' widths in cells: input, kernel (convolution only), output, indices (return_indices only)."""
    cols, kw, out_w = trace.grid.shape[1], trace.kernel[1], trace.output.shape[1]
    kernel = [kw] if trace.windows[0].weights is not None else []
    return [cols, *kernel, out_w, *([out_w] if trace.indices is not None else [])]


LARGEST_PX = 13  # the grids' font where cells are roomy


def cell_px(trace: Trace) -> float:
    """A cell's width on a phone: the panels and the gaps between them share the plot's width."""
    widths = _widths(trace)
    return (base.PHONE_PX - base.MARGIN_PX) / (sum(widths) + base.GAP * (len(widths) - 1))


def numbers_fit(trace: Trace) -> tuple[base.Fit, bool]:
    """How the grids write their numbers so that each fits its cell on a phone, and whether the read cells also
    show, small, the weight they are multiplied by (only where that fits too, and cells are not tiny)."""
    values = [*trace.grid[~np.isnan(trace.grid)].ravel(), *trace.output.ravel(),
              *(() if trace.indices is None else trace.indices.ravel())]
    cell, weights = cell_px(trace), trace.windows[0].weights
    if weights is not None and sum(_widths(trace)) <= 20:
        with_weights = base.fit([*values, *weights], cell, LARGEST_PX, weights)
        if with_weights is not None:
            return with_weights, True
    return base.fit(values, cell, LARGEST_PX) or base.squeeze(values, cell), False


def kernel_fit(trace: Trace) -> base.Fit:
    """How the kernel panel writes its weights when the read cells do not repeat them: at its own precision."""
    weights, cell = trace.windows[0].weights, cell_px(trace)
    return base.fit(weights, cell, LARGEST_PX) or base.squeeze(weights, cell)


def _skipped(trace: Trace, step: int) -> list[tuple[int, int]]:
    """The cells inside the window's span that a dilated window does not read (its gaps)."""
    (r0, c0), d = trace.windows[step].origin, trace.dilation
    span_r, span_c = (d * (k - 1) + 1 for k in trace.kernel)
    return [(r, c) for r in range(r0, r0 + span_r) for c in range(c0, c0 + span_c) if (r - r0) % d or (c - c0) % d]


def _kinds(trace: Trace) -> np.ndarray:
    rows, cols = trace.grid.shape
    return np.array([[base.KIND_CODE[trace.cell_kind(r, c)] for c in range(cols)] for r in range(rows)], dtype=float)


def _state(trace: Trace, kinds: np.ndarray, step: int,
           write: Callable[[float], str] = base.cell_text) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """The input grid's and the output's cell categories at ``step``, and the output's text."""
    grid = kinds.copy()
    for r, c in _skipped(trace, step):
        grid[r, c] = base.SKIPPED
    for r, c in trace.windows[step].cells:
        grid[r, c] = base.READ
    out_h, out_w = trace.output.shape
    out = np.full((out_h, out_w), float(base.EMPTY))
    text = [[""] * out_w for _ in range(out_h)]
    for done in trace.windows[: step + 1]:
        out[done.out] = base.DONE
        text[done.out[0]][done.out[1]] = write(done.value)
    out[trace.windows[step].out] = base.CURRENT
    return grid, out, text


def _index_text(trace: Trace, step: int) -> list[list[str]]:
    """The indices panel's text at ``step``: under each output computed so far, the flat index of the input cell its
    maximum came from."""
    text = [[""] * trace.output.shape[1] for _ in range(trace.output.shape[0])]
    for done in trace.windows[: step + 1]:
        text[done.out[0]][done.out[1]] = str(int(trace.indices[done.out]))
    return text


def window_looks(trace: Trace, picked: tuple[int, int] | None = None) -> frozenset[Look]:
    """Every look ``window_animation(trace, …, picked=picked)`` draws in any of its frames, for its legend."""
    kinds = _kinds(trace)
    categories: set[int] = set()
    for step in range(len(trace.windows)):
        grid, out, _ = _state(trace, kinds, step)
        categories.update(np.unique(grid).astype(int).tolist(), np.unique(out).astype(int).tolist())
    looks = {CATEGORY_LOOK[c] for c in categories} | {Look.WINDOW}
    if Look.PADDING in looks and np.isneginf(trace.grid).any():
        looks = looks - {Look.PADDING} | {Look.PADDING_NEG_INF}
    extras = {Look.KERNEL: trace.windows[0].weights is not None, Look.WEIGHT: numbers_fit(trace)[1],
              Look.PARTIAL: any(w.partial for w in trace.windows), Look.PICKED: picked is not None,
              Look.INDICES: trace.indices is not None}
    return frozenset(looks | {look for look, shown in extras.items() if shown})


def window_animation(trace: Trace, labels: dict[str, str], duration_ms: int = 700, start: int = 0,
                     picked: tuple[int, int] | None = None, width_px: int = base.DESKTOP_PX) -> base.Built:
    """The window sliding over the padded input, one Plotly frame per output cell.

    Everything runs in the browser: Play/Pause, the scrubber, and the step
    buttons (each frame re-points ◀/▶ at its neighbours, so no server round trip).
    Inside the window each cell shows its value and, in small type, the kernel weight it is multiplied by; an arrow
    in the window's colour leads from the window (through the kernel) to the output cell it produces.
    start: the step shown first (a clicked output cell's window). picked: a grid cell clicked, outlined blue with
    every output cell whose window reads it, at every step. Clicks come back through invisible markers
    (``click_targets``). width_px: the plot's width on the learner's screen, which sets its height.
    labels: input, kernel, output, play, pause, step, back, forward.
    """
    rows, cols = trace.grid.shape
    kinds = _kinds(trace)
    numbers, with_weights = numbers_fit(trace)
    grid_text = [["" if np.isnan(v) else numbers.text(v) for v in row] for row in trace.grid]
    out_h, out_w = trace.output.shape
    kh, kw = trace.kernel
    has_kernel = trace.windows[0].weights is not None
    titles = [labels["input"], *([labels["kernel"]] if has_kernel else []), labels["output"],
              *(["indices"] if trace.indices is not None else [])]  # PyTorch's name, as the code prints it
    widths = _widths(trace)
    tallest = max(rows, out_h)  # the padded input is at least as tall as the kernel's span
    axes, title_notes, lefts = base.strip(titles, widths, tallest)  # frames that set annotations keep these titles
    out_left = lefts[2 if has_kernel else 1]
    font = numbers.font
    data = []
    if has_kernel:
        kernel = np.array(trace.windows[0].weights).reshape(trace.kernel)
        own = numbers if with_weights else kernel_fit(trace)  # the kernel's own decimals: 0.25 where outputs need 1
        weights = [[own.text(v) for v in r] for r in kernel]
        data.append(base.cells(np.full(trace.kernel, float(base.READ)), weights, "kernel", own.font) | {"x0": lefts[1]})

    def input_text(step: int) -> list[list[str]]:
        text = [row[:] for row in grid_text]
        if with_weights:
            window = trace.windows[step]
            for (r, c), w in zip(window.cells, window.weights):
                text[r][c] += f"<br><span style='font-size:70%'>×{numbers.text(w)}</span>"
        return text

    span_r, span_c = (trace.dilation * (k - 1) + 1 for k in trace.kernel)

    def window_box(step: int) -> list[dict]:
        w = trace.windows[step]
        (r0, c0), (i, j) = w.origin, w.out
        box = {"type": "rect", "xref": "x", "yref": "y", "x0": c0 - 0.5, "x1": c0 + span_c - 0.5,
               "y0": r0 - 0.5, "y1": r0 + span_r - 0.5, "line": {"color": base.WINDOW, "width": 3,
               "dash": "dash" if w.partial else "solid"}}
        target = {"type": "rect", "xref": "x", "yref": "y", "x0": out_left + j - 0.5, "x1": out_left + j + 0.5,
                  "y0": i - 0.5, "y1": i + 0.5, "line": {"color": base.TARGET, "width": 3}}
        return [box, target]

    def arrow(step: int) -> list[dict]:
        """From the window's right edge, between two of its rows, to the edge of the grid, then (through the
        kernel) to the output cell's left edge."""
        w = trace.windows[step]
        (r0, c0), (i, j) = w.origin, w.out
        y = base.between(r0, span_r)
        through = [(lefts[1] - 0.5, base.between(0, kh)), None, (lefts[1] + kw - 0.5, base.between(0, kh))]
        return base.link((c0 + span_c - 0.5, y), (cols - 0.5, y), *(through if has_kernel else []),
                         (out_left + j - 0.5, i))

    def notes(step: int) -> list[dict]:
        return title_notes + arrow(step) + [base.formula_note(_wrap(window_formula(trace.windows[step])), 16)]

    n = len(trace.windows)

    def step_menus(step: int) -> list[dict]:
        return base.menus(labels, step, n, duration_ms)

    start = min(max(start, 0), n - 1)
    grid0, out0, text0 = _state(trace, kinds, start, numbers.text)
    data += [base.cells(grid0, input_text(start), "input", font), base.cells(out0, text0, "output", font) | {"x0": out_left}]
    input_index, output_index = len(data) - 2, len(data) - 1
    if trace.indices is not None:  # the same cells as the output, each showing where its maximum came from
        data.append(base.cells(out0, _index_text(trace, start), "indices", font)
                    | {"x0": lefts[-1]})
    data += [base.click_targets(rows, cols, "", "input"), base.click_targets(out_h, out_w, "", "output", out_left)]
    highlight = []
    if picked is not None:
        users = [w.out for w in trace.windows if picked in w.cells]
        highlight = base.outline("", [picked], base.PICKED) + base.outline("", users, base.PICKED, out_left)
    lines = max(_wrap(window_formula(w)).count("<br>") + 1 for w in trace.windows)
    bottom = base.CONTROLS_PX + 4 + 22 * lines
    slider = base.scrubber(labels, n) | {"active": start}
    height = base.grids_px(tallest, lefts[-1] + widths[-1], width_px) + 40 + bottom
    layout = {"template": base.template(), **axes, "height": height,
              "margin": {"l": 10, "r": 10, "t": 40, "b": bottom}, "plot_bgcolor": "white",
              "shapes": window_box(start) + highlight, "annotations": notes(start),
              "updatemenus": step_menus(start), "sliders": [slider], "dragmode": False, "clickmode": "event+select"}
    # Plain dicts, not Plotly objects: validating one frame per output cell took most of a slider change's rerun.
    frames = []
    for step in range(n):
        grid, out, text = _state(trace, kinds, step, numbers.text)
        indices = [] if trace.indices is None else [
            {"type": "heatmap", "z": out.tolist(), "text": _index_text(trace, step)}]
        frames.append({"name": str(step), "traces": [input_index, output_index] + [output_index + 1] * bool(indices),
                       "data": [{"type": "heatmap", "z": grid.tolist(), "text": input_text(step)},
                                {"type": "heatmap", "z": out.tolist(), "text": text}, *indices],
                       "layout": {"shapes": window_box(step) + highlight, "annotations": notes(step),
                                  "updatemenus": step_menus(step)}})
    return base.Built({"data": data, "layout": layout, "frames": frames})
