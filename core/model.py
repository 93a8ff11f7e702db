"""The course's CIFAR10-quick network ("Tudui") and its variants.

The layers sit in ``self.model = nn.Sequential(...)`` exactly as in the course,
so a state_dict of the course architecture has the course's keys
(``model.0.weight`` … ``model.8.bias``) and loads into the learner's own class.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

ARCHITECTURES = ("course", "relu", "bn_relu")


class Tudui(nn.Module):
    """CIFAR10-quick: three 5×5 convolutions with 2×2 max pooling, then two linear layers.

    arch: "course" exactly as in the video (no activation at all: max pooling is
    its only non-linearity); "relu" adds ReLU after each conv and the hidden
    linear layer; "bn_relu" also adds BatchNorm2d after each conv.
    """

    def __init__(self, arch: str = "course") -> None:
        super().__init__()
        if arch not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {arch!r}; choose from {ARCHITECTURES}")
        layers: list[nn.Module] = []
        for c_in, c_out in ((3, 32), (32, 32), (32, 64)):
            layers.append(nn.Conv2d(c_in, c_out, 5, 1, 2))
            if arch == "bn_relu":
                layers.append(nn.BatchNorm2d(c_out))
            if arch != "course":
                layers.append(nn.ReLU())
            layers.append(nn.MaxPool2d(2))
        layers += [nn.Flatten(), nn.Linear(64 * 4 * 4, 64)]
        if arch != "course":
            layers.append(nn.ReLU())
        layers.append(nn.Linear(64, 10))
        self.arch = arch
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


@dataclass(frozen=True)
class LayerRow:
    index: int
    layer: str
    shape: tuple[int, ...]
    params: int


def layer_table(arch: str = "course", input_shape: tuple[int, ...] = (1, 3, 32, 32)) -> list[LayerRow]:
    """The shape after every layer and its parameter count, worked out on the meta device (no memory, no maths)."""
    with torch.device("meta"):
        net = Tudui(arch)
        x = torch.empty(input_shape)
    rows = []
    for i, layer in enumerate(net.model):
        x = layer(x)
        rows.append(LayerRow(i, repr(layer), tuple(x.shape), sum(p.numel() for p in layer.parameters())))
    return rows


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
