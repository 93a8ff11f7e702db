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


def activations(x: np.ndarray) -> dict[str, torch.Tensor]:
    """nn.ReLU and nn.Sigmoid applied to x."""
    t = torch.tensor(np.asarray(x), dtype=torch.float32)
    return {"relu": nn.ReLU()(t), "sigmoid": nn.Sigmoid()(t)}


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


def flatten_paths(batch: int, channels: int, height: int, width: int, last_batch: int) -> dict[str, list[Step]]:
    """The course's torch.flatten + Linear, against nn.Flatten, on a full batch and on the smaller last batch.

    torch.flatten(imgs) squashes the batch into the features, so Linear must be
    as wide as batch·C·H·W and breaks on a last batch of another size;
    nn.Flatten() keeps dim 0. Real CPU tensors, so the error text is the one the
    learner's own run prints; the weights are left uninitialised (only shapes matter).
    """
    features = channels * height * width
    full = torch.zeros(batch, channels, height, width)
    last = torch.zeros(last_batch, channels, height, width)
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
