"""DataLoader arithmetic, and any batch of any epoch exactly as a DataLoader would yield it.

To show "batch k of epoch e" the page does not run the loader over images: it
runs a DataLoader with the same settings over the indices alone (cheap), which
draws the same random numbers as the learner's loader, then loads only the
images of that batch and collates them with DataLoader's own collate function.
A sample whose image file cannot be read is left out and reported, where a
DataLoader would stop with the error, so the page can say which file to fix.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, Dataset, default_collate

from core import controls
from core.data.paths import UNREADABLE

BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class BatchCount:
    full: int       # batches of exactly batch_size
    last: int       # size of the smaller last batch (0 if the data divide evenly or drop_last drops it)
    batches: int    # len(dataloader)


def count_batches(n: int, batch_size: int, drop_last: bool) -> BatchCount:
    """10000 images, batch 64: 156 full batches + one of 16 (157), or 156 with drop_last."""
    full, rest = divmod(n, batch_size)
    last = 0 if drop_last else rest
    return BatchCount(full, last, full + (1 if last else 0))


@dataclass(frozen=True)
class LoaderSettings:
    """The DataLoader the Data page shows, with PyTorch's argument names; ``seed`` is its generator's
    (``torch.Generator().manual_seed(seed)``) and ``epoch`` the pass over the data whose batches are shown."""

    batch_size: int = controls.choice(64, BATCH_SIZES, "", controls.Widget.SELECT_SLIDER)
    seed: int = controls.number(0, 0, 10_000)
    epoch: int = controls.number(1, 1, 20)
    num_workers: int = controls.choice(0, (0, 1, 2, 4), "", controls.Widget.SELECT_SLIDER)
    shuffle: bool = controls.toggle(True)
    drop_last: bool = controls.toggle(False)

    def count(self, n: int) -> BatchCount:
        """``len(dataloader)`` over ``n`` items, and how it is made up."""
        return count_batches(n, self.batch_size, self.drop_last)


def class_counts(targets: torch.Tensor, classes: int) -> list[int]:
    """How many of a batch's targets fall in each of ``classes`` classes (0 for a class the batch lacks)."""
    return torch.bincount(targets, minlength=classes).tolist()


class _Indices(Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        return i

    def __getitems__(self, indices: list[int]) -> list[int]:
        return list(indices)  # DataLoader fetches a whole batch in one call: no Python call per sample


def epoch_batches(n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int, epoch: int) -> list[list[int]]:
    """The dataset indices of every batch in epoch ``epoch`` (1-based) of
    ``DataLoader(dataset, batch_size, shuffle, drop_last=drop_last, generator=torch.Generator().manual_seed(seed))``."""
    loader = DataLoader(_Indices(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        generator=torch.Generator().manual_seed(seed), collate_fn=list)
    order: list[list[int]] = []
    for _ in range(epoch):
        order = list(loader)
    return order


def load_batch(dataset: Dataset, indices: list[int]) -> tuple[object, tuple[int, ...]]:
    """The batch a DataLoader yields for these indices (dataset[i] for each, through default_collate), and
    the indices left out because their image could not be read. The batch is None when none could."""
    items, skipped = [], []
    for i in indices:
        try:
            items.append(dataset[i])
        except UNREADABLE:
            skipped.append(i)
    return (default_collate(items) if items else None), tuple(skipped)
