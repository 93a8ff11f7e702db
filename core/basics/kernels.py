"""Kernel presets for the convolution page, each defined for any size k."""
from __future__ import annotations

import numpy as np

from core.course import CONV_KERNEL

PRESETS = ("course", "identity", "box_blur", "edge", "sharpen", "sobel_x", "sobel_y", "random")
FIXED_SIZE = {"course": 3, "sobel_x": 3, "sobel_y": 3}


def identity(k: int) -> np.ndarray:
    """1 in the centre (top-left of the centre for even k): the output copies the input."""
    kernel = np.zeros((k, k))
    kernel[k // 2, k // 2] = 1
    return kernel


def preset(name: str, k: int = 3, seed: int = 0) -> np.ndarray:
    """The k×k kernel called ``name``; the course's and Sobel's are 3×3 whatever k is."""
    if name == "course":
        return CONV_KERNEL.astype(float)
    if name == "identity":
        return identity(k)
    if name == "box_blur":
        return np.full((k, k), 1 / (k * k))
    if name == "edge":
        return identity(k) * k * k - np.ones((k, k))
    if name == "sharpen":
        return identity(k) * (k * k + 1) - np.ones((k, k))
    if name == "sobel_x":
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    if name == "sobel_y":
        return np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)
    if name == "random":
        return np.random.default_rng(seed).integers(-2, 3, size=(k, k)).astype(float)
    raise ValueError(f"unknown kernel preset {name!r}")
