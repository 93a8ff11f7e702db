"""Training recipes: each one small object that says how to feed, optimise, schedule, score and test the net.

"course" is the video's loop exactly: a DataLoader with ToTensor, batch 64,
plain SGD at lr 0.01, CrossEntropyLoss, a constant learning rate.
"improved" trains the same architecture well: decoded data on the device,
random crop + flip on whole batches, Nesterov momentum, warm-up then cosine
decay, label smoothing. "fast" spends a small compute budget as well as it can
(see FAST_TRICKS): the same architecture and state_dict keys, fewer epochs.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import torch
from torch import nn

from core.data import batches
from core.data.discovery import held_out_in
from core.data.tensors import load_split

Report = Callable[[int, int, bool], None]   # images done, of total, came from the cache


class RecipeName(StrEnum):
    """The recipes by name: what the URL, config.json and a request from Redis carry (a str, so either spelling
    compares equal)."""

    COURSE = "course"
    IMPROVED = "improved"
    FAST = "fast"


@dataclass
class Feed:
    """A recipe's data: training batches per epoch, test batches, and what a run records about them."""

    epoch: Callable[[torch.Generator], Iterator[tuple[torch.Tensor, ...]]]
    inputs: Callable[..., tuple[torch.Tensor, torch.Tensor]]   # one item of epoch() -> (x, y) on the device
    test: Callable[[], Iterator[tuple[torch.Tensor, torch.Tensor]]]
    sample: Callable[[list[int]], torch.Tensor]   # test images by index, as uint8 (the insight grid)
    train_size: int
    test_size: int
    steps_per_epoch: int
    classes: list[str]
    mean: list[float] | None = None
    std: list[float] | None = None
    tensors: TensorBatches | None = None    # the training split, where it lives on the device

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 images as the network's input for this recipe."""
        x = images.float().div(255)
        if self.mean is not None:
            x = (x - torch.tensor(self.mean).view(1, 3, 1, 1)) / torch.tensor(self.std).view(1, 3, 1, 1)
        return x


TensorBatches = batches.TensorBatches


@dataclass(frozen=True)
class Recipe:
    """The course's loop. Subclasses change what they must: data, optimizer, schedule, loss, evaluation."""

    name: RecipeName = RecipeName.COURSE
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.01
    optimizer: str = "sgd"

    def defaults(self) -> dict:
        return {"epochs": self.epochs, "batch_size": self.batch_size, "lr": self.lr, "optimizer": self.optimizer}

    def feed(self, data: Path, batch_size: int, subset: int | None, device: torch.device,
             generator: torch.Generator, report: Report) -> Feed:
        train = batches.course_loader(data, "train", batch_size, generator, subset)
        test = batches.course_loader(data, held_out_in(data), batch_size, None, None)
        dataset = train.dataset
        report(len(dataset), len(dataset), False)   # the course decodes every image in every epoch instead

        def to_device(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return x.to(device), y.to(device)

        def sample(indices: list[int]) -> torch.Tensor:
            return torch.stack([(test.dataset[i][0] * 255).round().to(torch.uint8) for i in indices])

        return Feed(epoch=lambda g: iter(train), inputs=to_device, test=lambda: iter(test), sample=sample,
                    train_size=len(dataset), test_size=len(test.dataset), steps_per_epoch=len(train),
                    classes=getattr(dataset, "dataset", dataset).classes)

    def prepare_model(self, model: nn.Module, feed: Feed) -> nn.Module:
        return model

    def make_optimizer(self, model: nn.Module, name: str, lr: float, fused: bool) -> torch.optim.Optimizer:
        if name == "adam":
            return torch.optim.Adam(model.parameters(), lr=lr)
        return torch.optim.SGD(model.parameters(), lr=lr)

    def optimizer_kind(self, name: str) -> str:
        """Which optimizer ``make_optimizer(…, name, …)`` builds, for the page to name it: sgd, nesterov or adam."""
        return name

    def learning_rate(self, step: int, total: int, base: float) -> float:
        return base

    def loss(self) -> nn.Module:
        return nn.CrossEntropyLoss()

    def predict(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """The logits the test pass scores."""
        return model(x)

    def graphable(self, device: torch.device, optimizer: str) -> bool:
        """Whether a CUDA graph may replay the training step (tensors in, fixed shapes)."""
        return False

    def autocast(self, device: torch.device):
        return torch.autocast("cpu", enabled=False)


@dataclass(frozen=True)
class Improved(Recipe):
    """Decoded data on the device, batch augmentation, Nesterov SGD, warm-up + cosine, label smoothing."""

    name: RecipeName = RecipeName.IMPROVED
    epochs: int = 30
    batch_size: int = 256
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    warmup: float = 0.15
    pad: int = 4
    alternate_flips: bool = False

    def feed(self, data: Path, batch_size: int, subset: int | None, device: torch.device,
             generator: torch.Generator, report: Report) -> Feed:
        train_split = load_split(data, "train", progress=report)
        mean, std = batches.channel_stats(train_split.images)
        train_split = batches.subset(train_split, subset)
        test_split = load_split(data, held_out_in(data))
        train = TensorBatches(train_split, device, mean, std, self.pad, self.alternate_flips)
        test = TensorBatches(test_split, device, mean, std)
        return Feed(epoch=lambda g: train.epoch(batch_size, g), inputs=train.inputs,
                    test=lambda: test.batches(1000), sample=lambda i: test_split.images[i].clone(), train_size=len(train),
                    test_size=len(test), steps_per_epoch=len(train) // batch_size, classes=train_split.classes,
                    mean=mean, std=std, tensors=train)

    def prepare_model(self, model: nn.Module, feed: Feed) -> nn.Module:
        return model.to(memory_format=torch.channels_last)

    def make_optimizer(self, model: nn.Module, name: str, lr: float, fused: bool) -> torch.optim.Optimizer:
        if name == "adam":
            return torch.optim.Adam(model.parameters(), lr=lr)
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=self.momentum, nesterov=True,
                               weight_decay=self.weight_decay, fused=fused or None)

    def optimizer_kind(self, name: str) -> str:
        return "adam" if name == "adam" else "nesterov"

    def learning_rate(self, step: int, total: int, base: float) -> float:
        """Linear warm-up from base/10, then cosine decay to 0."""
        warm = max(1, int(self.warmup * total))
        if step < warm:
            return base * (0.1 + 0.9 * step / warm)
        return base * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    def loss(self) -> nn.Module:
        return nn.CrossEntropyLoss(label_smoothing=self.label_smoothing)

    def graphable(self, device: torch.device, optimizer: str) -> bool:
        return device.type == "cuda" and optimizer == "sgd"

    def autocast(self, device: torch.device):
        if device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False)
        return torch.autocast("cpu", enabled=False)


@dataclass(frozen=True)
class Fast(Improved):
    """A small budget spent well: see FAST_TRICKS for each change and why."""

    name: RecipeName = RecipeName.FAST
    epochs: int = 3
    batch_size: int = 128   # twice the steps of 256 for the same images, and faster per image on a CPU
    lr: float = 0.05
    label_smoothing: float = 0.1
    pad: int = 2
    alternate_flips: bool = True
    whiten_eps: float = 1e-2
    whiten_scale: float = 0.5

    def prepare_model(self, model: nn.Module, feed: Feed) -> nn.Module:
        if feed.tensors is not None:
            some = torch.randperm(len(feed.tensors), generator=torch.Generator().manual_seed(0))[:WHITEN_IMAGES]
            whiten_conv1(model.model[0], feed.tensors.inputs(some)[0], self.whiten_eps, self.whiten_scale)
        return super().prepare_model(model, feed)

    def predict(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """Test-time augmentation: the mean of the logits of each image and its mirror image."""
        return (model(x) + model(x.flip(3))) / 2


FAST_TRICKS = ("whiten", "batch", "pad", "alternate_flips", "tta")
WHITEN_IMAGES = 512   # 400,000 patches of 5×5×3: enough for a 75×75 covariance, small enough to take a moment


@torch.no_grad()
def whiten_conv1(conv: nn.Conv2d, x: torch.Tensor, eps: float, scale: float) -> None:
    """Initialise the first conv from the data: its filters whiten 5×5 patches (half of them negated).

    The 16 main directions of the patch covariance (its top eigenvectors), each
    divided by its spread: the first layer starts out seeing decorrelated edges
    and colours instead of noise. The filters stay trainable.
    """
    k = conv.kernel_size[0]
    patches = x.float().unfold(2, k, 1).unfold(3, k, 1).permute(0, 2, 3, 1, 4, 5).reshape(-1, conv.in_channels * k * k)
    patches = patches - patches.mean(0)
    values, vectors = torch.linalg.eigh(patches.T @ patches / len(patches))
    half = conv.out_channels // 2
    top = (vectors[:, -half:] / torch.sqrt(values[-half:] + eps)).T.flip(0)
    conv.weight.copy_(torch.cat([top, -top]).reshape_as(conv.weight).to(conv.weight) * scale)
    conv.bias.zero_()


RECIPES: dict[RecipeName, Recipe] = {r.name: r for r in (Fast(), Improved(), Recipe())}
