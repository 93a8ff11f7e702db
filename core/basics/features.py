"""Convolutions on a real photo: what a kernel does to an RGB image, channel by channel."""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from core.basics import kernels
from core.basics.ops import PoolSettings
from core.data import images


def to_tensor(im: Image.Image) -> torch.Tensor:
    """[1, 3, H, W] floats in 0–1, as transforms.ToTensor gives (plus the batch dimension)."""
    a = torch.from_numpy(np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0)
    return a.permute(2, 0, 1).unsqueeze(0)


def rgb_convolution(x: torch.Tensor, kernel: np.ndarray, stride: int = 1, padding: int = 0,
                    dilation: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """One output channel from 3 input channels: the kernel runs over R, G and B and the three results are summed.

    Returns (per-channel results [3, H', W'], their sum [H', W']); the sum is
    exactly F.conv2d with a [1, 3, k, k] weight, which the tests check.
    """
    k = torch.as_tensor(kernel, dtype=torch.float32)[None, None]
    per_channel = F.conv2d(x.transpose(0, 1), k, stride=stride, padding=padding, dilation=dilation)[:, 0]
    summed = F.conv2d(x, k.expand(1, 3, *k.shape[-2:]), stride=stride, padding=padding, dilation=dilation)[0, 0]
    return per_channel, summed


def preset_maps(x: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    """Feature maps [N, H, W] of several preset kernels (padding keeps the size), each summed over RGB."""
    weight = torch.stack([torch.as_tensor(kernels.preset(n, 3), dtype=torch.float32) for n in names])
    return F.conv2d(x, weight[:, None].expand(-1, 3, 3, 3), padding=1)[0]


def course_conv(x: torch.Tensor, seed: int = 0) -> tuple[nn.Conv2d, torch.Tensor]:
    """The course's nn.Conv2d(3, 6, 3) as ``torch.manual_seed(seed)`` would initialise it, and its output for x.

    The weights come from a local generator, drawn exactly as nn.Conv2d.reset_parameters
    draws them from the global one (the tests check), so no other learner's
    random numbers move. The layer is made on the meta device first, so even
    its construction draws nothing from the global generator.
    """
    layer = nn.Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0, device="meta")
    layer = layer.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        bound = 1 / math.sqrt(layer.weight[0].numel())
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        return layer, layer(x)


def pool(x: torch.Tensor, settings: PoolSettings) -> torch.Tensor:
    """F.max_pool2d or F.avg_pool2d with the pooling page's settings, on every channel of x."""
    k, s, p = settings.kernel_size, settings.step, settings.padding
    if settings.mode == "max":
        return F.max_pool2d(x, k, s, p, settings.dilation, ceil_mode=settings.ceil_mode)
    return F.avg_pool2d(x, k, s, p, ceil_mode=settings.ceil_mode, count_include_pad=settings.count_include_pad)


def to_image(x: torch.Tensor) -> Image.Image:
    """A [1, 3, H, W] tensor of 0–1 values back to a picture (values outside 0–1 clipped)."""
    return Image.fromarray(images.to_uint8(x[0]))
