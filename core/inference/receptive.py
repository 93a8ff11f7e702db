"""Receptive fields: which pixels of the 32×32 input a cell of a feature map can see.

A cell of a conv/pool output reads a k×k window of the layer before; each cell of that window read a window of
the layer before it, so deeper cells see larger regions. Per layer the region grows by (k−1)·d input-steps of the
layer before, and the step between neighbouring cells multiplies by the stride:
    size_out = size_in + (k − 1)·d·jump_in,  jump_out = jump_in·s,  top_out = top_in − p·jump_in.
Computed from the layers' own kernel_size/stride/padding/dilation; a test checks it against the gradient.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """The receptive field of every cell of one layer's output, in input pixels.

    Cell (r, c) sees rows top + r·jump … top + r·jump + size − 1 (and the same for columns), clipped to the image:
    the part outside is padding.
    """

    size: int
    jump: int
    top: int

    def region(self, r: int, c: int, image: int = 32) -> tuple[int, int, int, int]:
        """(first row, first column, last row, last column) of the pixels cell (r, c) sees, inside the image."""
        def span(i: int) -> tuple[int, int]:
            first = self.top + i * self.jump
            return max(first, 0), min(first + self.size - 1, image - 1)

        (r0, r1), (c0, c1) = span(r), span(c)
        return r0, c0, r1, c1


def _pair(v) -> int:
    return v[0] if isinstance(v, tuple) else int(v)


def fields(layers: Sequence) -> list[Field | None]:
    """The receptive field after each layer (None from Flatten on: a linear layer sees the whole image).

    Layers with kernel_size (Conv2d, MaxPool2d, AvgPool2d) grow it; element-wise ones (ReLU, BatchNorm2d) keep it.
    """
    field, result = Field(1, 1, 0), []
    for layer in layers:
        if field is not None and hasattr(layer, "kernel_size"):
            k, s = _pair(layer.kernel_size), _pair(layer.stride or layer.kernel_size)
            p, d = _pair(getattr(layer, "padding", 0)), _pair(getattr(layer, "dilation", 1))
            field = Field(field.size + (k - 1) * d * field.jump, field.jump * s, field.top - p * field.jump)
        elif type(layer).__name__ in ("Flatten", "Linear"):
            field = None
        result.append(field)
    return result
