"""The course's CIFAR10-quick network ("Tudui") and its variants.

The layers sit in ``self.model = nn.Sequential(...)`` exactly as in the course,
so a state_dict of the course architecture has the course's keys
(``model.0.weight`` … ``model.8.bias``) and loads into the learner's own class.
"""
from __future__ import annotations

import math
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


def build(arch: str, generator: torch.Generator) -> Tudui:
    """A Tudui initialised from generator alone, never from torch's process-wide random state.

    Draws exactly what PyTorch's own reset_parameters() draws, in the same
    order, so build(arch, torch.Generator().manual_seed(s)) equals
    torch.manual_seed(s); Tudui(arch), without touching the seed other threads use.
    """
    with torch.device("meta"):
        net = Tudui(arch)
    net = net.to_empty(device="cpu")
    with torch.no_grad():
        for layer in net.modules():
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
                fan_in = layer.weight[0].numel()
                bound = 1 / math.sqrt(fan_in)
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
            elif isinstance(layer, nn.BatchNorm2d):
                layer.reset_parameters()
                layer.reset_running_stats()
    return net


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


def constructor(layer: nn.Module) -> str:
    """How the course writes a layer: nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2), nn.Linear(1024, 64), …"""
    if isinstance(layer, nn.Conv2d):
        return (f"nn.Conv2d({layer.in_channels}, {layer.out_channels}, {layer.kernel_size[0]}, {layer.stride[0]}, "
                f"{layer.padding[0]})")
    if isinstance(layer, nn.MaxPool2d):
        return f"nn.MaxPool2d({layer.kernel_size})"
    if isinstance(layer, nn.Linear):
        return f"nn.Linear({layer.in_features}, {layer.out_features})"
    if isinstance(layer, nn.BatchNorm2d):
        return f"nn.BatchNorm2d({layer.num_features})"
    return f"nn.{type(layer).__name__}()"


def vgg16_surgery() -> dict[str, str]:
    """print(vgg16) before and after each of the course's three modifications.

    Built on the meta device: VGG16's 138 M parameters (553 MB) take no memory,
    which matters on a small server.
    """
    import torchvision  # the package whole, then its models (core.preload.parents_first says why)

    def fresh() -> nn.Module:
        with torch.device("meta"):
            return torchvision.models.vgg16(weights=None)

    printed = {"original": str(fresh())}
    added = fresh()
    added.add_module("add_linear", nn.Linear(1000, 10, device="meta"))
    printed["add_module"] = str(added)
    inside = fresh()
    inside.classifier.add_module("add_linear", nn.Linear(1000, 10, device="meta"))
    printed["classifier_add_module"] = str(inside)
    replaced = fresh()
    replaced.classifier[6] = nn.Linear(4096, 10, device="meta")
    printed["replace"] = str(replaced)
    return printed
