"""ReLU, Sigmoid, Flatten + Linear and the course's loss functions, with every intermediate number.

Everything is computed by the torch modules the course uses, in float32 like
the course, so the page shows what the learner's own code prints.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import controls, course


def activations(x: np.ndarray) -> dict[str, torch.Tensor]:
    """nn.ReLU and nn.Sigmoid applied to x."""
    t = torch.tensor(np.asarray(x), dtype=torch.float32)
    return {"relu": nn.ReLU()(t), "sigmoid": nn.Sigmoid()(t)}


def photo_activations(image: torch.Tensor) -> dict[str, torch.Tensor]:
    """ReLU and Sigmoid of a ToTensor photo, and ReLU after Normalize(0.5, 0.5): ToTensor's values are all ≥ 0, so
    ReLU changes nothing until normalisation makes half of them negative."""
    normalized = (image - 0.5) / 0.5
    return {"plain": image, "relu": torch.relu(image), "sigmoid": torch.sigmoid(image), "normalized": normalized,
            "relu_normalized": torch.relu(normalized)}


def curves(low: float = -6.0, high: float = 6.0, n: int = 241) -> dict[str, np.ndarray]:
    """ReLU and Sigmoid over a range, for plotting."""
    x = torch.linspace(low, high, n)
    return {"x": x.numpy(), "relu": torch.relu(x).numpy(), "sigmoid": torch.sigmoid(x).numpy()}


@dataclass(frozen=True)
class Step:
    code: str                          # the expression, as the learner would type it
    shape: tuple[int, ...] | None      # None where PyTorch raised
    error: str | None = None


def _run(code: str, fn) -> Step:
    try:
        return Step(code, tuple(fn().shape))
    except RuntimeError as err:
        return Step(code, None, str(err).splitlines()[0])


@dataclass(frozen=True)
class FlattenSettings:
    """The DataLoader's batch_size and the images' size as the flatten tab sets them; the defaults are the course's
    CIFAR-10 test set (10,000 images of 3×32×32) in batches of 64."""

    batch_size: int = controls.slider(64, 1, 128)
    channels: int = controls.slider(3, 1, 3, "layers.channels")
    size: int = controls.slider(32, 1, 32, "layers.size")
    dataset_size: int = controls.number(10_000, 1, 100_000, "layers.dataset_size")

    @property
    def full_batches(self) -> int:
        """Batches of batch_size images (drop_last=False: a smaller last batch follows unless they divide evenly)."""
        return self.dataset_size // self.batch_size

    @property
    def last_batch(self) -> int:
        """The size of the last batch: the remainder, or a full batch where the images divide evenly."""
        return self.dataset_size % self.batch_size or self.batch_size

    @property
    def features(self) -> int:
        """What one image flattens to: channels · size · size (nn.Linear's in_features with nn.Flatten)."""
        return self.channels * self.size * self.size


def flatten_paths(settings: FlattenSettings) -> dict[str, list[Step]]:
    """The course's torch.flatten + Linear, against nn.Flatten, on a full batch and on the last batch.

    torch.flatten(imgs) squashes the batch into the features, so Linear must be
    as wide as batch·C·H·W and breaks on a last batch of another size;
    nn.Flatten() keeps dim 0. Real CPU tensors, so the error text is the one the
    learner's own run prints; the weights are left uninitialised (only shapes matter).
    """
    batch, features, image = settings.batch_size, settings.features, (settings.channels, settings.size, settings.size)
    full = torch.zeros(batch, *image)
    last = torch.zeros(settings.last_batch, *image)
    wide = torch.empty(10, batch * features)
    narrow = torch.empty(10, features)
    return {
        "whole": [
            _run("torch.flatten(imgs)", lambda: torch.flatten(full)),
            _run(f"nn.Linear({batch * features}, 10)(output)", lambda: F.linear(torch.flatten(full), wide)),
            _run("torch.flatten(imgs)", lambda: torch.flatten(last)),
            _run(f"nn.Linear({batch * features}, 10)(output)", lambda: F.linear(torch.flatten(last), wide)),
        ],
        "keep": [
            _run("nn.Flatten()(imgs)", lambda: nn.Flatten()(full)),
            _run(f"nn.Linear({features}, 10)(output)", lambda: F.linear(nn.Flatten()(full), narrow)),
            _run("nn.Flatten()(imgs)", lambda: nn.Flatten()(last)),
            _run(f"nn.Linear({features}, 10)(output)", lambda: F.linear(nn.Flatten()(last), narrow)),
        ],
    }


def regression_losses(inputs: np.ndarray, targets: np.ndarray) -> dict[str, object]:
    """L1Loss and MSELoss (mean and sum) with the per-element differences they are built from."""
    x = torch.tensor(np.asarray(inputs), dtype=torch.float32)
    y = torch.tensor(np.asarray(targets), dtype=torch.float32)
    return {
        "abs": (x - y).abs(),
        "square": (x - y) ** 2,
        "l1_mean": nn.L1Loss()(x, y),
        "l1_sum": nn.L1Loss(reduction="sum")(x, y),
        "mse_mean": nn.MSELoss()(x, y),
        "mse_sum": nn.MSELoss(reduction="sum")(x, y),
    }


@dataclass(frozen=True)
class CrossEntropySettings:
    """The class CrossEntropyLoss is given as the target: the course's 1 by default, one of the logits' indices
    (``form`` offers as many as the learner typed)."""

    target: int = controls.choice(course.CROSS_ENTROPY_TARGET, tuple(range(10)), "layers.target",
                                  controls.Widget.SELECTBOX)


def cross_entropy_steps(logits: np.ndarray, target: int) -> dict[str, torch.Tensor]:
    """nn.CrossEntropyLoss taken apart: exp, softmax, −log p[target], and the gradient backward() gives.

    loss = −x[class] + log(Σ exp(x[j])) = −log(softmax(x)[class]); its gradient
    with respect to the logits is softmax(x) − one_hot(class).
    """
    x = torch.tensor(np.asarray(logits), dtype=torch.float32).reshape(1, -1).requires_grad_()
    loss = nn.CrossEntropyLoss()(x, torch.tensor([target]))
    loss.backward()
    with torch.no_grad():
        exp = x[0].exp()
        return {"exp": exp, "sum_exp": exp.sum(), "softmax": exp / exp.sum(), "log_sum_exp": exp.sum().log(),
                "picked": x[0, target], "loss": loss.detach(), "grad": x.grad[0]}
