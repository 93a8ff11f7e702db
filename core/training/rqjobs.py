"""Training jobs on RQ + Redis, seen from the app: the surface of core.training.jobs.Registry.

With JOBS_REDIS_URL set, every app server (replica) sends its learners' runs to
one RQ queue, and workers (python -m core.worker) on any machine train them.
The job id is the settings' key (core.training.remote.key), so the same
settings asked for on any replica join the same job. The owner is stored in
the job's meta by the app that queued it and checked here, never taken from a
URL. Each app mirrors every run into its own runs/ folder as its epochs are
committed to Redis (core.training.rqmirror).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from redis import Redis, RedisError
from rq import Queue, Retry, Worker
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from core import i18n
from core.errors import CodedError, ErrorKind, explain, without_paths
from core.training import remote
from core.training.events import Phase, Started, Step
from core.training.jobs import JobState, QueueFull, Watched
from core.training.records import Config
from core.training.rqmirror import Mirror

STOPPING = "tudui:stopping:"       # + job id: a stop was asked for (every replica shows "stopping")
REACHABLE_S = 5.0                  # how long a reachability answer is reused
STATES = {JobStatus.QUEUED: JobState.QUEUED, JobStatus.DEFERRED: JobState.QUEUED, JobStatus.SCHEDULED: JobState.QUEUED,
          JobStatus.CREATED: JobState.QUEUED, JobStatus.STARTED: JobState.RUNNING, JobStatus.FAILED: JobState.FAILED,
          JobStatus.STOPPED: JobState.STOPPED, JobStatus.CANCELED: JobState.CANCELLED}


class Reported(CodedError):
    """A worker's error, carried as its kind, code and values (plain JSON), translated by the page like any other."""

    kind = ErrorKind.REMOTE

    def __init__(self, kind: str, code: str, **params: object) -> None:
        super().__init__(code, **params)
        self.kind = ErrorKind(kind)


@dataclass(frozen=True)
class Status:
    """A running job's phase as the worker last reported it, read like core.training.tracker.Tracker."""

    phase: Phase
    epoch: int
    done: int
    total: int
    cached: bool
    resumed_from: int
    epochs: int
    eta_s: float | None
    at: float

    @property
    def started(self) -> Started | None:
        return Started(self.epochs, 0, 0, "", 0, 0) if self.epochs else None

    def eta(self) -> float | None:
        return None if self.eta_s is None else max(0.0, self.eta_s - (time.time() - self.at))

    @classmethod
    def read(cls, data: object) -> Status | None:
        try:
            return cls(Phase(data["phase"]), int(data["epoch"]), int(data["done"]), int(data["total"]),
                       bool(data["cached"]), int(data["resumed_from"]), int(data["epochs"]),
                       None if data["eta"] is None else float(data["eta"]), float(data["at"]))
        except (TypeError, KeyError, ValueError):
            return None


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    device: str


class RemoteJob(Watched):
    """One RQ job as the training page reads a core.training.jobs.Job."""

    def __init__(self, backend: RemoteTrainings, job: Job, stopping: bool) -> None:
        self.backend, self.key = backend, job.id
        meta = job.meta if isinstance(job.meta, dict) else {}
        self.owner: str | None = meta.get("owner")
        self.estimate: float | None = meta.get("estimate")
        status = job.get_status(refresh=False)
        result = job.return_value(refresh=False) if status == JobStatus.FINISHED else None
        if status == JobStatus.FINISHED:
            self.state = JobState.STOPPED if isinstance(result, dict) and result.get("state") == "stopped" \
                else JobState.DONE
        else:
            self.state = STATES.get(status, JobState.QUEUED)
        self.detail = Status.read(meta.get("status")) if self.state == JobState.RUNNING else None
        where = meta.get("where") if isinstance(meta.get("where"), dict) else {}
        self.worker, self.device = where.get("worker"), where.get("device")
        self.stop_event = threading.Event()
        if stopping:
            self.stop_event.set()
        self.error = _error(meta.get("error"), job) if self.state == JobState.FAILED else None



    def stop(self, session: str | None = None) -> bool:
        return self.backend.stop(self, session)

    def eta(self) -> float | None:
        return self.detail.eta() if self.detail else None

    def snapshot(self) -> list[Step]:
        """The steps streamed so far (the page keeps those after the last mirrored epoch)."""
        return self.backend.steps(self.key)


def _error(data: object, job: Job) -> CodedError:
    """The failure a worker reported; an abandoned job (its worker died too often) or anything unforeseen in words."""
    if isinstance(data, dict) and isinstance(data.get("params"), dict):
        try:   # only a message both languages can fill: meta written by hand must not break the page
            error = Reported(data["kind"], str(data["code"]), **data["params"])
            for lang in i18n.LANGUAGES:
                explain(error, lang)
            return error
        except (KeyError, ValueError, IndexError, TypeError):
            pass
    last = job.latest_result()
    text = (last.exc_string or "").strip().splitlines()[-1:] if last is not None and last.exc_string else []
    return remote.RemoteError("failed", reason=without_paths(text[0]) if text else "?")


class RemoteTrainings:
    """The training queue on Redis: submit (join, queue or refuse when full), stop and cancel by owner, and places."""

    def __init__(self, url: str, max_queued: int = 8, root=None) -> None:
        self.redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)
        self.queue = Queue(remote.QUEUE, connection=self.redis, serializer=JSONSerializer)
        self.max_queued = max_queued
        self.mirror = Mirror(self, root)
        self._reachable: tuple[float, bool] = (0.0, False)
        self._steps: dict[str, tuple[str, dict[int, Step]]] = {}
        self._lock = threading.Lock()

    def reachable(self) -> bool:
        """Whether Redis answers (asked at most every REACHABLE_S seconds)."""
        at, ok = self._reachable
        if time.monotonic() - at > REACHABLE_S:
            try:
                ok = bool(self.redis.ping())
            except RedisError:
                ok = False
            self._reachable = (time.monotonic(), ok)
        return ok

    def _job(self, key: str) -> RemoteJob | None:
        try:
            job = Job.fetch(key, connection=self.redis, serializer=JSONSerializer)
        except NoSuchJobError:
            return None
        return RemoteJob(self, job, bool(self.redis.exists(STOPPING + key)))

    def get(self, key: str) -> RemoteJob | None:
        return self._job(key)

    def submit(self, request: Config, owner: str | None = None, estimate: float | None = None) -> RemoteJob:
        """Queue the request (core.training.remote.request) under its key, or return the job already queued or
        training under it (from any app)."""
        key = remote.key(request)
        with self.redis.lock(f"tudui:submit:{key}", timeout=10, blocking_timeout=10):
            job = self._job(key)
            if job is not None and (job.running or job.waiting):
                return job
            if self.queue.count >= self.max_queued:
                raise QueueFull(self.max_queued)
            self.redis.delete(STOPPING + key)
            self.queue.failed_job_registry.remove(key)
            self.queue.enqueue_call(func=remote.TASK, kwargs={"request": remote.to_json(request)}, job_id=key,
                                    meta={"owner": owner, "estimate": estimate}, retry=Retry(max=remote.RETRIES),
                                    timeout=-1, result_ttl=24 * 3600, failure_ttl=24 * 3600)
        return self._job(key)

    def stop(self, job: RemoteJob, session: str | None) -> bool:
        """Ask the job's worker (RQ's stop-job command) to stop after its current step; only the owner may."""
        if not job.may_stop(session):
            return False
        self.redis.set(STOPPING + job.key, 1, ex=3600)
        try:
            send_stop_job_command(self.redis, job.key, serializer=JSONSerializer)
        except (InvalidJobOperation, NoSuchJobError):   # between workers (given back after a kill): not running
            pass
        return True

    def cancel(self, job: RemoteJob, session: str | None) -> bool:
        """Take a waiting job out of the queue (only its owner may); a running one is asked to stop."""
        if not job.may_stop(session):
            return False
        if job.waiting:
            Job.fetch(job.key, connection=self.redis, serializer=JSONSerializer).cancel()
            return True
        return self.stop(job, session)

    def queued(self) -> list[RemoteJob]:
        return [j for j in (self._job(k) for k in self.queue.get_job_ids()) if j is not None]

    def running(self) -> list[RemoteJob]:
        ids = self.queue.started_job_registry.get_job_ids()
        return [j for j in (self._job(k) for k in ids) if j is not None and j.running]

    def active(self) -> frozenset[str]:
        """The keys of the jobs queued or training: their run folders must stay."""
        try:
            return frozenset(self.queue.get_job_ids()) | frozenset(self.queue.started_job_registry.get_job_ids())
        except RedisError:
            return frozenset()

    def position(self, job: RemoteJob) -> int | None:
        """1 for the next job to start; None when the job is not waiting."""
        place = self.queue.get_job_position(job.key)
        return None if place is None else place + 1

    def workers(self) -> list[WorkerInfo]:
        """The workers alive now (their heartbeats keep their device label in Redis), with their devices."""
        names = [w.name for w in Worker.all(queue=self.queue)]
        labels = self.redis.mget([remote.WORKER_LABEL + n for n in names]) if names else []
        return [WorkerInfo(n.rsplit("#", 1)[0], label.decode()) for n, label in zip(names, labels, strict=True)
                if label is not None]

    def expected_start(self, job: RemoteJob) -> float | None:
        """Seconds until a waiting job should start: the running jobs' ETAs and the estimates of those ahead,
        spread over the workers connected; None while no worker is connected or a time is not known yet."""
        position = self.position(job)
        slots_n = len(self.workers())
        if position is None or not slots_n:
            return None
        running = [j.eta() for j in self.running()]
        ahead = [j.estimate for j in self.queued()[:position - 1]]
        if any(s is None for s in running + ahead):
            return None
        slots = sorted(running)[:slots_n] + [0.0] * max(0, slots_n - len(running))
        for estimate in ahead:   # each waiting job takes the worker that frees first
            slots[0] += estimate
            slots.sort()
        return slots[0]

    def steps(self, key: str) -> list[Step]:
        """The job's streamed steps, read incrementally; a step trained again after a worker died replaces the old."""
        with self._lock:
            last, seen = self._steps.get(key, ("0-0", {}))
            try:
                entries = self.redis.xrange(remote.keys(key)["steps"], min=f"({last}" if last != "0-0" else "-")
            except RedisError:
                entries = []
            for entry_id, fields in entries:
                event = remote.decode(fields.get(b"e", b""))
                if isinstance(event, Step):
                    seen[event.step] = event
                last = entry_id.decode()
            self._steps[key] = (last, seen)
            return [seen[k] for k in sorted(seen)]
