"""Convolutions on a photo: per-channel results add up to what nn.Conv2d computes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.basics import features, kernels
from core.basics.ops import PoolSettings


@pytest.mark.parametrize("name,stride,padding,dilation", [("course", 1, 0, 1), ("box_blur", 2, 1, 1),
                                                          ("random", 1, 2, 2), ("sobel_x", 3, 0, 1)])
def test_rgb_convolution_is_the_sum_of_three_channels(photo, name, stride, padding, dilation):
    x = features.to_tensor(photo)
    kernel = kernels.preset(name, 3, seed=1)
    per_channel, summed = features.rgb_convolution(x, kernel, stride, padding, dilation)
    weight = torch.tensor(kernel, dtype=torch.float32).expand(1, 3, 3, 3)
    expected = F.conv2d(x, weight, stride=stride, padding=padding, dilation=dilation)[0, 0]
    assert torch.allclose(summed, expected, atol=1e-5)
    assert torch.allclose(per_channel.sum(0), summed, atol=1e-5)


def test_to_tensor_matches_torchvision(photo):
    from torchvision import transforms
    assert torch.equal(features.to_tensor(photo)[0], transforms.ToTensor()(photo))


def test_course_conv_shapes(photo):
    layer, out = features.course_conv(features.to_tensor(photo))
    assert tuple(layer.weight.shape) == (6, 3, 3, 3)
    assert tuple(out.shape) == (1, 6, 46, 62)


def test_preset_maps_keep_the_size_and_identity_sums_the_channels(photo):
    x = features.to_tensor(photo)
    maps = features.preset_maps(x, ("identity", "edge"))
    assert maps.shape == (2, 48, 64)
    assert torch.allclose(maps[0], x[0].sum(0), atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_on_a_photo(photo, mode):
    x = features.to_tensor(photo)
    out = features.pool(x, PoolSettings(3, 3, mode=mode))
    assert out.shape == (1, 3, 16, 22)
    assert features.to_image(out).size == (22, 16)


def test_kernel_presets_have_their_defining_sums():
    for k in range(1, 8):
        assert kernels.preset("identity", k).sum() == 1
        assert np.isclose(kernels.preset("box_blur", k).sum(), 1)
        assert kernels.preset("edge", k).sum() == 0
        assert kernels.preset("sharpen", k).sum() == 1
        assert kernels.preset("random", k).shape == (k, k)
    assert kernels.preset("course").tolist() == [[1, 2, 1], [0, 1, 0], [2, 1, 0]]


def test_course_conv_is_the_seeded_layer_without_touching_the_global_rng(photo):
    """The course writes torch.manual_seed(0) + nn.Conv2d(3, 6, 3); the page builds the same layer from its own generator."""
    x = features.to_tensor(photo)
    state = torch.get_rng_state()
    layer, out = features.course_conv(x)
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(0)
    course = torch.nn.Conv2d(3, 6, 3)
    assert torch.equal(layer.weight, course.weight) and torch.equal(layer.bias, course.bias)
    assert torch.equal(out, course(x).detach())
