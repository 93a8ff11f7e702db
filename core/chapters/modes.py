"""model.train() / model.eval(), torch.no_grad() and argmax(1): the lines the course's training loop writes
without saying what they do, run on the two layers that make them matter.

Dropout and BatchNorm are the only layers in the course's reach that behave differently in the two modes; the
course's own network has neither, which is why forgetting ``eval()`` there changes nothing and misleads later.
The page's Dropout mask is drawn from a local ``torch.Generator`` with the very call nn.Dropout makes on the
default one, so a visitor's view never touches the process's generator and still equals what the snippet
(seeded the course's way, ``torch.manual_seed``) prints.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core import controls, i18n
from core.code.render import render

DROPOUT_SHAPE = (2, 8)
BN_BATCH = ((1.0, 2.0, 3.0), (3.0, 6.0, 9.0))
SCORES = ((0.1, 2.0, -1.0), (1.5, 0.2, 0.3), (-0.4, 0.1, 0.9))
TARGETS = (1, 2, 2)


@dataclass(frozen=True)
class DropoutSettings:
    """nn.Dropout's p and the torch.manual_seed its mask is drawn after, as the nn.Module page sets them."""

    p: float = controls.choice(0.5, (0.1, 0.2, 0.5, 0.8), "", controls.Widget.SELECT_SLIDER)
    manual_seed: int = controls.number(0, 0, 9999, "settings.manual_seed")


@dataclass(frozen=True)
class DropoutModes:
    train: torch.Tensor   # nn.Dropout(p) on ones after model.train(): zeros, and 1 / (1 - p) elsewhere
    eval: torch.Tensor    # after model.eval(): the input unchanged


@dataclass(frozen=True)
class BatchNormModes:
    train: torch.Tensor          # normalised with this batch's own mean and variance
    running_mean: torch.Tensor   # what train() left in the running statistics (momentum 0.1 from zeros)
    running_var: torch.Tensor
    eval: torch.Tensor           # normalised with the running statistics instead


def dropout(settings: DropoutSettings) -> DropoutModes:
    """nn.Dropout(p) on a batch of ones in both modes, its mask drawn as torch.manual_seed(seed) would draw it."""
    p, seed = settings.p, settings.manual_seed
    x = torch.ones(DROPOUT_SHAPE)
    keep = torch.empty_like(x).bernoulli_(1 - p, generator=torch.Generator().manual_seed(seed))
    layer = nn.Dropout(p).eval()
    return DropoutModes(train=x * keep.div_(1 - p), eval=layer(x))


def batchnorm() -> BatchNormModes:
    """nn.BatchNorm1d(3) on the same batch once in train() and once in eval() mode."""
    bn = nn.BatchNorm1d(3)
    batch = torch.tensor(BN_BATCH)
    with torch.no_grad():
        trained = bn.train()(batch)
        return BatchNormModes(trained, bn.running_mean.clone(), bn.running_var.clone(), bn.eval()(batch))


def predictions() -> tuple[torch.Tensor, torch.Tensor]:
    """argmax(1) of the scores (the predicted class per row) and how many equal the targets."""
    predicted = torch.tensor(SCORES).argmax(1)
    return predicted, (predicted == torch.tensor(TARGETS)).sum()


def written(t: torch.Tensor) -> str:
    """A tensor's numbers for a sentence: nested lists, four decimals, as torch prints them."""
    if t.dim() == 0:
        return f"{t.item():.4f}"
    return "[" + ", ".join(written(row) for row in t) + "]"


def snippet(settings: DropoutSettings, lang: str = i18n.DEFAULT) -> str:
    """The four lines of the course's loop, each shown doing its job."""
    return render("modes", lang, seed=int(settings.manual_seed), shape=DROPOUT_SHAPE, p=repr(float(settings.p)),
                  bn_batch=[list(r) for r in BN_BATCH], scores=[list(r) for r in SCORES], targets=list(TARGETS))
