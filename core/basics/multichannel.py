"""F.conv2d with several input and output channels, written out window by window.

A colour image has 3 channels, so a conv layer's kernel has one k×k slice per input channel: weight
[C_out, C_in / groups, k, k]. Each output cell is the sum of one partial sum per input channel (the three
windows slide together) plus the output channel's bias. With ``groups = 3`` each output channel reads only its
own input channel (depthwise). The tests hold every partial sum and output against F.conv2d.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import i18n
from core.basics.codegen import integral, tensor_lines
from core.basics.ops import ConvSettings, check_conv
from core.basics.sizes import conv_output_size
from core.code.render import render

COURSE_WEIGHT = np.array([[1, 2, 1], [0, 1, 0], [2, 1, 0]])
CROP = 5                           # a photo's crop is as big as the course's matrix


@dataclass(frozen=True)
class ChannelStep:
    """One output cell of one output channel: the per-input-channel partial sums, the bias and their total."""

    out_channel: int
    out: tuple[int, int]
    origin: tuple[int, int]            # the windows' top-left cell on the padded input
    in_channels: tuple[int, ...]       # the input channels this output channel reads (all, or its group's)
    partials: tuple[float, ...]
    bias: float
    value: float


@dataclass(frozen=True)
class MultiTrace:
    grid: np.ndarray                   # [C_in, H + 2p, W + 2p], the zero-padded input
    weight: np.ndarray                 # [C_out, C_in / groups, k, k]
    bias: np.ndarray                   # [C_out]
    stride: int
    padding: int
    dilation: int
    groups: int
    steps: tuple[ChannelStep, ...]
    output: np.ndarray                 # [C_out, H_out, W_out]


def default_weight(out_channels: int, in_per_group: int, k: int) -> np.ndarray:
    """A weight the learner can follow: the course's kernel (cropped or tiled to k×k), scaled differently per slice."""
    base = np.resize(COURSE_WEIGHT, (k, k)) if k != 3 else COURSE_WEIGHT
    signs = [1, -1, 0.5, 2, -0.5, 1.5]
    return np.array([[base * signs[(o + c) % len(signs)] for c in range(in_per_group)] for o in range(out_channels)])


def crop_room(height: int, width: int) -> tuple[int, int] | None:
    """The largest ``top`` and ``left`` a 5×5 crop of a height×width photo may start at; None when it has no room."""
    if min(height, width) < CROP:
        return None
    return height - CROP, width - CROP


def photo_crop(pixels: np.ndarray, top: int, left: int) -> np.ndarray:
    """The 5×5 crop at (top, left) of an [H, W, 3] uint8 photo as three channels R, G, B: [3, 5, 5], 0–255.

    The pixels' own whole numbers, as ``torch.tensor(crop, dtype=torch.float32)`` holds them: with the
    weights' halves every sum is exact in float32, so the printed output and the cells agree to the digit
    (ToTensor's x / 255 has no short exact form to write in a cell or in the code).
    """
    room = crop_room(*pixels.shape[:2])
    if room is None or not (0 <= top <= room[0] and 0 <= left <= room[1]):
        raise ValueError(f"no 5×5 crop at ({top}, {left}) of a {pixels.shape[0]}×{pixels.shape[1]} photo")
    return np.asarray(pixels[top : top + CROP, left : left + CROP], dtype=float).transpose(2, 0, 1)


def conv2d_trace(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, settings: ConvSettings,
                 groups: int = 1) -> MultiTrace:
    """F.conv2d(x[None], weight, bias, stride, padding, dilation, groups)[0], one output cell at a time: the
    convolution page's settings (the same object its one-channel trace takes) and its channel view's ``groups``."""
    stride, padding, dilation = settings.stride, settings.padding, settings.dilation
    x, weight, bias = (np.asarray(a, dtype=np.float64) for a in (x, weight, bias))
    c_in, h, w = x.shape
    c_out, per_group, kh, kw = weight.shape
    check_conv((h, w), (kh, kw), stride, padding, dilation)
    grid = np.zeros((c_in, h + 2 * padding, w + 2 * padding))
    grid[:, padding : padding + h, padding : padding + w] = x
    oh, ow = conv_output_size(h, kh, stride, padding, dilation), conv_output_size(w, kw, stride, padding, dilation)
    out = np.zeros((c_out, oh, ow))
    outs_per_group = c_out // groups
    steps = []
    for o in range(c_out):
        first = (o // outs_per_group) * per_group
        channels = tuple(range(first, first + per_group))
        for i in range(oh):
            for j in range(ow):
                r0, c0 = i * stride, j * stride
                window = grid[:, r0 : r0 + dilation * (kh - 1) + 1 : dilation, c0 : c0 + dilation * (kw - 1) + 1 : dilation]
                partials = tuple(float(np.sum(window[c] * weight[o, c - first])) for c in channels)
                out[o, i, j] = sum(partials) + bias[o]
                steps.append(ChannelStep(o, (i, j), (r0, c0), channels, partials, float(bias[o]), float(out[o, i, j])))
    return MultiTrace(grid, weight, bias, stride, padding, dilation, groups, tuple(steps), out)


def code(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, settings: ConvSettings,
         groups: int = 1, lang: str = i18n.DEFAULT) -> str:
    """Standalone PyTorch code for this multi-channel convolution, printing the shapes and the output."""
    return render("conv2d_channels", lang, **tensor_lines(integral(x, weight, bias), input=x, weight=weight, bias=bias),
                  input_shape=(1, *np.shape(x)), stride=settings.stride, padding=settings.padding,
                  dilation=settings.dilation, groups=groups)
