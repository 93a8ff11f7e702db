"""Training runs on disk: one folder per configuration (core.training.rundir), readable after a reload or a restart.

Disk stays bounded: after every job the oldest runs are removed beyond
$RUNS_KEEP runs (default 30) or $RUNS_MAX_MB megabytes (default 1000), never a
run that is queued or training. The shipped weights live in assets/models/,
outside the runs folder, and are never touched.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.data.paths import REPO
from core.training import train
from core.training.events import Progress, Started, Step
from core.training.jobs import Job
from core.training.records import Config, MetricsRow, RunConfig
from core.training.rundir import RunDir, RunState
from core.training.tracker import Tracker

DEFAULT_KEEP, DEFAULT_MAX_MB = 30, 1000


def runs_root() -> Path:
    """Where runs live: $RUNS_DIR, or runs/ in the repo."""
    return Path(os.environ.get("RUNS_DIR") or REPO / "runs").resolve()


@dataclass
class Run:
    key: str
    path: Path
    config: RunConfig
    metrics: list[MetricsRow]
    damaged: int = 0          # torn or unreadable lines skipped in metrics.jsonl (a kill mid-write): the page notes them

    @property
    def folder(self) -> RunDir:
        return RunDir(self.path)

    @property
    def settings(self) -> Config:
        """The run's resolved settings: its job again, to resume it."""
        return self.config.settings

    @property
    def epochs(self) -> int:
        return self.settings.epochs

    @property
    def complete(self) -> bool:
        return len(self.metrics) >= self.epochs

    def steps(self) -> list[dict]:
        return [r for r in self.folder.steps().rows if _typed(r, STEP_FIELDS)]

    def checkpoint(self, epoch: int) -> Path:
        return self.folder.checkpoint(epoch)


STEP_FIELDS = {"step": int, "loss": (int, float)}


def _typed(row: object, schema: dict) -> bool:
    return isinstance(row, dict) and all(isinstance(row.get(k), t) and not isinstance(row.get(k), bool)
                                         for k, t in schema.items())


def load(path: Path) -> Run | None:
    """The run in a folder, or None where there is no readable config; metric rows the pages cannot draw are
    counted as damaged (the page notes them) and left out."""
    folder = RunDir(path)
    config = folder.config()
    if config is None:
        return None
    metrics = folder.metrics()
    return Run(config.key, folder.path, config, metrics.rows, metrics.damaged)


def stopped_before_first_epoch(path: Path) -> bool:
    """Whether a run was started here and stopped before its first epoch ended: nothing of it was saved, so
    Start trains again from the beginning (the page says so instead of silently showing Start again)."""
    if not path.is_dir():
        return False
    run = load(path)
    return (run is None or not run.metrics) and RunDir(path).state().state == RunState.STOPPED


def comparable(root: Path | None = None) -> list[Run]:
    """The runs worth comparing, newest first: those with at least one finished epoch (a run still in its first
    epoch, or stopped there, has no curve to draw)."""
    return [r for r in all_runs(root) if r.metrics]


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
    """Remove the oldest run folders beyond keep runs or max_mb megabytes, never a protected or training run.

    protect holds the keys of the jobs that are queued or training in this process (Registry.active);
    folders no run can be read from (a damaged or foreign config) count and go like the oldest runs.
    Returns the folder names removed. keep and max_mb default to $RUNS_KEEP and $RUNS_MAX_MB.
    """
    keep = keep if keep is not None else int(os.environ.get("RUNS_KEEP", DEFAULT_KEEP))
    max_mb = max_mb if max_mb is not None else float(os.environ.get("RUNS_MAX_MB", DEFAULT_MAX_MB))
    root = root or runs_root()
    folders = sorted((RunDir(p) for p in root.iterdir() if p.is_dir()), key=RunDir.modified) if root.is_dir() else []
    sizes = {f.key: f.size_bytes() / 1e6 for f in folders}
    count, total, removed = len(folders), sum(sizes.values()), []
    for folder in folders:   # oldest first; unreadable folders read as the oldest
        if count <= keep and total <= max_mb:
            break
        if folder.key in protect or folder.state().state == RunState.TRAINING and load(folder.path) is not None:
            continue   # a training run that cannot be read can never resume: it goes like the rest
        shutil.rmtree(folder.path, ignore_errors=True)
        count, total = count - 1, total - sizes[folder.key]
        removed.append(folder.key)
    return removed


def estimate_seconds(config: Config, root: Path | None = None) -> float | None:
    """How long a job should take, from earlier runs of the same data, recipe and batch size on this server.

    Seconds per epoch are scaled by the number of training images where both used a subset; None when no
    earlier run compares (the queue then says its start time is not known yet).
    """
    want = config.resolved()
    size = want.subset or 0
    for run in all_runs(root):
        c = run.settings
        if not run.metrics or (c.recipe, c.batch_size, c.data) != (want.recipe, want.batch_size, want.data):
            continue
        theirs = c.subset or 0
        if bool(theirs) != bool(size):
            continue   # a subset against the whole set: its size is not known here
        per_epoch = sum(m.seconds for m in run.metrics) / len(run.metrics)
        return per_epoch * (size / theirs if size else 1.0) * want.epochs
    return None


def interrupted(root: Path | None = None) -> list[Run]:
    """Runs that were training when the server stopped: they resume on their own after a restart."""
    return [r for r in all_runs(root) if r.folder.state().state == RunState.TRAINING
            and not r.complete]


def _record(folder: RunDir, state: RunState, owner: str | None) -> None:
    """Say how a run ended, where the disk still lets us (a run that cannot be written reads as stopped)."""
    try:
        folder.set_state(state, owner)
    except OSError:
        pass


def training_work(config: Config, root: Path | None = None, owner: str | None = None):
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
        try:
            folder.set_state(RunState.TRAINING, owner)
            train.run(config, out, resume=True, on_event=on_event, stop=job.stop_event)
        except OSError as err:   # a full disk or a read-only runs/: said without the server's paths
            _record(folder, RunState.FAILED, owner)
            raise train.TrainingError("disk", reason=err.strerror or type(err).__name__) from None
        except BaseException:
            _record(folder, RunState.FAILED, owner)
            raise
        if folder.state().state == RunState.TRAINING:
            _record(folder, RunState.STOPPED if job.stop_event.is_set() else RunState.DONE, owner)

    return work
