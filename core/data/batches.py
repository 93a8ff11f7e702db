"""Feeding the network: the course's DataLoader, and whole batches made on the device from uint8 tensors.

The improved and fast recipes decode the data set once (core.data.load_split),
keep it on the device as uint8 and normalise, crop and flip whole batches there
with tensor ops: no per-image Python work. An epoch's random draws are made up
front on the CPU, batch by batch, so every device sees the same random stream.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image

from core.data.discovery import is_cifar10
from core.data.tensors import TensorSplit


def channel_stats(images: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of uint8 images on the 0–1 scale ToTensor gives."""
    x = images.float().div_(255).transpose(0, 1).reshape(3, -1)
    return x.mean(1).tolist(), x.std(1).tolist()


def subset(split: TensorSplit, size: int | None) -> TensorSplit:
    """size training images drawn with a fixed seed (the same draw as the course loader's Subset)."""
    if not size:
        return split
    keep = torch.randperm(len(split.labels), generator=torch.Generator().manual_seed(0))[:size]
    return TensorSplit(split.images[keep], split.labels[keep], split.classes)


def augmentation_draws(generator: torch.Generator, batches: int, size: int,
                       pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """An epoch's crop offsets (2, batches·size) and flips (batches·size,), drawn batch by batch.

    Drawn up front on the CPU so an accelerator gets them in one copy per epoch
    instead of waiting on the host every step; the per-batch order keeps the
    random stream, and so the results, the same on every device.
    """
    draws = [(torch.randint(0, 2 * pad + 1, (2, size), generator=generator), torch.rand(size, generator=generator) < 0.5)
             for _ in range(batches)]
    if not draws:
        return torch.empty(2, 0, dtype=torch.long), torch.empty(0, dtype=torch.bool)
    return torch.cat([d[0] for d in draws], 1), torch.cat([d[1] for d in draws])


def augment(x: torch.Tensor, shifts: torch.Tensor, flips: torch.Tensor, pad: int) -> torch.Tensor:
    """RandomCrop(32, padding=pad, reflect) and RandomHorizontalFlip for a whole batch at once.

    shifts (2, b) holds each image's crop offset (rows, columns) in the padded image; flips (b,) its mirror flag.
    """
    b, _, h, w = x.shape
    if pad:
        padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")
        dy, dx = shifts
        rows = (dy[:, None] + torch.arange(h, device=x.device))[:, :, None]
        cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, :]
        x = padded[torch.arange(b, device=x.device)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)
    return torch.where(flips[:, None, None, None], x.flip(3), x)


class TensorBatches:
    """A split kept on the device as uint8; batches normalised (and augmented) there.

    pad: the crop's reflect padding (0: flips only). alternate_flips: from the
    second epoch on, each image is mirrored exactly when it was not in the
    epoch before (airbench's trick: every two epochs see both views).
    """

    def __init__(self, split: TensorSplit, device: torch.device, mean: list[float], std: list[float],
                 pad: int = 4, alternate_flips: bool = False) -> None:
        self.images, self.labels = split.images.to(device), split.labels.to(device)
        self.mean = torch.tensor(mean, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, 3, 1, 1)
        self.pad, self.alternate_flips = pad, alternate_flips
        self._flipped: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def inputs(self, idx: torch.Tensor | slice, shifts: torch.Tensor | None = None,
               flips: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The images at idx, normalised (and augmented, given shifts and flips), with their labels."""
        x = (self.images[idx].float().div_(255) - self.mean) / self.std
        if shifts is not None:
            x = augment(x, shifts, flips, self.pad)
        return x.contiguous(memory_format=torch.channels_last), self.labels[idx]

    def epoch(self, size: int, generator: torch.Generator) -> Iterator[tuple[torch.Tensor, ...]]:
        """A shuffled epoch as (indices, crop offsets, flips) per full batch; the ragged last batch is dropped."""
        n, device = len(self), self.labels.device
        order = torch.randperm(n, generator=generator)
        shifts, flips = augmentation_draws(generator, n // size, size, self.pad)
        if self.alternate_flips:
            self._flipped = flips_by_image(order, flips, n) if self._flipped is None else ~self._flipped
            flips = self._flipped[order[:len(flips)]]
        order, shifts, flips = order.to(device), shifts.to(device), flips.to(device)
        for i in range(0, n - size + 1, size):
            yield order[i:i + size], shifts[:, i:i + size], flips[i:i + size]

    def flip_state(self) -> torch.Tensor | None:
        """Which images the last epoch mirrored (saved with a run so a resumed epoch alternates the same)."""
        return self._flipped

    def restore_flips(self, flipped: torch.Tensor | None) -> None:
        self._flipped = flipped

    def batches(self, size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The split in order, for evaluation."""
        for i in range(0, len(self), size):
            yield self.inputs(slice(i, i + size))


def flips_by_image(order: torch.Tensor, flips: torch.Tensor, n: int) -> torch.Tensor:
    """The first epoch's random flips, indexed by image instead of by position in the shuffled order."""
    by_image = torch.zeros(n, dtype=torch.bool)
    by_image[order[:len(flips)]] = flips
    return by_image


def course_loader(data: Path, split: str, batch_size: int, generator: torch.Generator | None, size: int | None):
    """The course's input pipeline: a torchvision data set with ToTensor and a DataLoader (size: a training subset)."""
    from torch.utils.data import DataLoader, Subset
    from torchvision import datasets, transforms

    if is_cifar10(data):
        dataset = datasets.CIFAR10(str(data), train=split == "train", transform=transforms.ToTensor())
    else:
        dataset = datasets.ImageFolder(str(data / split), transform=transforms.ToTensor())
        with Image.open(dataset.samples[0][0]) as first:
            if first.size != (32, 32):  # the network's Linear(1024, 64) expects 32×32 inputs
                dataset.transform = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor()])
    if size and split == "train":
        dataset = Subset(dataset, torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))[:size])
    return DataLoader(dataset, batch_size=batch_size, shuffle=split == "train", generator=generator)
