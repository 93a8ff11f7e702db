"""What a training run reports while it works: typed events, one class per kind.

The engine emits them, the CLI prints them, a job records them and the page
turns them into named phases with their own progress and an ETA.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.training.records import MetricsRow


class Phase(StrEnum):
    """What the trainer is doing now; each has its own progress (done of total)."""

    PREPARING = "preparing"   # decoding the images (or reading them from the cache)
    TRAINING = "training"     # an epoch's steps
    TESTING = "testing"       # the test pass after an epoch
    SAVING = "saving"         # checkpoint, resume state, metrics
    STOPPING = "stopping"     # a stop was asked for: the current step finishes first


@dataclass(frozen=True)
class Started:
    """The data are ready and the model is built; done_epochs > 0 when a stopped run resumes."""

    epochs: int
    steps_per_epoch: int
    done_epochs: int
    device: str
    train_images: int
    test_images: int

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch


@dataclass(frozen=True)
class Progress:
    """A phase began or moved on: done of total (images for preparing and testing, steps for training)."""

    phase: Phase
    epoch: int = 0
    done: int = 0
    total: int = 0
    cached: bool = False       # preparing: the decoded tensors came from the cache


@dataclass(frozen=True)
class Step:
    step: int                  # counted over the whole run, from 1
    total_steps: int
    epoch: int
    loss: float


@dataclass(frozen=True)
class EpochEnd:
    """An epoch was trained, tested and saved: its metrics row, as written to metrics.jsonl."""

    row: MetricsRow

    @property
    def epoch(self) -> int:
        return self.row.epoch


@dataclass(frozen=True)
class Stopped:
    epoch: int                 # the last finished epoch


@dataclass(frozen=True)
class Finished:
    epochs: int


Event = Started | Progress | Step | EpochEnd | Stopped | Finished
Listener = Callable[[Event], None]
