"""What a training job sent through Redis is made of: its request, its key, its events, all as plain JSON.

The app and the workers share no disk and trust nothing they read from Redis:
a request names its data set by a stable id (the id the data picker uses: the
bundled sample, CIFAR-10, a folder name inside the worker's data directory),
never a path, and the worker checks every setting against the same enums and
bounds as the page, and against its own owner caps, before it trains. Nothing
here imports redis: the two sides' modules (core.training.rqjobs for the app,
core.training.rqtask for the worker) build on it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, fields, replace
from enum import StrEnum

from core.errors import CodedError, ErrorKind
from core.model import ARCHITECTURES
from core.training.events import EpochEnd, Event, Finished, Phase, Progress, Started, Step, Stopped
from core.training.recipes import RECIPES
from core.training.records import Config, MetricsRow

QUEUE = "tudui-training"
TASK = "core.training.rqtask.train_job"   # the one function a worker runs
PREFIX = "tudui:run:"
WORKER_LABEL = "tudui:worker:"             # + RQ worker name: its device, kept alive by its heartbeats
RUNS_INDEX = "tudui:runs"                 # run key -> time of its last committed epoch (what the apps mirror)
RETRIES = 50                              # a job survives this many killed workers
MAX_FILE_BYTES = 20 * 1024 * 1024         # a state_dict, resume state or insight larger than this is refused
BATCHES = (32, 64, 128, 256, 512)
MAX_EPOCHS, MAX_SUBSET, MAX_SEED = 100, 50_000, 2**31 - 1
LR_RANGE = (1e-5, 1.0)


class RemoteError(CodedError, RuntimeError):
    """A job the queue or a worker refuses, or cannot run; the page translates it."""

    kind = ErrorKind.REMOTE


class Optimizer(StrEnum):
    SGD = "sgd"
    ADAM = "adam"


def keys(run: str) -> dict[str, str]:
    """The Redis keys of one run's results, by what they hold."""
    base = f"{PREFIX}{run}:"
    return {"config": base + "config", "done": base + "done", "resume": base + "resume",
            "steps": base + "steps", "tensorboard": base + "tensorboard", "owner": base + "owner"}


def epoch_key(run: str, epoch: int) -> str:
    return f"{PREFIX}{run}:epoch:{epoch}"


def request(config: Config, dataset: str) -> Config:
    """The page's settings as a job for the workers: data names the data set by its stable id (never this server's
    path), and the device is the worker's to choose."""
    return replace(config, data=dataset, device="auto")


def key(request: Config) -> str:
    """The job's id in RQ and its run folder's name: same settings and data set id, same key, on any server."""
    settings = asdict(request.resolved())
    return "r" + hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:11]


def to_json(request: Config) -> dict:
    """The request as it travels: plain JSON, the fields of Config."""
    return asdict(request)


def _int(value: object, low: int, high: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RemoteError("refused", setting=name)
    return value


def validate(payload: object, max_epochs: int = 0, max_images: int = 0) -> Config:
    """The request a payload from Redis describes, refused (RemoteError "refused") unless every setting is one the
    page could have sent; the caps (0: none) bound epochs and training images as the page's owner caps do."""
    if not isinstance(payload, dict) or set(payload) - {f.name for f in fields(Config)} or "data" not in payload:
        raise RemoteError("refused", setting="request")
    request = Config(**{f.name: payload[f.name] for f in fields(Config) if f.name in payload})
    if request.device != "auto":   # the worker trains on its own device
        raise RemoteError("refused", setting="device")
    dataset = request.data
    if not isinstance(dataset, str) or not 0 < len(dataset) <= 200 or "\\" in dataset or ".." in dataset.split("/") \
            or dataset.startswith("/") or ":" in dataset:
        raise RemoteError("refused", setting="dataset")
    if not isinstance(request.recipe, str) or request.recipe not in RECIPES:
        raise RemoteError("refused", setting="recipe")
    if not isinstance(request.arch, str) or request.arch not in ARCHITECTURES:
        raise RemoteError("refused", setting="arch")
    if request.optimizer is not None and (not isinstance(request.optimizer, str)
                                          or request.optimizer not in set(Optimizer)):
        raise RemoteError("refused", setting="optimizer")
    if request.batch_size is not None and request.batch_size not in BATCHES:
        raise RemoteError("refused", setting="batch_size")
    lr = request.lr
    if lr is not None and (not isinstance(lr, int | float) or isinstance(lr, bool) or not math.isfinite(lr)
                           or not LR_RANGE[0] <= lr <= LR_RANGE[1]):
        raise RemoteError("refused", setting="lr")
    _int(request.seed, 0, MAX_SEED, "seed")
    if request.subset is not None:
        _int(request.subset, 1, MAX_SUBSET, "subset")
    if request.epochs is not None:
        _int(request.epochs, 1, MAX_EPOCHS, "epochs")
    resolved = request.resolved()
    if max_epochs and resolved.epochs > max_epochs:
        raise RemoteError("cap_epochs", cap=max_epochs)
    if max_images and (request.subset is None or request.subset > max_images):
        raise RemoteError("cap_images", cap=max_images)
    return replace(request, recipe=resolved.recipe, lr=float(lr) if lr is not None else None)


def caps_from_env() -> tuple[int, int]:
    """The owner caps of this process: MAX_EPOCHS and MAX_TRAIN_IMAGES (0: none)."""
    return int(os.environ.get("MAX_EPOCHS", 0) or 0), int(os.environ.get("MAX_TRAIN_IMAGES", 0) or 0)


EVENTS = {cls.__name__: cls for cls in (Started, Progress, Step, EpochEnd, Stopped, Finished)}


def encode(event: Event) -> str:
    return json.dumps({"type": type(event).__name__, **asdict(event)})


def decode(text: str | bytes) -> Event | None:
    """An event read back from Redis; None for anything that is not one (the page skips it)."""
    try:
        data = json.loads(text)
        cls = EVENTS[data.pop("type")]
        event = cls(**data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if isinstance(event, EpochEnd):
        row = MetricsRow.from_json(event.row)
        return EpochEnd(row) if row is not None else None
    return replace(event, phase=Phase(event.phase)) if isinstance(event, Progress) else event
