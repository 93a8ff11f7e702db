"""The course's CIFAR10-quick network ("Tudui") and its variants.

The layers sit in ``self.model = nn.Sequential(...)`` exactly as in the course,
so a state_dict of the course architecture has the course's keys
(``model.0.weight`` … ``model.8.bias``) and loads into the learner's own class.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

ARCHITECTURES = ("course", "relu", "bn_relu")


class Network(nn.Module):
    """A plain sequence of layers in ``self.model``, run in order: the shape every page and view of a network reads
    (feature maps, receptive fields, the snippet's class). A learner's own variation, rebuilt from their file, is one
    (arch None); the course's CIFAR10-quick is one with a name."""

    def __init__(self, layers: Sequence[nn.Module], arch: str | None = None) -> None:
        super().__init__()
        self.arch = arch
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class Tudui(Network):
    """CIFAR10-quick: three 5×5 convolutions with 2×2 max pooling, then two linear layers.

    arch: "course" exactly as in the video (no activation at all: max pooling is
    its only non-linearity); "relu" adds ReLU after each conv and the hidden
    linear layer; "bn_relu" also adds BatchNorm2d after each conv.
    """

    def __init__(self, arch: str = "course") -> None:
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
        super().__init__(layers, arch)


def skeleton(arch: str) -> Tudui:
    """Tudui(arch) on the meta device: its layers and shapes, no weights, no random numbers drawn."""
    with torch.device("meta"):
        return Tudui(arch)


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
    return layer_rows(skeleton(arch).model, torch.empty(input_shape, device="meta"))


@torch.no_grad()
def layer_rows(layers: Sequence[nn.Module], x: torch.Tensor) -> list[LayerRow]:
    """The shape after each of ``layers`` for the input ``x`` (on the layers' device: meta for a structure only)."""
    rows = []
    for i, layer in enumerate(layers):
        x = layer(x)
        rows.append(LayerRow(i, repr(layer), tuple(x.shape), sum(p.numel() for p in layer.parameters())))
    return rows


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def _one(value: int | str | tuple[int, ...]) -> int | str | tuple[int, ...]:
    """A conv setting as the course writes it: 5 for (5, 5); a pair only when its sides differ, "same" as it is."""
    if isinstance(value, tuple) and len(set(value)) == 1:
        return value[0]
    return value


def constructor(layer: nn.Module) -> str:
    """How the course writes a layer: nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2), nn.Linear(1024, 64), …

    Settings the course leaves at their default are left out; any other (a learner's ``dilation=2``,
    ``ceil_mode=True``, ``nn.Dropout(0.3)``) is written, so the class in a snippet builds exactly this layer.
    """
    kind = type(layer).__name__
    if isinstance(layer, nn.Conv2d):
        args = [layer.in_channels, layer.out_channels, *map(_one, (layer.kernel_size, layer.stride, layer.padding))]
        extra = {"dilation": (_one(layer.dilation), 1), "groups": (layer.groups, 1), "bias": (layer.bias is not None, True),
                 "padding_mode": (layer.padding_mode, "zeros")}
    elif isinstance(layer, nn.Linear):
        args, extra = [layer.in_features, layer.out_features], {"bias": (layer.bias is not None, True)}
    elif isinstance(layer, nn.MaxPool2d):
        args = [layer.kernel_size]
        extra = {"stride": (layer.stride, layer.kernel_size), "padding": (layer.padding, 0),
                 "dilation": (layer.dilation, 1), "ceil_mode": (layer.ceil_mode, False)}
    elif isinstance(layer, nn.AvgPool2d):
        args = [layer.kernel_size]
        extra = {"stride": (layer.stride, layer.kernel_size), "padding": (layer.padding, 0),
                 "ceil_mode": (layer.ceil_mode, False), "count_include_pad": (layer.count_include_pad, True),
                 "divisor_override": (layer.divisor_override, None)}
    elif isinstance(layer, nn.BatchNorm2d | nn.BatchNorm1d):
        args = [layer.num_features]
        extra = {"eps": (layer.eps, 1e-5), "momentum": (layer.momentum, 0.1), "affine": (layer.affine, True),
                 "track_running_stats": (layer.track_running_stats, True)}
    elif isinstance(layer, nn.Dropout | nn.Dropout2d):
        args, extra = [], {"p": (layer.p, 0.5)}
    elif isinstance(layer, nn.LeakyReLU):
        args, extra = [], {"negative_slope": (layer.negative_slope, 0.01)}
    elif isinstance(layer, nn.Flatten):
        args, extra = [], {"start_dim": (layer.start_dim, 1), "end_dim": (layer.end_dim, -1)}
    elif isinstance(layer, nn.Softmax):
        args, extra = [], {"dim": (layer.dim, None)}
    else:
        args, extra = [], {}
    written = [repr(a) for a in args] + [f"{k}={v!r}" for k, (v, default) in extra.items() if v != default]
    return f"nn.{kind}({', '.join(written)})"


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
