"""Loss, backward and the optimizer on the real network: the course's nn_loss_network and nn_optim, on real images.

The course runs these on CIFAR-10's test set; here they run on a fixed pick of
the bundled mini CIFAR-10 (SUBSET images), small enough for a few seconds on a
CPU. The network is initialised from a local generator (``core.model.build``),
which draws what ``torch.manual_seed(seed); Tudui()`` draws, so the standalone
code (which may seed globally: it is the learner's own process) prints the same
numbers as the page.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from core import controls
from core.model import build

SUBSET = 256   # images of the bundled test split, picked by torch.randperm with seed 0
_ONE_LOOP = threading.Lock()   # a classroom pressing "run" at once trains one loop at a time, not thirty


def steps_per_epoch(batch_size: int) -> int:
    """Batches in one pass over the SUBSET images (the last one partial: drop_last=False)."""
    return -(-SUBSET // batch_size)


def dataloader(root: Path, batch_size: int) -> DataLoader:
    """The course's DataLoader (no shuffle) over a fixed random pick of the folder's images (the folder is sorted by class)."""
    import torchvision

    dataset = torchvision.datasets.ImageFolder(str(root), transform=torchvision.transforms.ToTensor())
    pick = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))[:SUBSET]
    # The generator only seeds the (unused) worker base seed, which would otherwise come from the global RNG.
    return DataLoader(Subset(dataset, pick), batch_size=batch_size, generator=torch.Generator())


@dataclass(frozen=True)
class BackwardSettings:
    """The DataLoader's batch_size and SGD's lr as the nn.Module page sets them, for backward() and the loop."""

    batch_size: int = controls.choice(16, (1, 16, 64), "", controls.Widget.SELECT_SLIDER)
    lr: float = controls.choice(0.01, (0.001, 0.01, 0.1), "", controls.Widget.SELECT_SLIDER)


@dataclass(frozen=True)
class LoopSettings:
    """How many epochs the optimizer loop trains (its batch_size and lr are the page's BackwardSettings)."""

    epochs: int = controls.slider(5, 1, 20)


@dataclass(frozen=True)
class Gradients:
    """One batch through the course's network and one backward call, as the course inspects it in the debugger."""
    printed_loss: str                          # print(result_loss): tensor(…, grad_fn=<NllLossBackward0>)
    shapes: tuple[tuple[str, tuple[int, ...]], ...]   # every parameter's .grad shape after backward()
    weight: np.ndarray                         # conv1.weight [32, 3, 5, 5] before the step
    grad: np.ndarray                           # conv1.weight.grad after one backward()
    stepped: np.ndarray                        # conv1.weight after optimizer.step() with lr
    once: float                                # conv1.weight.grad[0, 0, 0, 0] after one backward()
    twice: float                               # … after a second backward() without zero_grad()

    @property
    def ratio(self) -> float:
        return self.twice / self.once

    @property
    def change(self) -> float:
        """The largest change one step made to a conv1 weight: lr × |grad|, too small to see."""
        return float(np.abs(self.stepped - self.weight).max())


def gradients(root: Path, settings: BackwardSettings, seed: int = 0) -> Gradients:
    """The first batch, its loss, backward(), one SGD step; then a second backward without zero_grad()."""
    imgs, targets = next(iter(dataloader(root, settings.batch_size)))
    tudui = build("course", torch.Generator().manual_seed(seed))
    loss = nn.CrossEntropyLoss()
    conv1 = tudui.model[0]
    result_loss = loss(tudui(imgs), targets)
    result_loss.backward()
    shapes = tuple((name, tuple(p.grad.shape)) for name, p in tudui.named_parameters())
    weight, grad = conv1.weight.detach().clone(), conv1.weight.grad.clone()
    once = conv1.weight.grad[0, 0, 0, 0].item()
    loss(tudui(imgs), targets).backward()        # no zero_grad(): this gradient is added to the first
    twice = conv1.weight.grad[0, 0, 0, 0].item()
    optim = torch.optim.SGD(tudui.parameters(), lr=settings.lr)
    conv1.weight.grad = grad.clone()             # the step the course takes: with one backward's gradient
    optim.step()
    return Gradients(str(result_loss), shapes, weight.numpy(), grad.numpy(),
                     conv1.weight.detach().numpy().copy(), once, twice)


@dataclass(frozen=True)
class Epoch:
    printed: str     # print(running_loss), as the course prints it: a tensor with its grad_fn
    total: float     # the same number: the sum of the epoch's batch losses (each a batch mean)


class Trend(StrEnum):
    """Where running_loss went from the first epoch to the last: the page says which, since a large lr goes up."""

    ONE_EPOCH = "one"
    FELL = "fell"
    ROSE = "rose"
    DIVERGED = "diverged"  # nan or inf: the steps overflowed the weights


def trend(epochs: list[Epoch]) -> Trend:
    first, last = epochs[0].total, epochs[-1].total
    if not math.isfinite(last):
        return Trend.DIVERGED
    if len(epochs) == 1:
        return Trend.ONE_EPOCH
    return Trend.FELL if last < first else Trend.ROSE


def optimizer_loop(root: Path, settings: BackwardSettings, loop: LoopSettings, seed: int = 0) -> list[Epoch]:
    """The course's nn_optim loop, running_loss summed the course's way (a tensor, so its graph comes along)."""
    loader = dataloader(root, settings.batch_size)
    loss = nn.CrossEntropyLoss()
    tudui = build("course", torch.Generator().manual_seed(seed))
    optim = torch.optim.SGD(tudui.parameters(), lr=settings.lr)
    out = []
    with _ONE_LOOP:
        for _ in range(loop.epochs):
            running_loss = 0.0
            for imgs, targets in loader:
                result_loss = loss(tudui(imgs), targets)
                optim.zero_grad()
                result_loss.backward()
                optim.step()
                running_loss = running_loss + result_loss
            out.append(Epoch(str(running_loss), running_loss.item()))
    return out
