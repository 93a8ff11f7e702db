"""Training runs on disk: one folder per configuration (core.rundir), readable after a reload or a restart.

Disk stays bounded: after every job the oldest runs are removed beyond
$RUNS_KEEP runs (default 30) or $RUNS_MAX_MB megabytes (default 1000), never a
run that is queued or training. The shipped weights live in assets/models/,
outside the runs folder, and are never touched.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, fields
from pathlib import Path

from core import train
from core.data import REPO
from core.events import Progress, Started, Step
from core.jobs import Job
from core.rundir import RunDir, RunState
from core.tracker import Tracker

DEFAULT_KEEP, DEFAULT_MAX_MB = 30, 1000


def runs_root() -> Path:
    """Where runs live: $RUNS_DIR, or runs/ in the repo."""
    return Path(os.environ.get("RUNS_DIR") or REPO / "runs").resolve()


@dataclass
class Run:
    key: str
    path: Path
    config: dict
    metrics: list[dict]
    damaged: int = 0          # torn lines skipped in metrics.jsonl (a kill mid-write): the page notes them

    @property
    def folder(self) -> RunDir:
        return RunDir(self.path)

    @property
    def epochs(self) -> int:
        return self.config["epochs"]

    @property
    def complete(self) -> bool:
        return len(self.metrics) >= self.epochs

    def steps(self) -> list[dict]:
        return self.folder.steps().rows

    def checkpoint(self, epoch: int) -> Path:
        return self.folder.checkpoint(epoch)

    def as_config(self) -> train.Config:
        return train.Config(**{f.name: self.config[f.name] for f in fields(train.Config)})


def load(path: Path) -> Run | None:
    """The run in a folder, or None where there is no readable config."""
    folder = RunDir(path)
    config = folder.config()
    if config is None:
        return None
    lines = folder.metrics()
    rows = [r for r in lines.rows if isinstance(r.get("epoch"), int) and isinstance(r.get("test_acc"), (int, float))]
    return Run(config.get("key", folder.key), folder.path, config, rows, lines.damaged + len(lines.rows) - len(rows))


def all_runs(root: Path | None = None) -> list[Run]:
    """Every run under root, newest first."""
    root = root or runs_root()
    if not root.is_dir():
        return []
    found = [(RunDir(p).modified(), load(p)) for p in root.iterdir() if p.is_dir()]
    return [r for _, r in sorted(((m, r) for m, r in found if r is not None), key=lambda x: x[0], reverse=True)]


def size_mb(root: Path | None = None) -> float:
    root = root or runs_root()
    return sum(RunDir(p).size_bytes() for p in root.iterdir() if p.is_dir()) / 1e6 if root.is_dir() else 0.0


def prune(root: Path | None = None, protect: frozenset[str] = frozenset(), keep: int | None = None,
          max_mb: float | None = None) -> list[str]:
    """Remove the oldest runs beyond keep runs or max_mb megabytes, never a protected, queued or training one.

    Returns the folder names removed. keep and max_mb default to $RUNS_KEEP and $RUNS_MAX_MB.
    """
    keep = keep if keep is not None else int(os.environ.get("RUNS_KEEP", DEFAULT_KEEP))
    max_mb = max_mb if max_mb is not None else float(os.environ.get("RUNS_MAX_MB", DEFAULT_MAX_MB))
    runs = all_runs(root)
    sizes = {r.path.name: r.folder.size_bytes() / 1e6 for r in runs}
    count, total, removed = len(runs), sum(sizes.values()), []
    for run in reversed(runs):   # oldest first
        if count <= keep and total <= max_mb:
            break
        if run.path.name in protect or run.folder.state()["state"] in (RunState.QUEUED, RunState.TRAINING):
            continue
        shutil.rmtree(run.path, ignore_errors=True)
        count, total = count - 1, total - sizes[run.path.name]
        removed.append(run.path.name)
    return removed


def estimate_seconds(config: train.Config, root: Path | None = None) -> float | None:
    """How long a job should take, from earlier runs of the same data, recipe and batch size on this server.

    Seconds per epoch are scaled by the number of training images where both used a subset; None when no
    earlier run compares (the queue then says its start time is not known yet).
    """
    want = config.resolved()
    size = want.subset or 0
    for run in all_runs(root):
        c = run.config
        if not run.metrics or (c.get("recipe"), c.get("batch_size"), c.get("data")) != \
                (want.recipe, want.batch_size, want.data):
            continue
        theirs = c.get("subset") or 0
        if bool(theirs) != bool(size):
            continue   # a subset against the whole set: its size is not known here
        per_epoch = sum(m["seconds"] for m in run.metrics) / len(run.metrics)
        return per_epoch * (size / theirs if size else 1.0) * want.epochs
    return None


def interrupted(root: Path | None = None) -> list[Run]:
    """Runs that were queued or training when the server stopped: they resume on their own after a restart."""
    return [r for r in all_runs(root) if r.folder.state()["state"] in (RunState.QUEUED, RunState.TRAINING)
            and not r.complete]


def training_work(config: train.Config, root: Path | None = None, owner: str | None = None):
    """The work of a training Job: train (resuming where a run stopped), reporting phases and steps to the job."""
    out = (root or runs_root()) / config.key()

    def work(job: Job) -> None:
        tracker = Tracker()
        job.detail, job.eta_source = tracker, tracker.eta

        def on_event(event) -> None:
            tracker.update(event)
            if isinstance(event, Started):  # data loaded: the rate (and so the ETA) counts from here
                done = event.done_epochs * event.steps_per_epoch
                job.baseline = done
                job.progress(done, event.total_steps)
            elif isinstance(event, Step):
                job.progress(event.step, event.total_steps)
            if not isinstance(event, Progress):   # phases live in the tracker; the job keeps steps and epochs
                job.emit(event)

        folder = RunDir(out)
        folder.set_state(RunState.TRAINING, owner)
        try:
            train.run(config, out, resume=True, on_event=on_event, stop=job.stop_event)
        except BaseException:
            folder.set_state(RunState.FAILED, owner)
            raise
        finally:
            if folder.state()["state"] == RunState.TRAINING:
                folder.set_state(RunState.STOPPED if job.stop_event.is_set() else RunState.DONE, owner)

    return work
