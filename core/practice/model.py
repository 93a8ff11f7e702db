"""CIFAR10-quick questions: the shape after a layer, a layer's parameter count, the first Linear's in_features.

The shapes and counts come from ``core.model.layer_table``: the torch layers themselves on the meta device,
the table the model page shows. A variant (ReLU, BatchNorm) or another image size changes the answer.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

import torch

from core.model import ARCHITECTURES, LayerRow, Tudui, constructor, layer_table
from core.practice.question import Form, Line, Question

BATCHES = (1, 16, 64)
SIZES = (32, 64, 96)


def _arch(rng: random.Random, mine: Mapping | None) -> str:
    return mine["arch"] if mine is not None else rng.choice(ARCHITECTURES)


def _shape(dims: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


def _layers(arch: str) -> list[torch.nn.Module]:
    """The network's layers, built on the meta device (structure only, no memory)."""
    with torch.device("meta"):
        return list(Tudui(arch).model)


def _chain(arch: str, rows: list[LayerRow], upto: int, start: tuple[int, ...]) -> tuple[Line, ...]:
    names = [constructor(layer) for layer in _layers(arch)]
    return (Line(f"input {_shape(start)}"),
            *(Line(f"model[{r.index}] {names[r.index]} → {_shape(r.shape)}") for r in rows[: upto + 1]))


def layer_shape(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The output shape of model[i] for a batch of 32×32 images."""
    arch, batch = _arch(rng, mine), rng.choice(BATCHES)
    rows = layer_table(arch, (batch, 3, 32, 32))
    i = rng.randrange(len(rows))
    return Question("model_shape", Form.SHAPE, rows[i].shape, _chain(arch, rows, i, (batch, 3, 32, 32)),
                    "hint_model_shape", {"arch": arch, "batch": batch, "index": i,
                                         "layer": constructor(_layers(arch)[i])})


def _count(layer: torch.nn.Module, total: int) -> str:
    """How the parameters add up: the weight's dimensions multiplied, plus the bias (γ and β for BatchNorm)."""
    terms = [" × ".join(str(d) for d in p.shape) for p in layer.parameters()]
    return f"{' + '.join(terms)} = {total}"


def param_count(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The parameters of one layer that has some (a Conv2d, a Linear or a BatchNorm2d)."""
    arch = _arch(rng, mine)
    rows = layer_table(arch, (1, 3, 32, 32))
    i = rng.choice([r.index for r in rows if r.params])
    layer = _layers(arch)[i]
    return Question("model_params", Form.NUMBER, rows[i].params, (Line(_count(layer, rows[i].params)),),
                    "hint_model_params", {"arch": arch, "index": i, "layer": constructor(layer)})


def in_features(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The in_features the first nn.Linear needs for images of another size: what Flatten hands it (the
    layers run on the meta device up to Flatten; the course's Linear(1024, 64) fits 32×32 only)."""
    arch, size = _arch(rng, mine), rng.choice(SIZES)
    with torch.device("meta"):
        x = torch.empty(1, 3, size, size)
        pooled = []
        for layer in Tudui(arch).model:
            if isinstance(layer, torch.nn.Flatten):
                break
            x = layer(x)
            if isinstance(layer, torch.nn.MaxPool2d):
                pooled.append(str(x.shape[-1]))
        features = layer(x).shape[1]
    worked = (Line(f"{size} → {' → '.join(pooled)}"), Line(f"{x.shape[1]} × {x.shape[2]} × {x.shape[3]} = {features}"))
    return Question("model_in_features", Form.NUMBER, features, worked, "hint_model_in_features",
                    {"arch": arch, "size": size})
