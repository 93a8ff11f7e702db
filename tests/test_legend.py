"""The legend under the conv and pool animations explains exactly the looks the figure draws: no grey padding
line without padding, a dashed-window line only where ceil_mode makes a partial window, and dilation gaps drawn
in a look of their own; and every number in the grids fits its cell on a 420 px phone."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core import i18n, viz
from core.basics import kernels, ops
from core.basics.ops import ConvSettings, PoolSettings
from core.basics.transposed import TransposeSettings
from core.viz import base
from core.viz.legend import Look
from ui.lesson import legend

LABELS = {k: k for k in ("input", "kernel", "output", "play", "pause", "step", "back", "forward")}
COLOUR_LOOK = {"#e8f1fb": Look.INPUT, "#dcdcdc": Look.PADDING, "#fbe3e3": Look.OUTSIDE, "#ffc857": Look.READ,
               "#f4f4f4": Look.EMPTY, "#d5ecd4": Look.DONE, "#58b368": Look.CURRENT, "#fff1d4": Look.SKIPPED}


def colour(trace: dict, z: float) -> str:
    """The colour a heatmap draws for category ``z``, read off its own colour scale."""
    scale, top = trace["colorscale"], trace["zmax"]
    return next(c for (lo, c), (hi, _) in zip(scale[::2], scale[1::2]) if lo <= (z + 0.5) / top <= hi)


def drawn_looks(spec: dict) -> set[Look]:
    """Every look a reader can see in some frame of the figure, read from the figure alone."""
    traces = {t["name"]: t for t in spec["data"] if t.get("type") == "heatmap"}
    looks: set[Look] = set()
    texts = [cell for frame in spec["frames"] for row in frame["data"][0]["text"] for cell in row]
    for frame in spec["frames"]:
        for name, shown in zip(("input", "output"), frame["data"]):
            zs = {z for row in shown["z"] for z in row}
            looks |= {COLOUR_LOOK[colour(traces[name], z)] for z in zs}
        for shape in frame["layout"]["shapes"]:
            line = shape["line"]
            looks |= {Look.PARTIAL} if line.get("dash") == "dash" else set()
            looks |= {Look.PICKED} if line["color"] == base.PICKED else set()
            looks |= {Look.WINDOW} if line["color"] == base.WINDOW else set()
    if Look.PADDING in looks and any(text.startswith("−∞") for text in texts):
        looks = looks - {Look.PADDING} | {Look.PADDING_NEG_INF}
    looks |= {Look.KERNEL} if "kernel" in traces else set()
    looks |= {Look.WEIGHT} if any("×" in text for text in texts) else set()
    return looks


grids = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1)).map(
    lambda t: np.random.default_rng(t[2]).integers(0, 10, size=(t[0], t[1])).astype(float))


def check(trace: ops.Trace, picked: tuple[int, int] | None) -> None:
    spec = viz.window_animation(trace, LABELS, picked=picked).to_dict()
    looks = viz.window_looks(trace, picked)
    assert looks == drawn_looks(spec)
    for language in i18n.LANGUAGES:
        lines = legend(looks, language, trace.dilation).split("<br>")
        assert len(lines) == len(looks) + 1  # one line per look, then the note on the controls
        for look in looks:
            assert sum(i18n.t(f"legend.{look}", language, dilation=trace.dilation) in line for line in lines) == 1


@settings(max_examples=80, deadline=None)
@given(x=grids, k=st.integers(1, 7), stride=st.integers(1, 4), padding=st.integers(0, 3), dilation=st.integers(1, 3),
       pick=st.booleans())
def test_conv_legend_lists_exactly_the_looks_drawn(x, k, stride, padding, dilation, pick):
    try:
        trace = ops.conv2d_trace(x, np.full((k, k), 1 / k**2), ConvSettings(stride, padding, dilation))
    except ops.SettingsError:
        assume(False)
    check(trace, (0, 0) if pick else None)
    looks = viz.window_looks(trace)
    assert padding > 0 or Look.PADDING not in looks  # (a window covering all of a small grid paints it orange)
    assert Look.OUTSIDE not in looks and Look.PARTIAL not in looks


@settings(max_examples=80, deadline=None)
@given(x=grids, k=st.integers(1, 5), stride=st.integers(1, 5), padding=st.integers(0, 2), dilation=st.integers(1, 3),
       ceil_mode=st.booleans(), mode=st.sampled_from(["max", "avg"]), pick=st.booleans())
def test_pool_legend_lists_exactly_the_looks_drawn(x, k, stride, padding, dilation, ceil_mode, mode, pick):
    try:
        trace = ops.pool2d_trace(x, PoolSettings(k, stride, padding, dilation, mode, ceil_mode))
    except ops.SettingsError:
        assume(False)
    check(trace, (0, 0) if pick else None)
    looks = viz.window_looks(trace)
    assert (Look.PARTIAL in looks) == any(w.partial for w in trace.windows)
    assert Look.KERNEL not in looks and Look.WEIGHT not in looks


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_the_course_convolution_has_no_padding_line(language):
    from core import course

    trace = ops.conv2d_trace(course.CONV_INPUT, course.CONV_KERNEL)
    text = legend(viz.window_looks(trace), language)
    assert i18n.t("legend.padding", language) not in text and i18n.t("legend.picked", language) not in text
    assert i18n.t("legend.weight", language) in text and i18n.t("legend.kernel", language) in text
    padded_trace = ops.conv2d_trace(course.CONV_INPUT, course.CONV_KERNEL, ConvSettings(padding=1))
    padded = legend(viz.window_looks(padded_trace, (0, 0)), language)
    assert i18n.t("legend.padding", language) in padded and i18n.t("legend.picked", language) in padded


def test_pool_default_shows_the_partial_window_and_its_overhang():
    from core import course

    looks = viz.window_looks(ops.pool2d_trace(course.CONV_INPUT, PoolSettings(3)))  # 5 = 3 + 2: a partial window
    assert {Look.OUTSIDE, Look.PARTIAL} <= looks and Look.PADDING not in looks
    floor = PoolSettings(3, ceil_mode=False)
    assert not {Look.OUTSIDE, Look.PARTIAL} & viz.window_looks(ops.pool2d_trace(course.CONV_INPUT, floor))


@pytest.mark.parametrize("dilation", [2, 3])
def test_dilation_gaps_have_their_own_look_inside_the_window(dilation):
    x = np.arange(81, dtype=float).reshape(9, 9)
    trace = ops.conv2d_trace(x, np.ones((3, 3)), ConvSettings(dilation=dilation))
    spec = viz.window_animation(trace, LABELS).to_dict()
    for frame, window in zip(spec["frames"], trace.windows):
        z = np.array(frame["data"][0]["z"])
        (r0, c0), span = window.origin, dilation * 2 + 1
        inside = np.zeros_like(z, dtype=bool)
        inside[r0 : r0 + span, c0 : c0 + span] = True
        read = np.zeros_like(inside)
        read[tuple(np.array(window.cells).T)] = True
        assert (z[inside & ~read] == base.SKIPPED).all() and (z[read] == base.READ).all()
        assert (z[~inside] != base.SKIPPED).all()
    assert Look.SKIPPED in viz.window_looks(trace)
    assert Look.SKIPPED not in viz.window_looks(ops.conv2d_trace(x, np.ones((3, 3))))


def drawn_widths(spec: dict) -> list[tuple[float, int]]:
    """(width in px, font px) of every line of text in every grid cell of every frame, as the figure draws it."""
    fonts = {t["name"]: t["textfont"]["size"] for t in spec["data"] if t.get("type") == "heatmap"}
    shown = [(t["name"], t["text"]) for t in spec["data"] if t.get("type") == "heatmap"]
    shown += [(name, f["text"]) for frame in spec["frames"] for name, f in zip(("input", "output"), frame["data"])]
    out = []
    for name, rows in shown:
        for cell in (cell for row in rows for cell in row if cell):
            first, _, small = cell.partition("<br>")
            out.append((base.text_em(first) * fonts[name], fonts[name]))
            if small:
                out.append((0.7 * base.text_em(small.split(">")[1].split("<")[0]) * fonts[name], fonts[name]))
    return out


def fits_a_phone(trace: ops.Trace) -> None:
    """No number spills out of its cell; the font stays readable (FLOOR_PX) wherever every number, rounded whole,
    has at most two characters (three-digit sums of a 7×7 edge kernel on 34 cells across need a smaller one)."""
    spec = viz.window_animation(trace, LABELS).to_dict()
    low, high = spec["layout"]["xaxis"]["range"]
    cell = (base.PHONE_PX - 20) / (high - low)  # the plot's width on a 420 px phone, less its margins
    widths = drawn_widths(spec)
    assert max(width for width, _ in widths) <= cell
    values = [*trace.grid[np.isfinite(trace.grid)], *trace.output.ravel(), *(trace.windows[0].weights or ())]
    if max(len(base.cell_text(v, 0)) for v in values) <= 2:
        assert min(font for _, font in widths) >= base.FLOOR_PX


decimal_grids = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1)).map(
    lambda t: np.round(np.random.default_rng(t[2]).uniform(-9.99, 9.99, size=(t[0], t[1])), 2))


def test_a_cell_rounded_to_a_whole_number_shows_it():
    assert [base.cell_text(v, 0) for v in (-0.4, 0.4, -4.6, 2.5)] == ["0", "0", "-5", "2"]
    assert [base.cell_text(v, 2, short=True) for v in (0.0204, -0.5, 3.25)] == [".02", "-.5", "3.25"]


@settings(max_examples=60, deadline=None)
@given(x=st.one_of(grids, decimal_grids), preset=st.sampled_from(kernels.PRESETS), k=st.integers(1, 7),
       stride=st.integers(1, 4), padding=st.integers(0, 3), dilation=st.integers(1, 3))
def test_conv_numbers_fit_their_cells_on_a_phone(x, preset, k, stride, padding, dilation):
    try:
        trace = ops.conv2d_trace(x, kernels.preset(preset, kernels.FIXED_SIZE.get(preset) or k),
                                 ConvSettings(stride, padding, dilation))
    except ops.SettingsError:
        assume(False)
    fits_a_phone(trace)


@settings(max_examples=60, deadline=None)
@given(x=st.one_of(grids, decimal_grids), k=st.integers(1, 5), stride=st.integers(1, 5), padding=st.integers(0, 2),
       dilation=st.integers(1, 3), ceil_mode=st.booleans(), mode=st.sampled_from(["max", "avg"]), include_pad=st.booleans())
def test_pool_numbers_fit_their_cells_on_a_phone(x, k, stride, padding, dilation, ceil_mode, mode, include_pad):
    try:
        trace = ops.pool2d_trace(x, PoolSettings(k, stride, padding, dilation, mode, ceil_mode, include_pad))
    except ops.SettingsError:
        assume(False)
    fits_a_phone(trace)


def test_the_widest_convolution_keeps_two_decimals_in_its_kernel():
    """9×9 input, padding 3, a 7×7 box blur: 34 cells across a phone; the outputs drop to one decimal, the
    kernel keeps 1/49 as .02 rather than 0."""
    x = np.random.default_rng(0).integers(0, 10, (9, 9)).astype(float)
    spec = viz.window_animation(ops.conv2d_trace(x, kernels.preset("box_blur", 7), ConvSettings(padding=3)), LABELS).to_dict()
    kernel = next(t for t in spec["data"] if t.get("name") == "kernel")
    assert {cell for row in kernel["text"] for cell in row} == {".02"}


@settings(max_examples=40, deadline=None)
@given(x=grids, k=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 3),
       output_padding=st.integers(0, 2), dilation=st.integers(1, 3))
def test_transposed_legend_explains_dashes_exactly_when_drawn(x, k, stride, padding, output_padding, dilation):
    from core.basics import transposed

    try:
        trace = transposed.conv_transpose2d_trace(x[:5, :5], np.ones((k, k)),
                                                  TransposeSettings(stride, padding, output_padding, dilation))
    except ops.SettingsError:
        assume(False)
    spec = viz.scatter_animation(trace, LABELS).to_dict()
    dashed = any(s["line"].get("dash") == "dash" for f in spec["frames"] for s in f["layout"]["shapes"])
    assert viz.scatter_cropped(trace) == dashed
    assert padding > 0 or not dashed  # the course's defaults draw no dashes, so their legend names none
