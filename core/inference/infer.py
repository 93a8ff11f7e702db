"""Classifying a photo with CIFAR10-quick the course's way, what the network sees, and how good a model is."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision import transforms

from core.data.tensors import TensorSplit


@dataclass
class Prepared:
    small: Image.Image          # after Resize((32, 32)): what the network sees
    tensor: torch.Tensor        # after ToTensor (and Normalize, when the model was trained with it)
    batch: torch.Tensor         # torch.reshape(tensor, (1, 3, 32, 32))


def prepare(image: Image.Image, mean: list[float] | None = None, std: list[float] | None = None) -> Prepared:
    """The course's test.py: convert('RGB'), Resize((32, 32)), ToTensor, plus Normalize if the model card names it."""
    steps = [transforms.Resize((32, 32)), transforms.ToTensor()]
    small = steps[0](image.convert("RGB"))
    tensor = steps[1](small)
    if mean is not None:
        tensor = transforms.Normalize(mean, std)(tensor)
    return Prepared(small, tensor, torch.reshape(tensor, (1, 3, 32, 32)))


@torch.no_grad()
def predict(model: nn.Module, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits, softmax probabilities) of one image; model.eval() as the course does before testing."""
    model.eval()
    logits = model(batch)[0]
    return logits, logits.softmax(0)


@torch.no_grad()
def feature_maps(model: nn.Module, batch: torch.Tensor) -> list[tuple[int, str, torch.Tensor]]:
    """The output of every Conv2d and pooling layer for one image: (index in model.model, layer, [C, H, W])."""
    model.eval()
    maps, x = [], batch
    for i, layer in enumerate(model.model):
        x = layer(x)
        if isinstance(layer, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d):
            maps.append((i, repr(layer), x[0]))
    return maps


@dataclass(frozen=True)
class Seen:
    """What the network makes of one photo: its outputs and every conv and pool layer's maps, as arrays."""

    logits: np.ndarray                        # [classes]
    probs: np.ndarray                         # softmax of the logits
    maps: list[tuple[int, str, np.ndarray]]   # (index in model.model, layer, [C, H, W])


def seen(model: nn.Module, batch: torch.Tensor) -> Seen:
    """predict and feature_maps together, as plain arrays (what a page caches for every session)."""
    logits, probs = predict(model, batch)
    return Seen(logits.numpy(), probs.numpy(), [(i, layer, m.numpy()) for i, layer, m in feature_maps(model, batch)])


@dataclass
class Audit:
    accuracy: float
    per_class: list[float]
    confusion: list[list[int]]              # rows: true class, columns: predicted (outputs past the classes included)
    mistakes: list[tuple[int, int, int, float]]  # (test index, true, predicted, confidence), most confident first
    truth: np.ndarray                       # [N]: each test image's class
    probs: np.ndarray                       # [N, outputs] float32: the softmax the model gave each test image

    def cell(self, true: int, predicted: int) -> list[int]:
        """The test images behind confusion cell (true, predicted): of class ``true``, predicted ``predicted``,
        the most confident first."""
        guessed = self.probs.argmax(1)
        inside = np.flatnonzero((self.truth == true) & (guessed == predicted))
        return inside[np.argsort(-self.probs[inside, predicted], kind="stable")].tolist()


@torch.no_grad()
def audit(model: nn.Module, split: TensorSplit, mean: list[float] | None, std: list[float] | None,
          mistakes: int = 24, batch_size: int = 1000) -> Audit:
    """Test accuracy, per-class accuracy, the confusion matrix and the most confident mistakes."""
    model.eval()
    n_classes = len(split.classes)
    predictions, confidences, every = [], [], []
    m = torch.tensor(mean).view(1, 3, 1, 1) if mean is not None else None
    s = torch.tensor(std).view(1, 3, 1, 1) if std is not None else None
    for i in range(0, len(split.labels), batch_size):
        x = split.images[i:i + batch_size].float().div_(255)
        if m is not None:
            x = (x - m) / s
        probs = model(x).softmax(1)
        every.append(probs)
        confidence, predicted = probs.max(1)
        predictions.append(predicted)
        confidences.append(confidence)
    predicted, confidence = torch.cat(predictions), torch.cat(confidences)
    truth = split.labels
    size = max(n_classes, probs.shape[1])  # a model with more outputs than the set has classes can predict those too
    confusion = torch.bincount(truth * size + predicted, minlength=size ** 2).view(size, size)
    per_class = (confusion.diag().float() / confusion.sum(1).clamp(min=1))[:n_classes].tolist()
    wrong = (predicted != truth).nonzero().flatten()
    worst = wrong[confidence[wrong].argsort(descending=True)[:mistakes]]
    return Audit((predicted == truth).float().mean().item(), per_class, confusion.tolist(),
                 [(int(i), int(truth[i]), int(predicted[i]), float(confidence[i])) for i in worst],
                 truth.numpy(), torch.cat(every).numpy())
