"""Each app's copy of the runs the workers train: every committed epoch read from Redis into this app's runs/ folder.

With the RQ queue (core.training.rqjobs) each app server mirrors every run as its epochs are committed to Redis,
so Classify, compare-runs, downloads and retention read the same run folders as with the embedded queue. Nothing
read from Redis is trusted: the config and each metrics row are read as the run folder's typed records (a
damaged or hostile one is skipped), and tensor files are size-checked and read with
torch.load(weights_only=True) before they are saved.
"""
from __future__ import annotations

import io
import json
import os
import threading
import time
from typing import Any, Protocol

import torch
from redis import RedisError
from rq.job import Job

from core.training import remote, runs
from core.training.jobs import JobState
from core.training.records import Insight, MetricsRow, RunConfig
from core.training.rundir import RunDir, RunState, write_atomic

MIRROR_EVERY_S = 0.5


class Source(Protocol):
    """What the mirror reads of the app's queue (core.training.rqjobs.RemoteTrainings), so it need not import it."""

    redis: Any
    queue: Any

    def get(self, key: str) -> Any: ...


class Mirror:
    """Copies each run's committed epochs from Redis into this app's runs/ folder, on a background thread."""

    def __init__(self, backend: Source, root=None) -> None:
        self.backend, self.root = backend, root
        self._seen: dict[str, tuple[float, str]] = {}
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="runs-mirror", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._closed.set()

    def _loop(self) -> None:
        while not self._closed.wait(MIRROR_EVERY_S):
            try:
                self.sync()
            except RedisError:   # Redis away: the page says so; the mirror tries again
                self._closed.wait(2)

    def sync(self) -> list[str]:
        """One pass: abandoned jobs given back to the queue (RQ's cleanup), then every changed run copied.
        Returns the keys copied."""
        redis = self.backend.redis
        self.backend.queue.started_job_registry.cleanup()
        copied = []
        index = redis.zrangebyscore(remote.RUNS_INDEX, time.time() - 7 * 24 * 3600, "+inf", withscores=True)
        with redis.pipeline(transaction=False) as pipe:   # every run's status in one round trip
            for raw, _ in index:
                pipe.hget(Job.key_for(raw.decode()), "status")
            statuses = pipe.execute()
        for (raw, score), status in zip(index, statuses, strict=True):
            key = raw.decode()
            mark = (score, (status or b"").decode())
            if self._seen.get(key) != mark and _is_key(key):
                try:
                    self.copy(key)
                except RedisError:
                    raise
                except Exception:   # a damaged or hostile run in Redis is skipped, never half-trusted
                    pass
                self._seen[key] = mark
                copied.append(key)
        return copied

    def copy(self, key: str) -> None:
        """Bring runs/<key> up to the epochs Redis holds: config, each new epoch's files, TensorBoard, state."""
        redis, names = self.backend.redis, remote.keys(key)
        config = redis.get(names["config"])
        config = RunConfig.from_json(json.loads(config), key) if config is not None else None
        if config is None:
            return
        folder = RunDir((self.root or runs.runs_root()) / key)
        folder.create(config)
        rows = folder.metrics().rows
        done = int(redis.get(names["done"]) or 0)
        for epoch in range(len(rows) + 1, done + 1):
            fields = redis.hgetall(remote.epoch_key(key, epoch))
            if not fields:
                break
            row = MetricsRow.from_json(json.loads(fields[b"row"]))
            if row is None:
                break
            rows = [*rows, row]
            resume = redis.get(names["resume"]) if epoch == done else None
            state = _load(resume) if resume else {"epoch": epoch, "metrics": rows}
            if not isinstance(state, dict) or state.get("epoch") != epoch:
                state = {"epoch": epoch, "metrics": rows}
            steps = [json.loads(line) for line in fields.get(b"steps", b"").decode().splitlines() if line.strip()]
            insight = Insight.from_saved(_load(fields[b"insight"])) if b"insight" in fields else None
            folder.commit_epoch(_load(fields[b"weights"]), {**state, "metrics": rows}, steps, insight)
        folder.tensorboard.mkdir(parents=True, exist_ok=True)
        for name, data in redis.hgetall(names["tensorboard"]).items():
            if len(data) <= remote.MAX_FILE_BYTES and name.decode().startswith("events.out.tfevents."):
                write_atomic(folder.tensorboard / os.path.basename(name.decode()), data)
        job = self.backend.get(key)
        if job is not None:
            state = {JobState.DONE: RunState.DONE, JobState.FAILED: RunState.FAILED}.get(
                job.state, RunState.TRAINING if job.running or job.waiting else RunState.STOPPED)
            folder.set_state(state, job.owner)


def _is_key(key: str) -> bool:
    """A run key as remote.key makes them: never a path, whatever was written into Redis."""
    return len(key) == 12 and key[0] == "r" and all(c in "0123456789abcdef" for c in key[1:])


def _load(data: bytes) -> object:
    """A tensor file from Redis, size-checked and read with weights_only=True (a hostile pickle is refused)."""
    if len(data) > remote.MAX_FILE_BYTES:
        raise remote.RemoteError("too_big", mb=remote.MAX_FILE_BYTES // 2**20)
    return torch.load(io.BytesIO(data), weights_only=True)
