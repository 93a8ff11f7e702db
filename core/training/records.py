"""A training run's records as types: its settings (Config), the settings as its folder keeps them (RunConfig), a
metrics row per epoch (MetricsRow) and what the net had learnt after the last one (Insight).

Each record turns into plain JSON (or, for Insight, a dict of tensors torch.save can write and weights_only can
read) and back here, and nowhere else: core.training.rundir writes and reads them in the run folder,
core.training.remote sends them through Redis. Reading is tolerant on purpose: a file an older app, a kill mid-write
or a hand edit left in another shape reads as None, and the page skips or notes it rather than failing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import torch

from core.model import ARCHITECTURES
from core.training.recipes import RECIPES, RecipeName

NUMBER = (int, float)


def _is(value: object, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that True is not a number here (JSON's true must not read as epoch 1)."""
    return isinstance(value, kind) and not isinstance(value, bool)


def _triple(value: object) -> bool:
    return value is None or isinstance(value, list) and len(value) == 3 and all(_is(x, NUMBER) for x in value)


@dataclass(frozen=True)
class Config:
    """One training job. Fields left None take the recipe's value (see core.training.recipes).

    data is a folder on this machine, or, in a request sent to the workers (core.training.remote), the data set's
    stable id, which each worker looks up in its own data directory.
    """

    data: str
    recipe: RecipeName = RecipeName.IMPROVED
    arch: str = "course"
    epochs: int | None = None
    lr: float | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    subset: int | None = None
    seed: int = 0
    device: str = "auto"

    def resolved(self) -> Config:
        """The recipe's values where a field is None; ValueError for a recipe or architecture this app lacks."""
        try:
            recipe = RecipeName(self.recipe)
        except ValueError:
            raise ValueError(f"unknown recipe {self.recipe!r}; choose from {list(RECIPES)}") from None
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.arch!r}; choose from {ARCHITECTURES}")
        defaults = {k: v for k, v in RECIPES[recipe].defaults().items() if getattr(self, k) is None}
        return replace(self, recipe=recipe, **defaults)

    def key(self) -> str:
        """The job's identity: same settings, same key, same run directory."""
        settings = asdict(self.resolved())
        settings["data"] = str(Path(self.data).resolve())
        return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]

    @classmethod
    def from_json(cls, data: dict) -> Config | None:
        """Saved settings, resolved; None unless every field has the type the engine needs and the recipe and the
        architecture are this app's."""
        typed = {"data": str, "recipe": str, "arch": str, "epochs": int, "lr": NUMBER, "batch_size": int,
                 "optimizer": str, "seed": int, "device": str}
        if not all(_is(data.get(k), t) for k, t in typed.items()) or data["epochs"] < 1 or data["batch_size"] < 1 \
                or not (data.get("subset") is None or _is(data["subset"], int)):
            return None
        try:
            return cls(**{f.name: data.get(f.name) for f in fields(cls)}).resolved()
        except ValueError:
            return None


@dataclass(frozen=True)
class RunConfig:
    """config.json: the resolved settings (device: the one it trained on), what the data set gave the run (its
    classes, the normalisation), and for a run a queue's worker trained, which worker on which device."""

    settings: Config
    key: str
    classes: list[str] | None = None
    mean: list[float] | None = None
    std: list[float] | None = None
    worker: str | None = None
    device_label: str | None = None

    def to_json(self) -> dict:
        where = {"worker": self.worker, "device_label": self.device_label} if self.worker is not None else {}
        return {**asdict(self.settings), "key": self.key, "classes": self.classes, "mean": self.mean,
                "std": self.std, **where}

    @classmethod
    def from_json(cls, data: object, key: str) -> RunConfig | None:
        """The config a run folder (named key) holds; None where it cannot rebuild the run's job or lacks what the
        pages show (an older or foreign config.json, hand-edited or half-copied)."""
        if not isinstance(data, dict):
            return None
        settings = Config.from_json(data)
        classes = data.get("classes")
        if settings is None or not (classes is None or isinstance(classes, list)
                                    and all(isinstance(c, str) for c in classes)) \
                or not _triple(data.get("mean")) or not _triple(data.get("std")):
            return None
        worker, label = data.get("worker"), data.get("device_label")
        where = (worker, label) if isinstance(worker, str) and isinstance(label, str) else (None, None)
        return cls(settings, data["key"] if isinstance(data.get("key"), str) else key, classes,
                   data.get("mean"), data.get("std"), *where)


@dataclass(frozen=True)
class MetricsRow:
    """One finished epoch, a line of metrics.jsonl. test_loss is the mean over the test images; test_loss_sum
    adds one mean per batch of test_loss_sum_batch, as the course's "total test loss" does. The fields after
    seconds came in later versions: an older row without them still draws."""

    epoch: int
    test_acc: float
    test_loss: float
    test_loss_sum: float
    test_loss_sum_batch: int
    images_per_s: float
    seconds: float
    train_loss: float | None = None
    train_seconds: float | None = None
    device: str | None = None
    lr: float | None = None
    layers: list[dict] = field(default_factory=list)   # core.training.inside.as_rows, read by LayerStats.from_row

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, row: object) -> MetricsRow | None:
        """A row as saved; None where a field the pages draw is missing or of another type."""
        required = {"epoch": int, "test_acc": NUMBER, "test_loss": NUMBER, "test_loss_sum": NUMBER,
                    "test_loss_sum_batch": int, "images_per_s": NUMBER, "seconds": NUMBER}
        if not isinstance(row, dict) or not all(_is(row.get(k), t) for k, t in required.items()):
            return None
        optional = {"train_loss": NUMBER, "train_seconds": NUMBER, "device": str, "lr": NUMBER, "layers": list}
        return cls(**{k: row[k] for k in required}, **{k: row[k] for k, t in optional.items() if _is(row.get(k), t)})


@dataclass(frozen=True)
class Insight:
    """The last epoch's insight (core.training.insight.snapshot): 16 fixed test images (uint8 [N, 3, H, W]) with
    their true and predicted classes, the confusion matrix of the whole test pass and the images behind each cell,
    conv1's filters."""

    epoch: int
    images: torch.Tensor
    labels: torch.Tensor
    predicted: torch.Tensor
    confusion: torch.Tensor
    filters: torch.Tensor
    classes: list[str]
    # behind each confusion cell "true,predicted": [[test index, p predicted, p true], …] (core.training.insight.cells);
    # an insight saved before cells were kept has none, and insight.behind checks each entry
    cells: dict = field(default_factory=dict)

    def to_saved(self) -> dict:
        """What insight.pt holds: tensors, ints and strings only, so torch.load(weights_only=True) reads it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_saved(cls, seen: object) -> Insight | None:
        """A loaded insight.pt, or None unless it holds what the page draws, with shapes that agree."""
        if not isinstance(seen, dict) or not _is(seen.get("epoch"), int) \
                or not all(isinstance(seen.get(k), torch.Tensor)
                           for k in ("images", "labels", "predicted", "confusion", "filters")):
            return None
        cells = seen.get("cells") if isinstance(seen.get("cells"), dict) else {}
        kept = cls(**{f.name: seen.get(f.name) for f in fields(cls) if f.name != "cells"}, cells=cells)
        classes, images, confusion = kept.classes, kept.images, kept.confusion
        n = len(images)
        agree = (isinstance(classes, list) and all(isinstance(c, str) for c in classes)
                 and images.dtype == torch.uint8 and images.dim() == 4 and images.shape[1] == 3
                 and len(kept.labels) == n and len(kept.predicted) == n
                 and confusion.dim() == 2 and confusion.shape[0] == confusion.shape[1] >= len(classes)
                 and kept.filters.dim() == 4 and kept.filters.shape[1] == 3
                 and all(0 <= int(v) < len(classes) for v in kept.labels.tolist())
                 and all(0 <= int(v) < len(confusion) for v in kept.predicted.tolist()))
        return kept if agree else None
