"""Convolution and pooling written out window by window.

PyTorch computes ``F.conv2d`` / ``F.max_pool2d`` / ``F.avg_pool2d`` in one call;
a learner wants to see each window, its products and its sum. The functions here
return every window (where it sits on the padded input, which numbers it takes,
what it gives) so the pages can animate it. The tests hold each window and the
final result against ``torch.nn.functional`` over many settings.

All sizes follow PyTorch's own rules, including the ones that surprise learners:
``ceil_mode`` may add a window that hangs over the edge, but only if it starts
inside the input or the left padding; pooling padding may be at most half the
kernel.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core import controls
from core.basics import kernels
from core.basics.sizes import conv_output_size, last_window_dropped, pool_output_size, size_lines
from core.errors import CodedError, ErrorKind

PoolMode = Literal["max", "avg"]


class SettingsError(CodedError, ValueError):
    """Settings PyTorch would reject. ``code`` and ``params`` feed a translated message."""

    kind = ErrorKind.SETTINGS


def check_conv(shape: tuple[int, int], kernel: tuple[int, int], stride: int, padding: int, dilation: int) -> None:
    """Raise SettingsError where F.conv2d would refuse these settings."""
    if stride < 1 or dilation < 1 or padding < 0 or min(kernel) < 1:
        raise SettingsError("bad_hyper", stride=stride, padding=padding, dilation=dilation)
    for n, k in zip(shape, kernel):
        effective = dilation * (k - 1) + 1
        if n + 2 * padding < effective:
            raise SettingsError("conv_kernel_too_big", padded=n + 2 * padding, effective=effective,
                                need=math.ceil((effective - n) / 2))


def check_pool(shape: tuple[int, int], kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> None:
    """Raise SettingsError where max_pool2d / avg_pool2d would refuse these settings."""
    if stride < 1 or dilation < 1 or padding < 0 or kernel < 1:
        raise SettingsError("bad_hyper", stride=stride, padding=padding, dilation=dilation)
    if padding > kernel // 2:
        raise SettingsError("pool_pad_too_big", padding=padding, kernel=kernel, limit=kernel // 2)
    for n in shape:
        if pool_output_size(n, kernel, stride, padding, dilation, ceil_mode) < 1:
            raise SettingsError("pool_too_small", n=n, padded=n + 2 * padding, effective=dilation * (kernel - 1) + 1)


@dataclass(frozen=True)
class Window:
    """One position of the sliding window and what it produces.

    ``origin`` is the top-left cell in grid coordinates; ``cells`` are the grid
    cells it reads (kernel order, only those inside the grid); ``inputs`` their
    values; ``weights`` the kernel values they are multiplied by (None for
    pooling); ``divisor`` what avg pooling divides by.
    """

    out: tuple[int, int]
    origin: tuple[int, int]
    cells: tuple[tuple[int, int], ...]
    inputs: tuple[float, ...]
    weights: tuple[float, ...] | None
    value: float
    divisor: int | None = None
    partial: bool = False


@dataclass(frozen=True)
class Trace:
    """Every window of one operation, on a grid = input + padding (+ overhang in ceil mode).

    ``grid`` holds the padded input as the operation sees it (zeros, or −∞ for
    max pooling, in the padding; NaN for overhang cells outside the padding).
    """

    grid: np.ndarray
    padding: int
    in_shape: tuple[int, int]
    kernel: tuple[int, int]
    stride: int
    dilation: int
    windows: tuple[Window, ...]
    output: np.ndarray
    indices: np.ndarray | None = None  # max pooling's return_indices: where each output came from in the input

    @property
    def input(self) -> np.ndarray:
        """The input the operation was given (the grid less its padding and overhang)."""
        p, (h, w) = self.padding, self.in_shape
        return self.grid[p : p + h, p : p + w]

    def step_of(self, out: tuple[int, int]) -> int:
        """The step whose window computes output cell ``out`` (0 for a cell not in the output)."""
        return next((k for k, w in enumerate(self.windows) if w.out == out), 0)

    def readers(self, cell: tuple[int, int]) -> list[int]:
        """The steps whose windows read grid cell ``cell``: border cells are read by fewer windows without padding."""
        return [k for k, w in enumerate(self.windows) if cell in w.cells]

    def cell_kind(self, r: int, c: int) -> str:
        """'input', 'padding' or 'outside' (ceil-mode overhang beyond the padding)."""
        p, (h, w) = self.padding, self.in_shape
        if r >= h + 2 * p or c >= w + 2 * p:
            return "outside"
        if p <= r < p + h and p <= c < p + w:
            return "input"
        return "padding"


def _grid(x: np.ndarray, padding: int, fill: float, rows: int, cols: int) -> np.ndarray:
    grid = np.full((rows, cols), np.nan)
    h, w = x.shape
    grid[: h + 2 * padding, : w + 2 * padding] = fill
    grid[padding : padding + h, padding : padding + w] = x
    return grid


def _positions(origin: tuple[int, int], kernel: tuple[int, int], dilation: int):
    r0, c0 = origin
    return [(r0 + a * dilation, c0 + b * dilation) for a in range(kernel[0]) for b in range(kernel[1])]


@dataclass(frozen=True)
class ConvSettings:
    """F.conv2d's stride, padding and dilation as the convolution page sets them, and the kernel it starts from: a
    preset (core.basics.kernels) of ``kernel_size``, except the course's and Sobel's, 3×3 whatever the size."""

    stride: int = controls.slider(1, 1, 4, "conv.stride")
    padding: int = controls.slider(0, 0, 3, "conv.padding")
    dilation: int = controls.slider(1, 1, 3, "conv.dilation")
    kernel: str = controls.choice("course", kernels.PRESETS, "conv.preset", controls.Widget.SELECTBOX,
                                  option_labels="kernels.")
    kernel_size: int = controls.slider(3, 1, 7, "conv.kernel_size",
                                       only_when=("kernel", tuple(set(kernels.PRESETS) - set(kernels.FIXED_SIZE))))

    @property
    def size(self) -> int:
        """The preset's side: ``kernel_size``, or 3 for the presets that have only that size."""
        return kernels.FIXED_SIZE.get(self.kernel) or self.kernel_size


def conv2d_trace(x: np.ndarray, weight: np.ndarray, settings: ConvSettings = ConvSettings()) -> Trace:
    """F.conv2d on one channel (no bias), window by window."""
    x, weight = np.asarray(x, dtype=np.float64), np.asarray(weight, dtype=np.float64)
    stride, padding, dilation = settings.stride, settings.padding, settings.dilation
    check_conv(x.shape, weight.shape, stride, padding, dilation)
    oh, ow = (conv_output_size(n, k, stride, padding, dilation) for n, k in zip(x.shape, weight.shape))
    grid = _grid(x, padding, 0.0, x.shape[0] + 2 * padding, x.shape[1] + 2 * padding)
    flat_w = tuple(weight.ravel().tolist())
    windows, out = [], np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            origin = (i * stride, j * stride)
            cells = tuple(_positions(origin, weight.shape, dilation))
            inputs = tuple(grid[r, c] for r, c in cells)
            value = float(np.dot(inputs, flat_w))
            out[i, j] = value
            windows.append(Window((i, j), origin, cells, inputs, flat_w, value))
    return Trace(grid, padding, x.shape, weight.shape, stride, dilation, tuple(windows), out)


@dataclass(frozen=True)
class PoolSettings:
    """nn.MaxPool2d / nn.AvgPool2d's arguments as the pooling page sets them; the defaults are the course's
    ``MaxPool2d(kernel_size=3, ceil_mode=True)``. ``stride=None`` is PyTorch's: the kernel size."""

    kernel_size: int = controls.slider(3, 1, 5)
    stride: int | None = controls.choice(None, (None, 1, 2, 3, 4, 5), "pool.stride", controls.Widget.SELECT_SLIDER,
                                         none_label="pool.stride_default")
    padding: int = controls.slider(0, 0, 2, "conv.padding")
    dilation: int = controls.slider(1, 1, 3, "conv.dilation")
    mode: PoolMode = controls.choice("max", ("max", "avg"), "pool.mode", option_labels="pool.mode_")
    ceil_mode: bool = controls.toggle(True)
    count_include_pad: bool = controls.toggle(True, only_when=("mode", ("avg",)))
    return_indices: bool = controls.toggle(False, only_when=("mode", ("max",)))

    @property
    def step(self) -> int:
        """The stride the windows move by (``stride=None`` means the kernel size)."""
        return self.stride or self.kernel_size

    def size_lines(self, shape: tuple[int, int]) -> tuple[tuple[str, str], ...]:
        k, s, p, d = self.kernel_size, self.step, self.padding, self.dilation
        return size_lines(shape, (k, k), s, p, d, self.ceil_mode)

    def dropped(self, shape: tuple[int, int]) -> list[dict[str, int | str]]:
        """Per axis where ceil_mode's last window starts in the right padding, so PyTorch drops it: the axis, where
        that window would start, the limit it passes and the size that is left."""
        k, s, p, d = self.kernel_size, self.step, self.padding, self.dilation
        out = [(axis, n, pool_output_size(n, k, s, p, d, True)) for axis, n in zip("HW", shape)]
        return [{"axis": axis, "start": size * s, "limit": n + p, "out": size} for axis, n, size in out
                if self.ceil_mode and last_window_dropped(n, k, s, p, d)]


def pool2d_trace(x: np.ndarray, settings: PoolSettings) -> Trace:
    """F.max_pool2d / F.avg_pool2d on one channel, window by window.

    Avg pooling divides by the window's size clipped to the padded input (the
    overhang of a ceil-mode window does not count), or by the number of real
    input cells when count_include_pad is False: PyTorch's exact rule.
    """
    x = np.asarray(x, dtype=np.float64)
    kernel_size, stride, padding, dilation = settings.kernel_size, settings.step, settings.padding, settings.dilation
    ceil_mode, mode, count_include_pad = settings.ceil_mode, settings.mode, settings.count_include_pad
    if mode == "avg" and dilation != 1:
        raise SettingsError("avg_no_dilation")
    check_pool(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    h, w = x.shape
    oh, ow = (pool_output_size(n, kernel_size, stride, padding, dilation, ceil_mode) for n in x.shape)
    span = dilation * (kernel_size - 1) + 1
    rows, cols = max(h + 2 * padding, (oh - 1) * stride + span), max(w + 2 * padding, (ow - 1) * stride + span)
    fill = -np.inf if mode == "max" else 0.0
    grid = _grid(x, padding, fill, rows, cols)
    windows, out = [], np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            origin = (i * stride, j * stride)
            every = _positions(origin, (kernel_size, kernel_size), dilation)
            cells = tuple((r, c) for r, c in every if r < h + 2 * padding and c < w + 2 * padding)
            inputs = tuple(grid[r, c] for r, c in cells)
            divisor = None
            if mode == "max":
                value = max(inputs)
            else:
                real = sum(1 for r, c in cells if padding <= r < padding + h and padding <= c < padding + w)
                divisor = len(cells) if count_include_pad else real
                value = sum(inputs) / divisor
            out[i, j] = value
            windows.append(Window((i, j), origin, cells, inputs, None, float(value), divisor, len(cells) < len(every)))
    indices = None
    if mode == "max" and settings.return_indices:
        indices = np.array([_max_index(window, padding, (h, w), dilation) for window in windows]).reshape(oh, ow)
    return Trace(grid, padding, (h, w), (kernel_size, kernel_size), stride, dilation, tuple(windows), out, indices)


def _max_index(window: Window, padding: int, shape: tuple[int, int], dilation: int) -> int:
    """Where max_pool2d's return_indices says a window's maximum came from, as PyTorch's CPU kernel counts: the
    flat index in the unpadded input of the window's first largest cell; for a window over padding alone, of the
    first input cell the window would read."""
    starts = [o - padding if o >= padding else (o - padding) % dilation for o in window.origin]
    best, largest = starts[0] * shape[1] + starts[1], -math.inf
    for (r, c), value in zip(window.cells, window.inputs):
        if value > largest:
            best, largest = (r - padding) * shape[1] + (c - padding), value
    return best


def number(v: float, digits: int = 4) -> str:
    """A value as the course prints it: 10 for whole numbers, 0.6667 otherwise, −∞ for padding."""
    if v == -np.inf:
        return "−∞"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.{digits}f}".rstrip("0").rstrip(".")


def window_formula(window: Window, digits: int = 4) -> str:
    """The arithmetic of one window: "1×1 + 2×2 + 0×1 + … = 10", "max(1, 2, 0, …) = 2", "(1 + 2 + …) / 9 = 1.3333"."""
    values = [number(v, digits) for v in window.inputs]
    result = number(window.value, digits)
    if window.weights is not None:
        terms = " + ".join(f"{a}×{number(b, digits)}" for a, b in zip(values, window.weights))
        return f"{terms} = {result}"
    if window.divisor is None:
        return f"max({', '.join(values)}) = {result}"
    return f"({' + '.join(values)}) / {window.divisor} = {result}"
