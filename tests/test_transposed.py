"""The transposed convolution's steps equal F.conv_transpose2d, cell by cell and contribution by contribution."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core import course
from core.basics import ops, transposed
from core.basics.codegen import run
from core.basics.transposed import TransposeSettings

COURSE_RESULT = [[10, 12, 12], [18, 16, 16], [13, 9, 3]]
UP = TransposeSettings(stride=2, padding=1, output_padding=1)  # the course result back to 5×5


def torch4d(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64)).reshape(1, 1, *np.shape(a))


def test_course_result_goes_back_to_5x5_but_not_to_the_input():
    trace = transposed.conv_transpose2d_trace(COURSE_RESULT, course.CONV_KERNEL, TransposeSettings())
    assert trace.output.shape == (5, 5)
    assert not np.array_equal(trace.output, course.CONV_INPUT)
    assert trace.output[0, 0] == 10 and trace.output[0, 1] == 10 * 2 + 12 * 1
    assert len(trace.steps) == 9 and all(len(s.targets) == 9 for s in trace.steps)
    assert transposed.size_formula(3, 3, 1, 0, 0, 1) == "(3−1)×1 − 2×0 + 1×(3−1) + 0 + 1 = 5"


def test_padding_crops_and_output_padding_adds_a_row():
    trace = transposed.conv_transpose2d_trace(COURSE_RESULT, course.CONV_KERNEL, UP)
    assert trace.output.shape == (6, 6)
    expected = F.conv_transpose2d(torch4d(COURSE_RESULT), torch4d(course.CONV_KERNEL), stride=2, padding=1,
                                  output_padding=1)[0, 0].numpy()
    assert np.array_equal(trace.output, expected)


settings_strategy = st.fixed_dictionaries({
    "h": st.integers(1, 5), "w": st.integers(1, 5), "kh": st.integers(1, 4), "kw": st.integers(1, 4),
    "stride": st.integers(1, 4), "padding": st.integers(0, 4), "output_padding": st.integers(0, 3),
    "dilation": st.integers(1, 3), "seed": st.integers(0, 2**16),
})


@settings(max_examples=250, deadline=None)
@given(settings_strategy)
def test_every_cell_and_its_contributions_equal_pytorch(s):
    rng = np.random.default_rng(s["seed"])
    x, w = rng.integers(-4, 6, size=(s["h"], s["w"])), rng.integers(-3, 4, size=(s["kh"], s["kw"]))
    args = {k: s[k] for k in ("stride", "padding", "output_padding", "dilation")}
    try:
        expected = F.conv_transpose2d(torch4d(x), torch4d(w), **args)[0, 0].numpy()
    except RuntimeError:
        refused = True
    else:
        refused = False
    try:
        trace = transposed.conv_transpose2d_trace(x, w, TransposeSettings(**args))
    except ops.SettingsError:
        assert refused, args   # the page refuses exactly what PyTorch refuses
        return
    assert not refused, args
    assert np.array_equal(trace.output, expected)
    assert np.array_equal(trace.steps[-1].after, expected)
    for r in range(expected.shape[0]):
        for c in range(expected.shape[1]):
            total = sum(v * wt for _, v, wt in trace.contributions(r, c))
            assert total == expected[r, c]
    # each step's running sums: the output of the input with only the cells seen so far
    k = len(trace.steps) // 2
    partial = np.zeros_like(x)
    partial.ravel()[: k + 1] = x.ravel()[: k + 1]
    assert np.array_equal(trace.steps[k].after, F.conv_transpose2d(torch4d(partial), torch4d(w), **args)[0, 0].numpy())


def test_the_refusals_name_a_fix_that_pytorch_accepts():
    with pytest.raises(ops.SettingsError) as big:
        transposed.conv_transpose2d_trace(COURSE_RESULT, course.CONV_KERNEL, TransposeSettings(output_padding=1))
    assert big.value.code == "output_padding_too_big" and big.value.params["limit"] == 0
    with pytest.raises(ops.SettingsError) as small:
        transposed.conv_transpose2d_trace(COURSE_RESULT, course.CONV_KERNEL, TransposeSettings(padding=3))
    assert small.value.code == "transpose_too_small" and small.value.params["limit"] == 2
    F.conv_transpose2d(torch4d(COURSE_RESULT), torch4d(course.CONV_KERNEL), padding=small.value.params["limit"])


def test_the_code_prints_what_the_page_shows():
    trace = transposed.conv_transpose2d_trace(COURSE_RESULT, course.CONV_KERNEL, UP)
    printed = run(transposed.code(np.array(COURSE_RESULT), course.CONV_KERNEL, UP))
    assert "torch.Size([1, 1, 6, 6])" in printed
    expected = F.conv_transpose2d(torch4d(COURSE_RESULT).float(), torch4d(course.CONV_KERNEL).float(), stride=2,
                                  padding=1, output_padding=1)
    assert str(expected) in printed and trace.output.shape == (6, 6)
