"""The one function a training worker runs: check the request, train it, and stream everything back through Redis.

The worker has its own disk, the app has its own: the run is trained in a
temporary folder by the same engine as on the app's server (core.training.train),
and each finished epoch (metrics row, steps, state_dict, resume state, insight,
TensorBoard files) is committed to Redis in one transaction that only succeeds
if the epoch before it is the last one committed. A worker killed mid-epoch
leaves Redis at its last committed epoch; the next worker restores the run
folder from there and trains on, so every epoch is committed exactly once.
"""
from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from redis import Redis, WatchError
from rq import get_current_job
from rq.job import Job

from core.data import discovery
from core.data.paths import DataError
from core.errors import CodedError, without_paths
from core.training import remote, train
from core.training.events import EpochEnd, Event, Finished, Progress, Started, Step, Stopped
from core.training.rundir import METRICS, RESUME, STEPS, RunDir
from core.training.tracker import Tracker

STATUS_EVERY_S = 0.25
STEPS_KEPT = 50_000          # the live steps stream is trimmed to about this many entries
KEEP_S = 7 * 24 * 3600       # a run's results stay in Redis this long after its last epoch (the apps mirror them)


@dataclass
class Worker:
    """What the running worker process is: set once by core.worker before it takes jobs."""

    name: str
    device: str
    device_label: str
    data_dir: Path
    caps: tuple[int, int] = (0, 0)
    stop: threading.Event = field(default_factory=threading.Event)   # set by RQ's stop-job command

    def dataset(self, dataset_id: str) -> Path:
        """The folder of a data set named by its id, or RemoteError "no_data" naming the data set and this worker."""
        found = {f.id: f for f in discovery.offered(self.data_dir) if discovery.trainable(f)}.get(dataset_id)
        if found is None:
            raise remote.RemoteError("no_data", dataset=dataset_id, worker=self.name)
        try:
            return discovery.location(self.data_dir, found)
        except DataError:
            raise remote.RemoteError("no_data", dataset=dataset_id, worker=self.name) from None


WORKER: Worker | None = None   # this process's worker; one job at a time


def train_job(request: dict) -> dict:
    """Train the run a request describes (validated here, whatever the app checked) and report how it ended."""
    job = get_current_job()
    worker = WORKER
    try:
        if worker is None or job is None:
            raise remote.RemoteError("refused", setting="worker")
        checked = remote.validate(request, *worker.caps)
        if remote.key(checked) != job.id:   # a job id that does not match its settings would overwrite another run
            raise remote.RemoteError("refused", setting="job id")
        data = worker.dataset(checked.data)
    except remote.RemoteError as err:
        _fail(job, err)
        raise
    worker.stop.clear()
    job.meta["where"] = {"worker": worker.name, "device": worker.device_label}
    job.save_meta()
    publisher = Publisher(job, job.connection, worker)
    config = replace(checked, data=str(data), device=worker.device)
    with tempfile.TemporaryDirectory(prefix="tudui-worker-") as tmp:
        out = Path(tmp) / job.id
        publisher.restore(out)
        try:
            metrics = train.run(config, out, resume=True, on_event=publisher, stop=worker.stop)
        except CodedError as err:
            _fail(job, err)
            raise
        except OSError as err:
            error = train.TrainingError("disk", reason=err.strerror or type(err).__name__)
            _fail(job, error)
            raise error from None
        except Exception as err:   # retrying cannot mend it (retries are for workers that died): said, not retried
            first = (str(err).splitlines() or [""])[0]
            _fail(job, remote.RemoteError("failed", reason=f"{type(err).__name__}: {without_paths(first)}"))
            raise
        publisher.send_tensorboard(out)
    return {"state": "stopped" if worker.stop.is_set() else "done", "epochs": len(metrics)}


def _fail(job: Job | None, error: CodedError) -> None:
    """A failure the app can translate; never retried (a missing data set stays missing)."""
    if job is None:
        return
    job.retries_left = 0
    job.meta["error"] = {"kind": error.kind.value, "code": error.code,
                         "params": {k: str(v) for k, v in error.params.items()}}
    job.save_meta()


class Publisher:
    """The engine's listener on a worker: phases and ETA into the job's meta, steps into a stream, epochs committed."""

    def __init__(self, job: Job, connection: Redis, worker: Worker) -> None:
        self.job, self.redis, self.worker = job, connection, worker
        self.keys = remote.keys(job.id)
        self.tracker = Tracker()
        self.sent = 0.0
        self.out: Path | None = None

    def restore(self, out: Path) -> None:
        """Put the run's last committed epoch into out, where train.run(resume=True) picks it up."""
        self.out = out
        out.mkdir(parents=True)
        done = int(self.redis.get(self.keys["done"]) or 0)
        self.redis.delete(self.keys["steps"])   # steps streamed after the last commit are trained again
        if not done:
            return
        resume = self.redis.get(self.keys["resume"])
        rows, steps = [], []
        for epoch in range(1, done + 1):
            row, lines = self.redis.hmget(remote.epoch_key(self.job.id, epoch), "row", "steps")
            rows.append(row.decode() + "\n")
            steps.append(lines.decode())
        (out / RESUME).write_bytes(resume)
        (out / METRICS).write_text("".join(rows))
        (out / STEPS).write_text("".join(steps))
        for name, data in self.redis.hgetall(self.keys["tensorboard"]).items():
            target = RunDir(out).tensorboard / Path(name.decode()).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def __call__(self, event: Event) -> None:
        self.tracker.update(event)
        if isinstance(event, Step):
            self.redis.xadd(self.keys["steps"], {"e": remote.encode(event)}, maxlen=STEPS_KEPT, approximate=True)
        elif isinstance(event, Started):
            self._send_config()
        elif isinstance(event, EpochEnd):
            self._commit(event.epoch)
        if isinstance(event, Progress | Started | EpochEnd | Stopped | Finished) \
                or time.monotonic() - self.sent > STATUS_EVERY_S:
            self._status()

    def _status(self) -> None:
        t = self.tracker
        self.job.meta["status"] = {
            "phase": t.phase.value, "epoch": t.epoch, "done": t.done, "total": t.total, "cached": t.cached,
            "resumed_from": t.resumed_from, "epochs": t.started.epochs if t.started else 0, "eta": t.eta(),
            "at": time.time()}
        self.job.save_meta()
        self.sent = time.monotonic()

    def _send_config(self) -> None:
        """config.json as the app mirrors it: the data set by its id, never this worker's path, and where it ran."""
        config = RunDir(self.out).config()
        if config is None:
            return
        dataset = self.job.kwargs["request"]["data"]
        config = replace(config, settings=replace(config.settings, data=dataset), key=self.job.id,
                         worker=self.worker.name, device_label=self.worker.device_label)
        self.redis.set(self.keys["config"], json.dumps(config.to_json()), ex=KEEP_S)
        self.redis.zadd(remote.RUNS_INDEX, {self.job.id: time.time()})

    def _commit(self, epoch: int) -> None:
        """Epoch n, all of it, in one transaction, only on top of epoch n - 1 (never twice, never a gap)."""
        folder = RunDir(self.out)
        metrics = folder.metrics().rows
        steps = [s for s in folder.steps().rows if s.get("epoch") == epoch]
        fields = {"row": json.dumps(metrics[-1].to_json()), "steps": "".join(json.dumps(s) + "\n" for s in steps),
                  "weights": folder.checkpoint(epoch).read_bytes(), "at": time.time()}   # at: for latency figures
        insight = self.out / "insight.pt"
        if insight.is_file():
            fields["insight"] = insight.read_bytes()
        resume = (self.out / RESUME).read_bytes()
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(self.keys["done"])
                if int(pipe.get(self.keys["done"]) or 0) != epoch - 1:
                    return
                pipe.multi()
                pipe.hset(remote.epoch_key(self.job.id, epoch), mapping=fields)
                pipe.expire(remote.epoch_key(self.job.id, epoch), KEEP_S)
                pipe.set(self.keys["resume"], resume, ex=KEEP_S)
                pipe.set(self.keys["done"], epoch, ex=KEEP_S)
                pipe.zadd(remote.RUNS_INDEX, {self.job.id: time.time()})
                pipe.execute()
            except WatchError:
                return
        self.send_tensorboard(self.out)

    def send_tensorboard(self, out: Path) -> None:
        """The TensorBoard event files as written so far (the writer flushes on its own schedule and at the end)."""
        files = {f.name: f.read_bytes() for f in RunDir(out).tensorboard.glob("*") if f.is_file()}
        if files:
            self.redis.hset(self.keys["tensorboard"], mapping=files)
            self.redis.expire(self.keys["tensorboard"], KEEP_S)
            self.redis.zadd(remote.RUNS_INDEX, {self.job.id: time.time()})
