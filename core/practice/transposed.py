"""Transposed-convolution questions: the output size, and which output_padding gives back a convolution's input size.

``output_padding`` exists because a stride-s convolution maps several input sizes to one output size; the
transposed convolution with the same settings gives the smallest of them, and output_padding picks another.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

import torch
import torch.nn.functional as F

from core.basics import ops, sizes, transposed
from core.practice.question import Form, Line, Question


def _out(n: int, k: int, stride: int, padding: int, output_padding: int, dilation: int) -> int:
    """The size F.conv_transpose2d gives an n×n input: PyTorch's own answer."""
    return F.conv_transpose2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, padding=padding,
                              output_padding=output_padding, dilation=dilation).shape[-1]


def _settings(rng: random.Random, mine: Mapping | None) -> tuple[tuple[int, int], tuple[int, int], dict[str, int]]:
    """((H, W), (kH, kW), the four settings): the page's, or drawn until F.conv_transpose2d accepts them."""
    while True:
        if mine is not None:
            shape, kernel = tuple(mine["x"].shape), tuple(mine["weight"].shape)
            s = {n: int(mine[n]) for n in ("stride", "padding", "output_padding", "dilation")}
        else:
            k = rng.randint(1, 4)
            shape, kernel = (rng.randint(2, 6), rng.randint(2, 6)), (k, k)
            s = {"stride": rng.randint(1, 3), "padding": rng.randint(0, 2), "dilation": rng.choice((1, 1, 2))}
            s["output_padding"] = rng.randint(0, max(s["stride"], s["dilation"]) - 1)
        try:
            transposed.check(shape, kernel, s["stride"], s["padding"], s["output_padding"], s["dilation"])
        except ops.SettingsError:
            if mine is not None:
                raise
            continue
        return shape, kernel, s


def output_size(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The output shape of F.conv_transpose2d for [1, 1, H, W] and a kernel [1, 1, kH, kW]."""
    (h, w), (kh, kw), s = _settings(rng, mine)
    out = F.conv_transpose2d(torch.zeros(1, 1, h, w), torch.zeros(1, 1, kh, kw), **s).shape
    worked = tuple(Line(f"{axis}_out = " + transposed.size_formula(n, k, s["stride"], s["padding"],
                                                                  s["output_padding"], s["dilation"]))
                   for axis, n, k in (("H", h, kh), ("W", w, kw)))
    return Question("transpose_size", Form.SHAPE, tuple(out), worked, "hint_transpose_size",
                    {"h": h, "w": w, "kh": kh, "kw": kw, **s})


def output_padding(rng: random.Random, mine: Mapping | None = None) -> Question:
    """nn.Conv2d(k, stride, padding) took an N×N input to M×M; ConvTranspose2d with the same settings gives T×T
    from M×M. Which output_padding makes it N×N again? (Always N − T, and less than the stride.)"""
    while True:
        k, stride, padding = rng.randint(2, 5), rng.randint(2, 3), rng.randint(0, 2)
        n = rng.randint(5, 16)
        if n + 2 * padding < k:
            continue
        m = sizes.conv_output_size(n, k, stride, padding)
        back = _out(m, k, stride, padding, 0, 1)
        if 0 <= n - back < stride:
            break
    expected = n - back
    worked = (Line(f"M = {sizes.size_formula(n, k, stride, padding, 1)}"),
              Line(f"T = {transposed.size_formula(m, k, stride, padding, 0, 1)}"),
              Line(f"output_padding = N − T = {n} − {back} = {expected}"))
    return Question("transpose_output_padding", Form.NUMBER, expected, worked, "hint_transpose_output_padding",
                    {"n": n, "m": m, "kernel_size": k, "stride": stride, "padding": padding})
