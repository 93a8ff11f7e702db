"""The course's nn_conv2d.py: a 6-channel output shown in TensorBoard through ``reshape(-1, 3, 30, 30)``, and why
``view`` sometimes refuses what ``reshape`` does.

add_images shows pictures of 1 or 3 channels; the course's Conv2d(3, 6, 3) makes 6, so it cuts each output into
two 3-channel "pictures" (64 × 6 = 128 × 3), which TensorBoard then shows as colours that mean nothing. ``view``
reads the same memory with new sizes and so needs the numbers laid out in order (contiguous); ``reshape`` copies
when they are not. The page's convolution is built from a local generator exactly as ``torch.manual_seed`` then
``nn.Conv2d`` builds it, so it equals the snippet without touching the process's generator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from core import i18n
from core.code.render import render

SEED = 0


@dataclass(frozen=True)
class Reshaped:
    imgs: torch.Tensor       # the DataLoader's batch [N, 3, 32, 32]
    output: torch.Tensor     # conv1(imgs) [N, 6, 30, 30]
    shown: torch.Tensor      # torch.reshape(output, (-1, 3, 30, 30)) [2N, 3, 30, 30]: what add_images receives
    view_error: str          # what .view says on a tensor whose memory is not in order


def conv1(seed: int = SEED) -> nn.Conv2d:
    """nn.Conv2d(3, 6, 3) as it is after torch.manual_seed(seed): its reset_parameters, drawn from a local generator."""
    layer = nn.Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=g)
        bound = 1 / math.sqrt(layer.weight[0].numel())
        layer.bias.uniform_(-bound, bound, generator=g)
    return layer


def view_error(output: torch.Tensor) -> str:
    """The RuntimeError of .view on the output with its last two dimensions swapped (no longer contiguous)."""
    try:
        output.transpose(2, 3).view(-1, 3, 900)
    except RuntimeError as err:
        return str(err)
    raise AssertionError("view accepted a non-contiguous tensor")   # PyTorch changed: the page must say otherwise


def course_reshape(imgs: torch.Tensor) -> Reshaped:
    """The course's conv1 on one batch, its output reshaped for add_images, and view's refusal."""
    with torch.no_grad():
        output = conv1()(imgs)
    shown = torch.reshape(output, (-1, 3, 30, 30))
    return Reshaped(imgs, output, shown, view_error(shown))


def printed(r: Reshaped) -> str:
    """What the snippet prints, from the page's own tensors."""
    return "\n".join([str(r.imgs.shape), str(r.output.shape), str(r.shown.shape),
                      str([round(v, 4) for v in r.shown[1, 0, 0, :4].tolist()]),
                      f"{r.shown.is_contiguous()} {r.shown.view(-1, 3, 30, 30).shape}",
                      str(r.shown.transpose(2, 3).is_contiguous()),
                      str(r.shown.transpose(2, 3).reshape(-1, 3, 900).shape), f"RuntimeError: {r.view_error}"])


def snippet(data_root: str, batch_size: int, lang: str = i18n.DEFAULT) -> str:
    """The course's nn_conv2d.py for one batch, then view against reshape."""
    return render("reshaping", lang, data_root=repr(data_root), batch_size=int(batch_size), seed=SEED)
