"""The step-by-step views equal torch.nn.functional, window by window."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core.basics import ops, sizes
from core.basics.ops import ConvSettings, PoolSettings

COURSE_INPUT = np.array([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]])
COURSE_KERNEL = np.array([[1, 2, 1], [0, 1, 0], [2, 1, 0]])


def torch4d(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64).reshape(1, 1, *a.shape)


def torch_rejects(fn) -> bool:
    try:
        fn()
    except RuntimeError:
        return True
    return False


def test_course_convolution_results():
    assert ops.conv2d_trace(COURSE_INPUT, COURSE_KERNEL).output.tolist() == [[10, 12, 12], [18, 16, 16], [13, 9, 3]]
    assert ops.conv2d_trace(COURSE_INPUT, COURSE_KERNEL, ConvSettings(stride=2)).output.tolist() == [[10, 12], [13, 3]]
    assert ops.conv2d_trace(COURSE_INPUT, COURSE_KERNEL, ConvSettings(padding=1)).output.tolist() == [
        [1, 3, 4, 10, 8], [5, 10, 12, 12, 6], [7, 18, 16, 16, 8], [11, 13, 9, 3, 4], [14, 13, 9, 7, 4]]


def test_course_first_window_is_written_out():
    first = ops.conv2d_trace(COURSE_INPUT, COURSE_KERNEL).windows[0]
    assert ops.window_formula(first) == "1×1 + 2×2 + 0×1 + 0×0 + 1×1 + 2×0 + 1×2 + 2×1 + 1×0 = 10"


def test_course_max_pool_ceil_mode():
    ceil = ops.pool2d_trace(COURSE_INPUT, PoolSettings(3, ceil_mode=True))
    assert ceil.output.tolist() == [[2, 3], [5, 1]]
    assert [w.partial for w in ceil.windows] == [False, True, True, True]
    assert ops.pool2d_trace(COURSE_INPUT, PoolSettings(3, ceil_mode=False)).output.tolist() == [[2]]


def test_size_formula_plugs_in_the_numbers():
    assert sizes.size_formula(5, 3, 1, 0, 1) == "⌊(5 + 2×0 − 1×(3−1) − 1) / 1⌋ + 1 = 3"
    assert sizes.size_formula(32, 5, 1, 2, 1) == "⌊(32 + 2×2 − 1×(5−1) − 1) / 1⌋ + 1 = 32"
    assert sizes.size_formula(5, 3, 3, 0, 1, ceil_mode=True) == "⌈(5 + 2×0 − 1×(3−1) − 1) / 3⌉ + 1 = 2"


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    # n=5, k=2, s=2, p=1: ⌈(5+2−1−1)/2⌉+1 = 4, but the 4th window would start at 6 ≥ n+p.
    assert sizes.last_window_dropped(5, 2, 2, 1)
    assert sizes.pool_output_size(5, 2, 2, 1, ceil_mode=True) == 3
    assert F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[-1] == 3


def test_number_formatting_matches_the_course():
    assert [ops.number(v) for v in (10.0, 0.6666666, -np.inf, -0.0, 1.5)] == ["10", "0.6667", "−∞", "0", "1.5"]


matrices = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1)).map(
    lambda t: np.random.default_rng(t[2]).integers(-5, 10, size=(t[0], t[1])).astype(float))


@settings(max_examples=300, deadline=None)
@given(x=matrices, kh=st.integers(1, 5), kw=st.integers(1, 5), stride=st.integers(1, 3),
       padding=st.integers(0, 3), dilation=st.integers(1, 3), seed=st.integers(0, 1000))
def test_conv2d_every_window_equals_torch(x, kh, kw, stride, padding, dilation, seed):
    w = np.random.default_rng(seed).integers(-3, 4, size=(kh, kw)).astype(float)
    call = lambda: F.conv2d(torch4d(x), torch4d(w), stride=stride, padding=padding, dilation=dilation)  # noqa: E731
    if torch_rejects(call):
        with pytest.raises(ops.SettingsError):
            ops.conv2d_trace(x, w, ConvSettings(stride, padding, dilation))
        return
    trace = ops.conv2d_trace(x, w, ConvSettings(stride, padding, dilation))
    expected = call()[0, 0].numpy()
    np.testing.assert_allclose(trace.output, expected)
    patches = F.unfold(torch4d(x), (kh, kw), dilation=dilation, padding=padding, stride=stride)[0].T.numpy()
    assert len(trace.windows) == expected.size == len(patches)
    for window, patch in zip(trace.windows, patches):
        np.testing.assert_allclose(window.inputs, patch)
        assert window.value == pytest.approx(expected[window.out])


@settings(max_examples=400, deadline=None)
@given(x=matrices, k=st.integers(1, 5), stride=st.integers(1, 4), padding=st.integers(0, 3),
       dilation=st.integers(1, 3), ceil_mode=st.booleans())
def test_max_pool_every_window_equals_torch(x, k, stride, padding, dilation, ceil_mode):
    call = lambda: F.max_pool2d(torch4d(x), k, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True)  # noqa: E731
    if torch_rejects(call):
        with pytest.raises(ops.SettingsError):
            ops.pool2d_trace(x, PoolSettings(k, stride, padding, dilation, ceil_mode=ceil_mode))
        return
    trace = ops.pool2d_trace(x, PoolSettings(k, stride, padding, dilation, ceil_mode=ceil_mode))
    values, indices = (t[0, 0].numpy() for t in call())
    np.testing.assert_array_equal(trace.output, values)
    for window in trace.windows:
        assert window.value == values[window.out]
        if np.isfinite(window.value):  # a window over padding alone gives −∞, and PyTorch's index is then meaningless
            source = divmod(int(indices[window.out]), x.shape[1])
            assert (source[0] + padding, source[1] + padding) in window.cells
            assert x[source] == window.value


@settings(max_examples=400, deadline=None)
@given(x=matrices, k=st.integers(1, 5), stride=st.integers(1, 4), padding=st.integers(0, 3),
       ceil_mode=st.booleans(), count_include_pad=st.booleans())
def test_avg_pool_every_window_equals_torch(x, k, stride, padding, ceil_mode, count_include_pad):
    call = lambda: F.avg_pool2d(torch4d(x), k, stride, padding, ceil_mode, count_include_pad)  # noqa: E731
    if torch_rejects(call):
        with pytest.raises(ops.SettingsError):
            ops.pool2d_trace(x, PoolSettings(k, stride, padding, 1, "avg", ceil_mode, count_include_pad))
        return
    trace = ops.pool2d_trace(x, PoolSettings(k, stride, padding, 1, "avg", ceil_mode, count_include_pad))
    expected = call()[0, 0].numpy()
    np.testing.assert_allclose(trace.output, expected)
    for window in trace.windows:
        assert window.value == pytest.approx(expected[window.out])


def test_partial_windows_only_in_ceil_mode():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.integers(0, 9, size=rng.integers(3, 9, size=2))
        k, s = int(rng.integers(2, 4)), int(rng.integers(2, 4))
        assert not any(w.partial for w in ops.pool2d_trace(x, PoolSettings(k, s, ceil_mode=False)).windows)


def test_cell_kinds_mark_padding_and_overhang():
    trace = ops.pool2d_trace(COURSE_INPUT, PoolSettings(2, 2, 1, ceil_mode=True))
    assert trace.cell_kind(0, 0) == "padding"
    assert trace.cell_kind(1, 1) == "input"
    assert trace.grid[0, 0] == -np.inf
    conv = ops.conv2d_trace(COURSE_INPUT, COURSE_KERNEL, ConvSettings(padding=1))
    assert conv.grid[0, 0] == 0 and conv.cell_kind(0, 0) == "padding"
    overhang = ops.pool2d_trace(COURSE_INPUT, PoolSettings(3, ceil_mode=True))
    assert overhang.grid.shape == (6, 6) and overhang.cell_kind(5, 5) == "outside"


def test_settings_errors_carry_what_the_message_needs():
    with pytest.raises(ops.SettingsError) as err:
        ops.conv2d_trace(COURSE_INPUT, np.ones((7, 7)))
    assert err.value.code == "conv_kernel_too_big"
    assert err.value.params == {"padded": 5, "effective": 7, "need": 1}
    with pytest.raises(ops.SettingsError) as err:
        ops.pool2d_trace(COURSE_INPUT, PoolSettings(3, padding=2, ceil_mode=False))
    assert err.value.code == "pool_pad_too_big" and err.value.params["limit"] == 1
    with pytest.raises(ops.SettingsError) as err:
        ops.pool2d_trace(COURSE_INPUT, PoolSettings(3, dilation=2, mode="avg", ceil_mode=False))
    assert err.value.code == "avg_no_dilation"


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 7), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_a_cell_is_read_by_as_many_windows_as_its_gradient_says(n, k, stride, padding, dilation):
    """Clicking an input cell counts the windows reading it: with an all-ones kernel that is d(sum of output)/dx."""
    if n + 2 * padding < dilation * (k - 1) + 1:
        return
    trace = ops.conv2d_trace(np.zeros((n, n)), np.ones((k, k)), ConvSettings(stride, padding, dilation))
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=stride, padding=padding, dilation=dilation).sum().backward()
    counts = [[len(trace.readers((r + padding, c + padding))) for c in range(n)] for r in range(n)]
    assert counts == x.grad[0, 0].int().tolist()
    for step, window in enumerate(trace.windows):
        assert trace.step_of(window.out) == step
