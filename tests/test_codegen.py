"""The code each page shows prints, when run, exactly what PyTorch computes for the page's settings."""
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core import course
from core.basics import codegen, ops
from core.basics.ops import ConvSettings, PoolSettings

ints = st.tuples(st.integers(2, 7), st.integers(2, 7), st.integers(0, 10**6)).map(
    lambda t: np.random.default_rng(t[2]).integers(-4, 9, size=(t[0], t[1])).astype(float))


@settings(max_examples=40, deadline=None)
@given(x=ints, k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2),
       fractional=st.booleans())
def test_conv_code_prints_the_convolution(x, k, stride, padding, dilation, fractional):
    w = np.random.default_rng(k).integers(-2, 3, size=(k, k)).astype(float) / (4 if fractional else 1)
    try:
        trace = ops.conv2d_trace(x, w, ConvSettings(stride, padding, dilation))
    except ops.SettingsError:
        return
    printed = codegen.run(codegen.conv2d(x, w, ConvSettings(stride, padding, dilation)))
    dtype = torch.int64 if codegen.integral(x, w) else torch.float32
    expected = F.conv2d(torch.tensor(x, dtype=dtype)[None, None], torch.tensor(w, dtype=dtype)[None, None],
                        stride=stride, padding=padding, dilation=dilation)
    assert printed == str(expected)
    np.testing.assert_allclose(expected[0, 0].double().numpy(), trace.output, rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(x=ints, k=st.integers(1, 4), stride=st.integers(1, 4), padding=st.integers(0, 2), ceil_mode=st.booleans(),
       mode=st.sampled_from(["max", "avg"]), include_pad=st.booleans())
def test_pool_code_prints_the_pooling(x, k, stride, padding, ceil_mode, mode, include_pad):
    pool = PoolSettings(k, stride, padding, 1, mode, ceil_mode, include_pad)
    try:
        trace = ops.pool2d_trace(x, pool)
    except ops.SettingsError:
        return
    printed = codegen.run(codegen.pool2d(x, pool))
    t = torch.tensor(x, dtype=torch.float32)[None, None]
    if mode == "max":
        expected = F.max_pool2d(t, k, stride, padding, 1, ceil_mode=ceil_mode)
    else:
        expected = F.avg_pool2d(t, k, stride, padding, ceil_mode=ceil_mode, count_include_pad=include_pad)
    assert printed == str(expected)
    np.testing.assert_allclose(expected[0, 0].double().numpy(), trace.output, rtol=1e-6)


def test_course_snippets_print_the_course_numbers():
    assert codegen.run(codegen.conv2d(course.CONV_INPUT, course.CONV_KERNEL, ConvSettings(2, 0, 1))) == (
        "tensor([[[[10, 12],\n          [13,  3]]]])")
    assert codegen.run(codegen.pool2d(course.CONV_INPUT, PoolSettings(3, 3, ceil_mode=False))) == "tensor([[[[2.]]]])"
    printed = codegen.run(codegen.activations(course.ACTIVATION_INPUT))
    assert printed.startswith("tensor([[1., 0.],\n        [0., 3.]])") and printed.endswith("torch.Size([1, 1, 2, 2])")
    assert codegen.run(codegen.losses(course.LOSS_INPUT, course.LOSS_TARGET, course.CROSS_ENTROPY_LOGITS, 1)) == (
        "tensor(0.6667)\ntensor(1.3333)\ntensor(1.1019)")
    assert codegen.run(codegen.flatten(64, 3, 32, 32)).splitlines() == [
        "torch.Size([196608])", "torch.Size([64, 3072])", "torch.Size([64, 10])"]


def test_matrices_are_written_the_course_way():
    assert codegen.literal(course.CONV_KERNEL, 8, True) == "[[1, 2, 1],\n         [0, 1, 0],\n         [2, 1, 0]]"
    assert codegen.literal([0.1, 0.2, 0.3], 0, False) == "[0.1, 0.2, 0.3]"
    weight = np.arange(8).reshape(2, 1, 2, 2)  # a conv weight [out, in, kh, kw]: each matrix aligned under its bracket
    assert codegen.tensor_line("weight", weight, True) == (
        "weight = torch.tensor([[[[0, 1],\n"
        "                         [2, 3]]],\n"
        "                       [[[4, 5],\n"
        "                         [6, 7]]]])")
    assert codegen.tensor_line("x", [1.0, 2.0], True, float32=True) == "x = torch.tensor([1, 2], dtype=torch.float32)"
