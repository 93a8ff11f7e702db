"""What the net has learnt after an epoch, as a learner can watch it (ConvNetJS-style).

A fixed grid of test images with the predicted class, the confusion matrix of
the whole test pass, and the first conv layer's filters. Saved with the run
(RunDir.commit_epoch), so the page shows it live and after a reload.
"""
from __future__ import annotations

import torch
from torch import nn

from core.training.records import Insight

GRID = 16


def grid_indices(test_size: int) -> list[int]:
    """The same 16 test images for every epoch and every run on this test set."""
    return torch.randperm(test_size, generator=torch.Generator().manual_seed(0))[:GRID].tolist()


def confusion(labels: torch.Tensor, predicted: torch.Tensor, size: int) -> torch.Tensor:
    """Rows: true class; columns: predicted class; ``size`` covers both (see ``snapshot``)."""
    return torch.bincount(labels * size + predicted, minlength=size * size).reshape(size, size)


def snapshot(epoch: int, model: nn.Module, images: torch.Tensor, indices: list[int], labels: torch.Tensor,
             predicted: torch.Tensor, classes: list[str]) -> Insight:
    """The insight of one epoch: grid images (uint8) with true and predicted classes, confusion, conv1 filters."""
    conv1 = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    # the net has 10 outputs even on a 3-class folder set, so it may answer #7: the matrix reaches the highest answer
    size = max(len(classes), int(predicted.max()) + 1 if len(predicted) else 0)
    pick = torch.tensor(indices)
    return Insight(epoch, images, labels[pick].cpu(), predicted[pick].cpu(), confusion(labels.cpu(), predicted.cpu(), size),
                   conv1.weight.detach().float().cpu().clone(), list(classes))
