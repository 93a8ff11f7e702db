"""What the net has learnt after an epoch, as a learner can watch it (ConvNetJS-style).

A fixed grid of test images with the predicted class, the confusion matrix of
the whole test pass, which test images fell in each of its cells, and the first
conv layer's filters. Saved with the run (RunDir.commit_epoch), so the page
shows it live and after a reload.
"""
from __future__ import annotations

import torch
from torch import nn

from core.training.records import Insight

GRID = 16
SHOWN = 24  # test images kept per confusion cell, the most confident first: what a cell opens


def grid_indices(test_size: int) -> list[int]:
    """The same 16 test images for every epoch and every run on this test set."""
    return torch.randperm(test_size, generator=torch.Generator().manual_seed(0))[:GRID].tolist()


def confusion(labels: torch.Tensor, predicted: torch.Tensor, size: int) -> torch.Tensor:
    """Rows: true class; columns: predicted class; ``size`` covers both (see ``snapshot``)."""
    return torch.bincount(labels * size + predicted, minlength=size * size).reshape(size, size)


def cells(labels: torch.Tensor, predicted: torch.Tensor, confidence: torch.Tensor, true_prob: torch.Tensor) -> dict:
    """Behind each confusion cell, as JSON: ``{"true,predicted": [[test index, probability of the predicted class,
    probability of the true class], …]}``, at most SHOWN per cell, the most confident first (ties: lower index).

    The images themselves stay in the test split (the page reads them by index): 24 × 100 cells of numbers
    is a few tens of KB, where the pictures would be megabytes rewritten every epoch.
    """
    if not len(labels):
        return {}
    size = int(max(labels.max(), predicted.max())) + 1
    order = torch.sort(confidence, descending=True, stable=True).indices   # ties: the lower index first
    cell, grouped = torch.sort((labels * size + predicted)[order], stable=True)   # by cell, each most confident first
    order = order[grouped]
    counts = torch.bincount(cell)
    keep = torch.arange(len(cell)) - (counts.cumsum(0) - counts)[cell] < SHOWN   # each one's rank in its cell
    # in torch, then one list per cell: 4 ms of CPU for 10,000 test images, where a loop over the images took 19
    cells_kept, shown = cell[keep].unique_consecutive(return_counts=True)
    chosen = order[keep]
    rounded = [torch.round(v[chosen].double() * 1e4).div(1e4).tolist() for v in (confidence, true_prob)]
    index, kept, start = chosen.tolist(), {}, 0
    for c, n in zip(cells_kept.tolist(), shown.tolist()):
        kept[f"{c // size},{c % size}"] = [list(r) for r in zip(index[start:start + n], *(v[start:start + n]
                                                                                           for v in rounded))]
        start += n
    return kept


def behind(cells: dict, true: int, predicted: int) -> list[tuple[int, float, float]]:
    """The images an insight's cells (Insight.cells) keep for confusion cell (true, predicted) as (test index,
    p predicted, p true), the most confident first; none for an insight saved before cells were kept, or a damaged
    entry."""
    rows = cells.get(f"{true},{predicted}") if isinstance(cells, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], int) and r[0] >= 0
                                             and all(isinstance(v, int | float) for v in r) for r in rows):
        return []
    return [(int(i), float(p), float(q)) for i, p, q in rows]


def snapshot(epoch: int, model: nn.Module, images: torch.Tensor, indices: list[int], labels: torch.Tensor,
             predicted: torch.Tensor, confidence: torch.Tensor, true_prob: torch.Tensor, classes: list[str]) -> Insight:
    """The insight of one epoch: grid images (uint8) with true and predicted classes, confusion with the images behind
    each cell, conv1 filters. labels, predicted, confidence, true_prob: every test image's class, the class the net
    gave it, and the softmax probabilities of that class and of the true one."""
    conv1 = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    # the net has 10 outputs even on a 3-class folder set, so it may answer #7: the matrix reaches the highest answer
    size = max(len(classes), int(predicted.max()) + 1 if len(predicted) else 0)
    pick = torch.tensor(indices)
    return Insight(epoch, images, labels[pick].cpu(), predicted[pick].cpu(), confusion(labels.cpu(), predicted.cpu(), size),
                   conv1.weight.detach().float().cpu().clone(), list(classes),
                   cells(labels.cpu(), predicted.cpu(), confidence.cpu(), true_prob.cpu()))
