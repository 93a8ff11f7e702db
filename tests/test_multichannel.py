"""Multi-channel convolution, window by window, equals F.conv2d (groups included), partial sum by partial sum."""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core import course
from core.basics import multichannel, ops
from core.basics.codegen import run


def conv_settings(s: dict) -> ops.ConvSettings:
    """The convolution page's settings holding this example's stride, padding and dilation."""
    return ops.ConvSettings(s["stride"], s["padding"], s["dilation"])


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
        trace = multichannel.conv2d_trace(x, weight, bias, conv_settings(s), s["groups"])
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
    trace = multichannel.conv2d_trace(x, weight, np.array([1.0, -1.0]), ops.ConvSettings())
    assert trace.output.shape == (2, 3, 3) and len(trace.steps) == 18
    printed = run(multichannel.code(x, weight, np.array([1.0, -1.0]), ops.ConvSettings()))
    assert printed.startswith("torch.Size([1, 3, 5, 5]) torch.Size([2, 3, 3, 3]) -> torch.Size([1, 2, 3, 3])")
    expected = F.conv2d(torch.tensor(x, dtype=torch.float32)[None], torch.tensor(weight, dtype=torch.float32),
                        torch.tensor([1.0, -1.0]))
    assert printed.endswith(str(expected))


@settings(max_examples=80, deadline=None)
@given(st.fixed_dictionaries({
    "h": st.integers(5, 12), "w": st.integers(5, 12), "top": st.integers(0, 7), "left": st.integers(0, 7),
    "k": st.integers(1, 5), "stride": st.integers(1, 3), "padding": st.integers(0, 2), "dilation": st.integers(1, 2),
    "groups": st.sampled_from([1, 3]), "seed": st.integers(0, 2**16)}))
def test_a_photo_crop_s_channels_give_pytorch_s_output_and_code(s):
    """The crop is torchvision's crop of the photo's pixels; the page's default weights on it give F.conv2d's
    float32 result to the digit, and the shown code prints exactly the trace's numbers."""
    from PIL import Image
    from torchvision.transforms import functional as TF

    pixels = np.random.default_rng(s["seed"]).integers(0, 256, size=(s["h"], s["w"], 3), dtype=np.uint8)
    last_top, last_left = multichannel.crop_room(s["h"], s["w"])
    top, left = min(s["top"], last_top), min(s["left"], last_left)
    x = multichannel.photo_crop(pixels, top, left)
    assert np.array_equal(x, TF.crop(TF.pil_to_tensor(Image.fromarray(pixels)), top, left, 5, 5).numpy())
    c_out = 3 if s["groups"] == 3 else 2
    weight, bias = multichannel.default_weight(c_out, 3 // s["groups"], s["k"]), np.array([1.0, -1.0, 0.0][:c_out])
    args = {k: s[k] for k in ("stride", "padding", "dilation", "groups")}
    try:
        trace = multichannel.conv2d_trace(x, weight, bias, conv_settings(s), s["groups"])
    except ops.SettingsError:
        return
    as_float32 = [torch.tensor(a, dtype=torch.float32) for a in (x, weight, bias)]
    expected = F.conv2d(as_float32[0][None], *as_float32[1:], **args)[0]
    assert np.array_equal(trace.output, expected.numpy())
    printed = run(multichannel.code(x, weight, bias, conv_settings(s), s["groups"]))
    assert printed.endswith(str(expected[None]))
    numbers = np.array([float(v) for v in re.findall(r"-?\d+\.\d*(?:e[+-]\d+)?", printed.split("\n", 1)[1])])
    if "e+" not in printed:   # PyTorch's fixed notation has 4 decimals: every half is printed exactly
        assert np.array_equal(numbers, trace.output.ravel())


@pytest.mark.parametrize(("size", "room"), [((1, 1), None), ((10000, 1), None), ((4, 200), None),
                                            ((5, 5), (0, 0)), ((640, 480), (31, 43))])
def test_a_photo_too_small_for_the_crop_has_no_room_after_the_picker_s_resize(size, room):
    from PIL import Image

    from core.data import images

    photo = images.fit(Image.new("RGB", size), 48)
    assert multichannel.crop_room(photo.height, photo.width) == room
    if room is None:
        with pytest.raises(ValueError):
            multichannel.photo_crop(np.asarray(photo), 0, 0)
