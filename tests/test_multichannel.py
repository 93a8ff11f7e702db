"""Multi-channel convolution, window by window, equals F.conv2d (groups included), partial sum by partial sum."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core import course, multichannel, ops
from core.codegen import run


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({
    "h": st.integers(2, 6), "w": st.integers(2, 6), "k": st.integers(1, 4), "stride": st.integers(1, 3),
    "padding": st.integers(0, 2), "dilation": st.integers(1, 2), "groups": st.sampled_from([1, 3]),
    "out_per_group": st.integers(1, 2), "seed": st.integers(0, 2**16)}))
def test_every_output_and_partial_sum_equal_pytorch(s):
    rng = np.random.default_rng(s["seed"])
    c_out = 3 * s["out_per_group"] if s["groups"] == 3 else 2
    x = rng.integers(-3, 5, size=(3, s["h"], s["w"])).astype(float)
    weight = rng.integers(-2, 3, size=(c_out, 3 // s["groups"], s["k"], s["k"])).astype(float)
    bias = rng.integers(-2, 3, size=c_out).astype(float)
    args = {k: s[k] for k in ("stride", "padding", "dilation", "groups")}
    try:
        trace = multichannel.conv2d_trace(x, weight, bias, **args)
    except ops.SettingsError:
        with pytest.raises(RuntimeError):
            F.conv2d(torch.tensor(x)[None], torch.tensor(weight), torch.tensor(bias), **args)
        return
    expected = F.conv2d(torch.tensor(x)[None], torch.tensor(weight), torch.tensor(bias), **args)[0].numpy()
    assert np.array_equal(trace.output, expected)
    no_bias = F.conv2d(torch.tensor(x)[None], torch.tensor(weight), **args)[0]
    per_group = 3 // s["groups"]
    for step in trace.steps:
        assert step.value == sum(step.partials) + step.bias == expected[(step.out_channel, *step.out)]
        for c, partial in zip(step.in_channels, step.partials):   # one channel alone gives its partial sum
            only = np.zeros_like(x)
            only[c] = x[c]
            alone = F.conv2d(torch.tensor(only)[None], torch.tensor(weight), **args)[0]
            assert alone[(step.out_channel, *step.out)].item() == partial
        assert len(step.in_channels) == per_group
        assert sum(step.partials) == no_bias[(step.out_channel, *step.out)].item()


def test_course_matrix_in_three_channels_gives_two_output_channels():
    x = np.stack([course.CONV_INPUT] * 3)
    weight = multichannel.default_weight(2, 3, 3)
    trace = multichannel.conv2d_trace(x, weight, np.array([1.0, -1.0]))
    assert trace.output.shape == (2, 3, 3) and len(trace.steps) == 18
    printed = run(multichannel.code(x, weight, np.array([1.0, -1.0]), 1, 0, 1, 1))
    assert printed.startswith("torch.Size([1, 3, 5, 5]) torch.Size([2, 3, 3, 3]) -> torch.Size([1, 2, 3, 3])")
    expected = F.conv2d(torch.tensor(x, dtype=torch.float32)[None], torch.tensor(weight, dtype=torch.float32),
                        torch.tensor([1.0, -1.0]))
    assert printed.endswith(str(expected))
