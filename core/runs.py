"""Training runs on disk: one directory per configuration, readable after a reload or a server restart."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, fields
from pathlib import Path

from core import train
from core.data import REPO
from core.jobs import Job


def runs_root() -> Path:
    """Where runs live: $RUNS_DIR, or runs/ in the repo."""
    return Path(os.environ.get("RUNS_DIR") or REPO / "runs").resolve()


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Run:
    key: str
    path: Path
    config: dict
    metrics: list[dict]

    @property
    def epochs(self) -> int:
        return self.config["epochs"]

    @property
    def complete(self) -> bool:
        return len(self.metrics) >= self.epochs

    def steps(self) -> list[dict]:
        return _jsonl(self.path / "steps.jsonl")

    def checkpoint(self, epoch: int) -> Path:
        return self.path / f"epoch_{epoch:03d}.pth"

    def as_config(self) -> train.Config:
        return train.Config(**{f.name: self.config[f.name] for f in fields(train.Config)})


def load(path: Path) -> Run | None:
    """The run in a directory, or None where there is no readable config."""
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return None
    return Run(config.get("key", path.name), path, config, _jsonl(path / "metrics.jsonl"))


def all_runs(root: Path | None = None) -> list[Run]:
    """Every run under root, newest first."""
    root = root or runs_root()
    if not root.is_dir():
        return []
    found = [load(p) for p in root.iterdir() if p.is_dir()]
    return sorted((r for r in found if r is not None), key=lambda r: (r.path / "config.json").stat().st_mtime,
                  reverse=True)


def training_work(config: train.Config, root: Path | None = None):
    """The work of a training Job: train (resuming where a run stopped), reporting every step to the job."""
    out = (root or runs_root()) / config.key()

    def work(job: Job) -> None:
        def on_event(event: dict) -> None:
            if event["type"] == "start":  # data loaded: the rate (and so the ETA) counts from here
                done = event["done_epochs"] * event["total_steps"] // max(1, event["epochs"])
                job.baseline, job.started = done, time.time()
                job.progress(done, event["total_steps"])
            elif event["type"] == "step":
                job.progress(event["step"], event["total_steps"])
            job.emit(event)

        train.run(config, out, resume=True, on_event=on_event, stop=job.stop_event)

    return work
