"""A state_dict matched to an architecture by its structure, not by its names.

The same network saved by different code has different keys: ``model.0.weight`` (the course's Tudui),
``model1.0.weight`` (the Sequential chapter's attribute), ``conv1.weight`` (one attribute per layer),
``module.model.0.weight`` (saved from nn.DataParallel), and it may sit inside a dict
(``{"epoch": 3, "model_state_dict": …, "optimizer_state_dict": …}``, PyTorch's tutorial checkpoint). What stays
is the order of the layers that hold tensors and their shapes: state_dict() lists them in the order they were
defined. So the file's layers are lined up with the architecture's, one by one, and renamed when every name and
shape inside each layer agrees.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

WRAPPERS = ("model_state_dict", "state_dict", "model", "net")
PREFIX = "module."

Shapes = Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class Layer:
    """One layer that holds tensors: its path (``model1.0``) and its tensors' names and shapes (``weight`` → 4-d)."""

    path: str
    tensors: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Unwrapped:
    """The state_dict inside a file, and how it was found: the wrapper key it sat in and the prefix cut from it."""

    state: dict[str, torch.Tensor]
    wrapper: str | None = None
    prefix: str | None = None


def unwrap(obj: object) -> Unwrapped | None:
    """The state_dict in what torch.load gave: the dict itself, or the one under a wrapper key, without
    DataParallel's ``module.`` prefix. None when there is no dict of tensors."""
    wrapper = None
    if isinstance(obj, dict) and not _tensors(obj):
        wrapper = next((k for k in WRAPPERS if isinstance(obj.get(k), dict) and _tensors(obj[k])), None)
        obj = obj[wrapper] if wrapper else obj
    if not isinstance(obj, dict) or not _tensors(obj):
        return None
    if all(isinstance(k, str) and k.startswith(PREFIX) for k in obj):
        return Unwrapped({k[len(PREFIX):]: v for k, v in obj.items()}, wrapper, PREFIX)
    return Unwrapped(dict(obj), wrapper)


def _tensors(obj: dict) -> bool:
    return bool(obj) and all(isinstance(v, torch.Tensor) for v in obj.values())


def layers(state: Shapes | Mapping[str, torch.Tensor]) -> list[Layer]:
    """The layers of a state_dict in its order: keys grouped by everything before their last dot."""
    grouped: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    for key, value in state.items():
        path, _, name = key.rpartition(".")
        grouped.setdefault(path, []).append((name, tuple(getattr(value, "shape", value))))
    return [Layer(path, tuple(sorted(tensors))) for path, tensors in grouped.items()]


def line_up(found: Sequence[Layer], expected: Sequence[Layer]) -> dict[str, str] | None:
    """{file's path: expected path} when the layers agree one by one in their tensors' names and shapes."""
    if len(found) != len(expected) or any(f.tensors != e.tensors for f, e in zip(found, expected)):
        return None
    return {f.path: e.path for f, e in zip(found, expected)}


def first_difference(found: Sequence[Layer], expected: Sequence[Layer]) -> tuple[int, Layer | None, Layer | None]:
    """(position, file's layer, expected layer) of the first pair that differs; a missing one is None."""
    for i, (f, e) in enumerate(zip(found, expected)):
        if f.tensors != e.tensors:
            return i, f, e
    i = min(len(found), len(expected))
    return i, found[i] if i < len(found) else None, expected[i] if i < len(expected) else None


def renamed(state: Mapping[str, torch.Tensor], paths: Mapping[str, str]) -> dict[str, torch.Tensor]:
    """The state_dict with each layer's path replaced."""
    out = {}
    for key, value in state.items():
        path, _, name = key.rpartition(".")
        out[f"{paths[path]}.{name}" if paths[path] else name] = value
    return out


def agreement(paths: Mapping[str, str]) -> int:
    """How many layers keep their last name part (``model1.3`` → ``model.3``): which of two architectures with the
    same tensors (the course's, and +ReLU's, whose Sequential indices differ) the file was saved from."""
    return sum(f.rpartition(".")[2] == e.rpartition(".")[2] for f, e in paths.items())


def summarised(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Renames as a learner reads them: ``model1.0`` → ``model.0`` for every layer is said once, ``model1.*`` →
    ``model.*``; any other renames (``conv1`` → ``model.0``) one by one."""
    heads = {(mine.partition(".")[0], theirs.partition(".")[0]) for mine, theirs in pairs}
    same_tails = all("." in mine and mine.partition(".")[2] == theirs.partition(".")[2] for mine, theirs in pairs)
    if len(heads) == 1 and same_tails:
        mine, theirs = heads.pop()
        return [(f"{mine}.*", f"{theirs}.*")]
    return list(pairs)
