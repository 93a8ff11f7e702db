"""A learner's network rebuilt from the records of a whole-model file: the app's own layers, the file's tensors.

The file holds the layers and their tensors but never ``forward``: the layers run in the order they were defined
(``self.model = nn.Sequential(…)``, or ``self.conv1``, ``self.maxpool1``, … one by one), which is what the
course's networks do. A check on a 3×32×32 image proves they fit together in that order; where they do not, the
forward did something between them, and the message says what would work.
"""
from __future__ import annotations

import copy
import inspect
import math
from dataclasses import dataclass

import torch
from torch import nn

from core.errors import without_paths
from core.inference.pickled import LAYERS, SEQUENTIAL, Record, WholeModel, WholeModelError
from core.model import ARCHITECTURES, Network, skeleton

MAX_LAYERS = 256
MAX_DEPTH = 16
MAX_MB = 4                  # a rebuilt network is kept (up to 32 uploads) for every session: CIFAR10-quick is 0.6 MB
MAX_MMACS = 100             # multiply-adds per 32×32 image, in millions: CIFAR10-quick needs 12
PLAIN = (bool, int, float, str, type(None))
ERRORS = (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError)  # a layer refusing its input


@dataclass(frozen=True)
class Rebuilt:
    """The learner's network, ready to run, and where each of its layers sat in their own class."""

    network: Network
    paths: tuple[str, ...]      # "model1.0", "conv1", …: the app's model.0, model.1, … in that order
    classes: tuple[str, ...]    # their classes, as the file names them ("__main__.Tudui")


def rebuild(model: WholeModel) -> Rebuilt:
    """The network of a whole-model file, its layers built by the app and its tensors copied in."""
    leaves = list(_leaves(model.root, "", 0))
    if len(leaves) > MAX_LAYERS:
        raise WholeModelError("bad_layer", path="…", reason=f"{len(leaves)} > {MAX_LAYERS} layers")
    built = [_layer(path, record) for path, record in leaves]
    size = sum(t.numel() * t.element_size() for _, tensors in built for t in tensors.values())
    if size > MAX_MB * 2**20:
        raise WholeModelError("too_large", mb=math.ceil(size / 2**20), limit=MAX_MB)
    layers = [layer for layer, _ in built]
    _check_chain(layers, [path for path, _ in leaves])  # on the meta device: shapes and costs, no arithmetic
    for layer, tensors in built:
        layer.to_empty(device="cpu").load_state_dict(tensors)
    network = Network(layers, _architecture(layers)).eval()
    return Rebuilt(network, tuple(path for path, _ in leaves), model.classes)


def _leaves(record: Record, path: str, depth: int):
    """(path, record) of every layer, in definition order: Sequentials and the learner's classes are opened."""
    if record.claimed in LAYERS:
        yield path, record
        return
    if depth > MAX_DEPTH:
        raise WholeModelError("bad_layer", path=path, reason=f"nested deeper than {MAX_DEPTH}")
    modules = record.state.get("_modules")
    own = [k for part in ("_parameters", "_buffers") for k, v in _dict(record, part).items() if v is not None]
    if not isinstance(modules, dict) or not modules or (own and record.claimed != SEQUENTIAL):
        raise WholeModelError("custom_layer", path=path or record.claimed.rpartition(".")[2],
                              name=record.claimed.rpartition(".")[2])
    for name, child in modules.items():
        if child is None:
            continue
        if not isinstance(child, Record) or not isinstance(name, str):
            raise WholeModelError("not_module", kind=type(child).__name__)
        yield from _leaves(child, f"{path}.{name}" if path else name, depth + 1)


def _dict(record: Record, name: str) -> dict:
    value = record.state.get(name, {})
    if not isinstance(value, dict):
        raise WholeModelError("bad_layer", path=record.claimed, reason=f"{name} is a {type(value).__name__}")
    return value


def _layer(path: str, record: Record) -> tuple[nn.Module, dict[str, torch.Tensor]]:
    """The app's own layer with the record's settings (plain values only), on the meta device, and the file's tensors
    for it, checked for shape."""
    cls = LAYERS[record.claimed]
    params = inspect.signature(cls.__init__).parameters
    names = [n for n, p in params.items() if n not in ("self", "device", "dtype", "bias", "inplace")
             and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    settings = {n: record.state[n] for n in names if n in record.state}
    for name, value in settings.items():
        plain = isinstance(value, PLAIN) or isinstance(value, tuple) and all(isinstance(v, int) for v in value)
        if not plain:
            raise WholeModelError("bad_layer", path=path, reason=f"{name} is a {type(value).__name__}")
    tensors = {k: v for part in ("_parameters", "_buffers") for k, v in _dict(record, part).items() if v is not None}
    if "bias" in params:
        settings["bias"] = "bias" in tensors
    try:
        with torch.device("meta"):  # sizes from the file cost nothing until they are checked against its tensors
            layer = cls(**settings)
    except (TypeError, ValueError, RuntimeError) as err:
        raise WholeModelError("bad_layer", path=path, reason=without_paths(str(err))[:160]) from None
    expected = {k: tuple(v.shape) for k, v in layer.state_dict().items()}
    found = {k: tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__ for k, v in tensors.items()}
    if found != expected:
        raise WholeModelError("bad_layer", path=path, reason=f"{found} ≠ {expected}")
    return layer, tensors


@torch.no_grad()
def _check_chain(layers: list[nn.Module], paths: list[str]) -> None:
    """The layers (on the meta device), in order, take a 3×32×32 image to one score per class, at a cost this shared
    server can pay for every learner."""
    x, macs = torch.empty(1, 3, 32, 32, device="meta"), 0
    for layer, path in zip(layers, paths):
        layer.eval()
        try:
            x = layer(x)
        except ERRORS as err:
            raise WholeModelError("not_sequence", path=path, layer=repr(layer)[:120],
                                  reason=_as_on_cpu(layer, x, err)) from None
        if not isinstance(x, torch.Tensor):
            raise WholeModelError("not_sequence", path=path, layer=repr(layer)[:120], reason=type(x).__name__)
        if isinstance(layer, nn.Conv2d | nn.Linear):
            macs += x.numel() * layer.weight[0].numel()  # each output reads one kernel (or weight row)
        if macs > MAX_MMACS * 10**6:  # checked as it grows: the layers after could not be run either
            raise WholeModelError("too_slow", mmacs=math.ceil(macs / 10**6), limit=MAX_MMACS)
    if x.dim() != 2 or not 1 <= x.shape[1] <= 1000:
        raise WholeModelError("not_classifier", shape=list(x.shape))


def _as_on_cpu(layer: nn.Module, x: torch.Tensor, err: Exception) -> str:
    """PyTorch's words for the error as the learner sees them on the CPU ("mat1 and mat2 shapes cannot be
    multiplied"): the meta device words some differently. A shape error is raised before any arithmetic; a large
    input keeps the meta device's words rather than its memory."""
    if x.numel() <= 2**20:
        try:
            copy.deepcopy(layer).to_empty(device="cpu")(torch.zeros(x.shape))
        except ERRORS as cpu_err:
            err = cpu_err
    return without_paths(str(err)).splitlines()[0][:200]


def _architecture(layers: list[nn.Module]) -> str | None:
    """The course architecture these layers are, if they are one exactly (the same layers with the same settings)."""
    mine = [repr(layer) for layer in layers]
    return next((arch for arch in ARCHITECTURES if [repr(layer) for layer in skeleton(arch).model] == mine), None)
