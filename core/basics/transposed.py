"""Transposed convolution written out input cell by input cell.

``F.conv_transpose2d`` runs convolution's bookkeeping backwards: instead of a
window gathering many inputs into one output cell, every input cell scatters
``value × kernel`` into the output, and where the scattered copies overlap they
add up. Each step here is one input cell and the output cells it adds to, so a
page can animate the running sums; the tests hold every output cell and its
contributions against PyTorch over generated settings.

Size: out = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1. ``padding`` crops
p cells from each side of the full scatter; ``output_padding`` adds cells on the
bottom/right only (to pick one of the sizes a stride-s convolution maps to the
same output size), so PyTorch requires it to be smaller than stride or dilation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import controls, i18n
from core.basics.codegen import integral, tensor_lines
from core.basics.ops import SettingsError, number
from core.code.render import render


@dataclass(frozen=True)
class TransposeSettings:
    """nn.ConvTranspose2d's arguments as the transposed-convolution page sets them (PyTorch's defaults)."""

    stride: int = controls.slider(1, 1, 4, "conv_transpose.stride")
    padding: int = controls.slider(0, 0, 3, "conv_transpose.padding")
    output_padding: int = controls.slider(0, 0, 3, "conv_transpose.output_padding")
    dilation: int = controls.slider(1, 1, 3, "conv_transpose.dilation")

    def size_lines(self, shape: tuple[int, int], kernel: tuple[int, int]) -> tuple[tuple[str, str], ...]:
        """(axis, the size formula with these numbers) for the height and the width."""
        s, p, op, d = self.stride, self.padding, self.output_padding, self.dilation
        return tuple((axis, size_formula(n, k, s, p, op, d)) for axis, n, k in zip("HW", shape, kernel))


SIZE_LATEX = (r"\begin{aligned}H_{out} = {} & (H_{in} - 1)\,s - 2p + d\,(k-1) \\ & + \text{output\_padding} + 1"
              r"\end{aligned}")  # nn.ConvTranspose2d's docs


def output_size(n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1) -> int:
    """(n − 1)·s − 2p + d·(k − 1) + output_padding + 1, the formula in the nn.ConvTranspose2d docs."""
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1


def size_formula(n: int, k: int, stride: int, padding: int, output_padding: int, dilation: int) -> str:
    """The output-size formula with the numbers plugged in."""
    value = output_size(n, k, stride, padding, output_padding, dilation)
    return f"({n}−1)×{stride} − 2×{padding} + {dilation}×({k}−1) + {output_padding} + 1 = {value}"


def check(shape: tuple[int, int], kernel: tuple[int, int], stride: int, padding: int, output_padding: int,
          dilation: int) -> None:
    """Raise SettingsError exactly where F.conv_transpose2d would refuse these settings."""
    if stride < 1 or dilation < 1 or padding < 0 or output_padding < 0 or min(kernel) < 1:
        raise SettingsError("bad_hyper", stride=stride, padding=padding, dilation=dilation)
    if output_padding >= stride and output_padding >= dilation:
        raise SettingsError("output_padding_too_big", output_padding=output_padding, stride=stride, dilation=dilation,
                            limit=max(stride, dilation) - 1)
    sizes = [output_size(n, k, stride, padding, output_padding, dilation) for n, k in zip(shape, kernel)]
    if min(sizes) < 1:
        n, k = shape[sizes.index(min(sizes))], kernel[sizes.index(min(sizes))]
        full = output_size(n, k, stride, 0, output_padding, dilation)
        raise SettingsError("transpose_too_small", size=min(sizes), full=full, padding=padding,
                            limit=(full - 1) // 2)


@dataclass(frozen=True)
class Scatter:
    """One input cell's step: ``value × kernel`` added into the output.

    ``targets`` are the output cells it reaches (kernel order; those cropped away
    by padding are left out), ``weights`` the kernel values used there, and
    ``after`` the whole output once this step's products are added.
    """

    source: tuple[int, int]
    value: float
    targets: tuple[tuple[int, int], ...]
    weights: tuple[float, ...]
    after: np.ndarray

    @property
    def products(self) -> tuple[float, ...]:
        return tuple(self.value * w for w in self.weights)


@dataclass(frozen=True)
class TransposeTrace:
    """Every step of one transposed convolution; ``output`` equals F.conv_transpose2d."""

    x: np.ndarray
    weight: np.ndarray
    stride: int
    padding: int
    output_padding: int
    dilation: int
    steps: tuple[Scatter, ...]
    output: np.ndarray

    def contributions(self, r: int, c: int) -> list[tuple[tuple[int, int], float, float]]:
        """What output cell (r, c) received: (input cell, its value, the kernel weight) for each step reaching it."""
        return [(s.source, s.value, w) for s in self.steps for t, w in zip(s.targets, s.weights) if t == (r, c)]


def conv_transpose2d_trace(x: np.ndarray, weight: np.ndarray, settings: TransposeSettings) -> TransposeTrace:
    """F.conv_transpose2d on one channel (no bias), one step per input cell in reading order."""
    x, weight = np.asarray(x, dtype=np.float64), np.asarray(weight, dtype=np.float64)
    stride, padding, output_padding, dilation = (settings.stride, settings.padding, settings.output_padding,
                                                 settings.dilation)
    check(x.shape, weight.shape, stride, padding, output_padding, dilation)
    oh, ow = (output_size(n, k, stride, padding, output_padding, dilation) for n, k in zip(x.shape, weight.shape))
    out = np.zeros((oh, ow))
    steps = []
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            targets, weights = [], []
            for a in range(weight.shape[0]):
                for b in range(weight.shape[1]):
                    r, c = i * stride + a * dilation - padding, j * stride + b * dilation - padding
                    if 0 <= r < oh and 0 <= c < ow:
                        targets.append((r, c))
                        weights.append(float(weight[a, b]))
                        out[r, c] += x[i, j] * weight[a, b]
            steps.append(Scatter((i, j), float(x[i, j]), tuple(targets), tuple(weights), out.copy()))
    return TransposeTrace(x, weight, stride, padding, output_padding, dilation, tuple(steps), out)


def step_formula(step: Scatter, digits: int = 4) -> str:
    """One step's arithmetic: "x[0,0] = 10: out[0,0] += 10×1, out[0,1] += 10×2, …"."""
    value = number(step.value, digits)
    adds = ", ".join(f"out[{r},{c}] += {value}×{number(w, digits)}" for (r, c), w in zip(step.targets, step.weights))
    return f"x[{step.source[0]},{step.source[1]}] = {value}: {adds or '—'}"


def code(x: np.ndarray, weight: np.ndarray, settings: TransposeSettings, lang: str = i18n.DEFAULT) -> str:
    """Standalone PyTorch code for these matrices and settings (float tensors: conv_transpose2d has no int kernel)."""
    (h, w), (kh, kw) = np.shape(x), np.shape(weight)
    return render("conv_transpose2d", lang, **tensor_lines(integral(x, weight), True, input=x, kernel=weight),
                  input_shape=(1, 1, h, w), kernel_shape=(1, 1, kh, kw), **vars(settings))
