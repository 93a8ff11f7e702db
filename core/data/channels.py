"""A photo beside the tensor ToTensor makes of it, as the Transforms page's ToTensor tab lays them out: a few pixels
before and after, and the tensor's three channels side by side as one grey picture.

Plain numbers and pictures, no Streamlit: the page draws what these return.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from core.data import images


def pixel_rows(photo: Image.Image, tensor: torch.Tensor) -> list[dict[str, str]]:
    """A few pixels before and after ToTensor: the corner, its neighbours and the centre (those the photo has)."""
    a = np.asarray(photo)
    spots = dict.fromkeys(((0, 0), (0, 1), (1, 0), (a.shape[0] // 2, a.shape[1] // 2)))
    return [{"(y, x)": f"({y}, {x})", "PIL (R, G, B)": str(tuple(int(v) for v in a[y, x])),
             "tensor[:, y, x]": "[" + ", ".join(f"{float(v):.4f}" for v in tensor[:, y, x]) + "]"}
            for y, x in spots if y < a.shape[0] and x < a.shape[1]]


def channel_strip(tensor: torch.Tensor) -> Image.Image:
    """The tensor's R, G and B side by side, each a grey picture, with a thin white gap between them."""
    grey = images.to_uint8(tensor).transpose(2, 0, 1)                   # [3, H, W]: each channel a grey picture
    gap = np.full((grey.shape[1], max(2, grey.shape[2] // 40)), 255, np.uint8)
    return Image.fromarray(np.hstack([grey[0], gap, grey[1], gap, grey[2]]))
