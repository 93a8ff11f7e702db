"""What training does inside the network, epoch by epoch (ConvNetJS-style): per layer, on a fixed batch of test
images, the range and spread of its outputs and of the loss's gradient with respect to them, and for layers with
weights their size and how far this epoch moved them.

One forward and one backward pass on PROBE images per epoch, in eval mode (BatchNorm's running statistics are left
alone) and with torch.autograd.grad on the layers' outputs, so no parameter's .grad is touched: the training that
follows is exactly the one without it. The course's network has no activation function at all, which shows here:
its outputs' spread grows layer after layer where ReLU and BatchNorm keep it in check.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from core.training.records import MetricsRow

PROBE = 32  # test images in the fixed batch (the insight grid's 16 are its first)


def probe_indices(test_size: int) -> list[int]:
    """The same test images for every epoch and every run on this test set."""
    return torch.randperm(test_size, generator=torch.Generator().manual_seed(0))[:PROBE].tolist()


def weights_of(model: nn.Module) -> dict[int, torch.Tensor]:
    """A copy of each layer's weight (by its index in model.model), where it lives, to measure how far an epoch moves
    it: on a GPU no copy crosses to the CPU."""
    return {i: layer.weight.detach().float().clone() for i, layer in enumerate(model.model)
            if isinstance(getattr(layer, "weight", None), torch.Tensor)}


@dataclass(frozen=True)
class LayerStats:
    """One layer after one epoch. Outputs and gradients over the probe batch; weight figures None for layers
    without weights (pooling, ReLU, Flatten)."""

    index: int
    layer: str                  # its class: Conv2d, MaxPool2d, ReLU, …
    out_min: float
    out_max: float
    out_mean: float
    out_std: float
    grad_std: float             # of d loss / d output: how much signal reaches this layer on the way back
    grad_max: float             # its largest |value|
    weight_norm: float | None   # ‖W‖ (Frobenius)
    moved: float | None         # ‖W − W at the epoch's start‖ / ‖W at the epoch's start‖

    @classmethod
    def from_row(cls, row: object) -> LayerStats | None:
        """One entry of a metrics row's "layers" as saved; None where a damaged file lost a field."""
        names = [f.name for f in fields(cls)]
        if not isinstance(row, dict) or any(name not in row for name in names):
            return None
        return cls(**{name: row[name] for name in names})


def layer_stats(model: nn.Module, x: torch.Tensor, y: torch.Tensor, before: dict[int, torch.Tensor]) -> list[LayerStats]:
    """Every layer of model.model on the batch (x, y), with the weights ``before`` this epoch (weights_of)."""
    was_training = model.training
    model.eval()
    outputs, h = [], x
    with torch.enable_grad():
        for layer in model.model:
            h = layer(h)
            outputs.append(h)
        loss = F.cross_entropy(h.float(), y)
        grads = torch.autograd.grad(loss, outputs)
    model.train(was_training)
    now = weights_of(model)
    nan = torch.full((), math.nan, device=x.device)
    rows = []  # every figure of every layer as one tensor, read back at once: one GPU sync per epoch, not a hundred
    for i, (out, grad) in enumerate(zip(outputs, grads)):
        out, grad = out.detach().float(), grad.float()
        if i in now:
            start = before[i] if i in before else now[i] * math.nan  # unknown: no "moved"
            weight = [now[i].norm(), (now[i] - start).norm(), start.norm()]
        else:
            weight = [nan, nan, nan]
        rows.append(torch.stack([out.min(), out.max(), out.mean(), out.std(), grad.std(), grad.abs().max(), *weight]))
    result = []
    for i, (layer, row) in enumerate(zip(model.model, torch.stack(rows).cpu().tolist())):
        *figures, norm, step, start = row
        result.append(LayerStats(i, type(layer).__name__, *figures, None if math.isnan(norm) else norm,
                                 step / start if start > 0 else None))
    return result


def as_rows(stats: list[LayerStats]) -> list[dict]:
    """The stats as a metrics row keeps them (JSON), rounded to 6 significant digits."""
    return [{k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in asdict(s).items()} for s in stats]


def history(metrics: list[MetricsRow]) -> list[tuple[int, list[LayerStats]]]:
    """(epoch, its layers) for every epoch of a run's metrics rows that recorded them; rows of older runs, or damaged
    ones, are left out."""
    kept = []
    for row in metrics:
        stats = [LayerStats.from_row(r) for r in row.layers]
        if stats and None not in stats:
            kept.append((row.epoch, stats))
    return kept


WEIGHTED = ("Conv2d", "Linear")   # the layers two networks share, whatever else a variant adds (ReLU, BatchNorm)


@dataclass(frozen=True)
class Side:
    """One weighted layer of one run: after its last epoch, and its weights' move averaged over its epochs."""

    grad_std: float
    out_std: float
    moved: float | None   # mean of the epochs' ‖ΔW‖ / ‖W‖


@dataclass(frozen=True)
class Matched:
    """The same layer (the k-th Conv2d, the k-th Linear) in two runs."""

    layer: str    # its class
    number: int   # k: 1 for the first Conv2d
    a: Side
    b: Side


def _sides(metrics: list[MetricsRow]) -> dict[tuple[str, int], Side]:
    epochs = history(metrics)
    if not epochs:
        return {}
    counted: dict[str, int] = {}
    sides = {}
    for s in epochs[-1][1]:
        if s.layer not in WEIGHTED:
            continue
        counted[s.layer] = counted.get(s.layer, 0) + 1
        moves = [m for _, stats in epochs if (m := stats[s.index].moved) is not None]
        sides[(s.layer, counted[s.layer])] = Side(s.grad_std, s.out_std, sum(moves) / len(moves) if moves else None)
    return sides


def side_by_side(a: list[MetricsRow], b: list[MetricsRow]) -> list[Matched]:
    """Two runs' weighted layers matched in order (conv1 with conv1, …, the last Linear with the last Linear), so the
    course's network compares with its ReLU and BatchNorm variants too; empty where either run recorded none."""
    left, right = _sides(a), _sides(b)
    return [Matched(layer, k, left[(layer, k)], right[(layer, k)]) for layer, k in left if (layer, k) in right]
