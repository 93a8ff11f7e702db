"""One training run's folder: the only code that knows its layout, for writing and for reading.

    config.json      the resolved settings, classes, normalisation, device
    state.json       training / done / stopped / failed, and who started it
    metrics.jsonl    one line per finished epoch
    steps.jsonl      one line per training step (the loss curve)
    epoch_NNN.pth    the state_dict after each epoch (the course's way of saving)
    resume.pt        model, optimizer, random state and metrics: the commit point of an epoch
    insight.pt       the last epoch's predictions on 16 fixed test images, confusion matrix, conv1 filters
    tensorboard/     the course's tags, for `tensorboard --logdir runs`

Every file is written to a temporary name and renamed into place, so a kill
leaves the old version or the new one, never half of one. resume.pt is written
first; metrics.jsonl and steps.jsonl are made to agree with it whenever a run
resumes, so no epoch is lost or counted twice whatever moment a kill hits.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import torch

from core.disk import size_of
from core.training.records import Insight, MetricsRow, RunConfig

CONFIG, STATE, METRICS, STEPS, RESUME, INSIGHT, TENSORBOARD = (
    "config.json", "state.json", "metrics.jsonl", "steps.jsonl", "resume.pt", "insight.pt", "tensorboard")


class RunState(StrEnum):
    TRAINING = "training"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class RunStatus:
    """state.json: how the run stands, and the session that started it (only it may stop it)."""

    state: RunState
    owner: str | None = None


@dataclass(frozen=True)
class Lines:
    """A JSON-lines file as read: its whole lines, and how many damaged lines were skipped (a torn last append)."""

    rows: list[dict]
    damaged: int = 0


@dataclass(frozen=True)
class Metrics:
    """metrics.jsonl as read: the rows the pages can draw, and how many lines were torn or of another shape."""

    rows: list[MetricsRow]
    damaged: int = 0


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside path, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_atomic(obj: object, path: Path) -> None:
    """torch.save to a temporary file, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_lines(path: Path) -> Lines:
    """Every whole JSON line of path; a line that does not parse (a kill mid-append) is counted, not raised."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return Lines([])
    rows, damaged = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            damaged += 1
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            damaged += 1
    return Lines(rows, damaged)


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


class RunDir:
    """The folder of one run (named by its config key)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def key(self) -> str:
        return self.path.name

    # -- reading ---------------------------------------------------------------------------------
    def config(self) -> RunConfig | None:
        """The saved settings, or None where there is no readable config (not a run, damaged, or foreign)."""
        try:
            data = json.loads((self.path / CONFIG).read_text())
        except (OSError, ValueError):
            return None
        return RunConfig.from_json(data, self.key)

    def state(self) -> RunStatus:
        """How the run stands and who started it; a missing or damaged file reads as stopped."""
        try:
            state = json.loads((self.path / STATE).read_text())
            return RunStatus(RunState(state["state"]), state.get("owner"))
        except (OSError, ValueError, KeyError, TypeError):
            return RunStatus(RunState.STOPPED)

    def metrics(self) -> Metrics:
        """The finished epochs' rows; a torn line, or a row without what the pages draw, is counted as damaged."""
        lines = read_lines(self.path / METRICS)
        rows = [MetricsRow.from_json(r) for r in lines.rows]
        kept = [r for r in rows if r is not None]
        return Metrics(kept, lines.damaged + len(rows) - len(kept))

    def steps(self) -> Lines:
        return read_lines(self.path / STEPS)

    def checkpoint(self, epoch: int) -> Path:
        return self.path / f"epoch_{epoch:03d}.pth"

    @property
    def tensorboard(self) -> Path:
        return self.path / TENSORBOARD

    def insight(self) -> Insight | None:
        """The last epoch's insight (see core.training.insight), or None where there is none or it is damaged."""
        try:
            seen = torch.load(self.path / INSIGHT, weights_only=True)
        except Exception:  # a missing, partial or foreign file: the page simply shows no insight
            return None
        return Insight.from_saved(seen)

    def size_bytes(self) -> int:
        """The folder's size while its run may be writing it (core.disk.size_of)."""
        return size_of(self.path)

    def modified(self) -> float:
        try:
            return (self.path / CONFIG).stat().st_mtime
        except OSError:
            return 0.0

    # -- writing ---------------------------------------------------------------------------------
    def create(self, config: RunConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path / CONFIG, json.dumps(config.to_json(), indent=2).encode())

    def set_state(self, state: RunState, owner: str | None = None) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path / STATE, json.dumps({"state": state.value, "owner": owner}).encode())

    def clear(self) -> None:
        """Start afresh: forget earlier epochs."""
        for name in (METRICS, STEPS, RESUME, INSIGHT):
            (self.path / name).unlink(missing_ok=True)
        for old in self.path.glob("epoch_*.pth"):
            old.unlink()

    def load_resume(self, device: torch.device) -> dict | None:
        """The saved state of the last finished epoch, with the metrics and steps files made to agree with it.

        Its "metrics" are the MetricsRow of every finished epoch (resume.pt keeps them as JSON dicts)."""
        try:
            saved = torch.load(self.path / RESUME, weights_only=True, map_location=device)
            saved["metrics"] = [MetricsRow.from_json(r) for r in saved["metrics"]]
        except Exception:  # missing, or damaged: the run starts again rather than failing forever
            saved = None
        if saved is None or None in saved["metrics"]:
            self.clear()
            return None
        epoch = saved["epoch"]
        write_atomic(self.path / METRICS, _jsonl([r.to_json() for r in saved["metrics"]]))
        write_atomic(self.path / STEPS, _jsonl([s for s in self.steps().rows if s.get("epoch", 0) <= epoch]))
        for later in self.path.glob("epoch_*.pth"):
            if int(later.stem.split("_")[1]) > epoch:
                later.unlink()
        return saved

    def commit_epoch(self, weights: dict, resume: dict, steps: list[dict], insight: Insight | None) -> None:
        """Save an epoch: its state_dict, the resume state (the commit point), then metrics, steps and insight.

        resume["metrics"] holds the MetricsRow of every finished epoch; resume.pt keeps them as JSON dicts."""
        epoch = resume["epoch"]
        rows = [r.to_json() for r in resume["metrics"]]
        save_atomic(weights, self.checkpoint(epoch))
        save_atomic({**resume, "metrics": rows}, self.path / RESUME)
        write_atomic(self.path / METRICS, _jsonl(rows))
        with (self.path / STEPS).open("a") as f:
            f.write(_jsonl(steps).decode())
        if insight is not None:
            save_atomic(insight.to_saved(), self.path / INSIGHT)

