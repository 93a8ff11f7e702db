"""Long work on background threads that any browser session can watch, and a fair queue in front of them.

A page keeps one Registry per process (st.cache_resource). One key is one job:
a second click, or a second visitor asking for the same settings, joins the
job already queued or running instead of starting another. At most
``max_running`` jobs work at once (one on a CPU server); later requests wait
in a bounded first-come-first-served queue with their place and an estimated
start. Only the session that asked for a job may stop or cancel it; others
watch.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Busy(RuntimeError):
    """Another job is running and the registry allows no more at once (start(), which does not queue)."""

    def __init__(self, running: Job) -> None:
        super().__init__(f"job {running.key} is running")
        self.running = running


class QueueFull(RuntimeError):
    """The queue holds as many waiting jobs as it may."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} jobs are waiting already")
        self.size = size


class Watched:
    """What a page reads of any job, embedded or on a queue's worker: its state and who may stop it."""

    state: JobState
    owner: str | None

    @property
    def running(self) -> bool:
        return self.state == JobState.RUNNING

    @property
    def waiting(self) -> bool:
        return self.state == JobState.QUEUED

    def may_stop(self, session: str | None) -> bool:
        return self.owner is None or session == self.owner


@dataclass(eq=False)
class Job(Watched):
    key: str
    work: Callable[[Job], None]
    owner: str | None = None                # the session that asked for it: only it may stop or cancel
    estimate: float | None = None           # expected seconds of work, for the queue's estimated start
    state: JobState = JobState.QUEUED
    error: Exception | None = None
    done: float = 0.0                       # progress, in whatever unit total uses
    total: float = 0.0
    baseline: float = 0.0                   # progress already made before this job (a resumed run)
    events: list = field(default_factory=list)
    queued_at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.time)  # when progress started to count (work may reset it)
    finished: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    eta_source: Callable[[], float | None] | None = None  # work may install a better ETA (all phases counted)
    detail: object = None                   # the work's own live status (a training job: its core.training.tracker.Tracker)
    on_end: Callable[[Job], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"job-{self.key}", daemon=True)

    def start(self) -> Job:
        self.state, self.started = JobState.RUNNING, time.time()
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.work(self)
            self.state = JobState.STOPPED if self.stop_event.is_set() else JobState.DONE
        except Exception as err:  # reported to the page, which translates it
            self.error, self.state = err, JobState.FAILED
        finally:
            self.finished = time.time()
            if self.on_end is not None:
                self.on_end(self)

    def emit(self, event: object) -> None:
        """Record an event (training phases, steps, epochs, download chunks); the page reads them."""
        with self._lock:
            self.events.append(event)

    def snapshot(self) -> list:
        with self._lock:
            return list(self.events)

    def progress(self, done: float, total: float) -> None:
        self.done, self.total = done, total


    def stop(self, session: str | None = None) -> bool:
        """Ask the work to stop after its current step; False if this session may not."""
        if not self.may_stop(session):
            return False
        self.stop_event.set()
        return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread.is_alive() or self.state != JobState.QUEUED:
            self._thread.join(timeout)


    def eta(self) -> float | None:
        """Seconds left: the work's own estimate where it gives one, else at the rate kept so far."""
        if self.eta_source is not None:
            return self.eta_source()
        elapsed = (self.finished or time.time()) - self.started
        rate = (self.done - self.baseline) / elapsed if elapsed > 0 else 0
        return (self.total - self.done) / rate if rate > 0 else None


class Registry:
    """Jobs by key; at most ``max_running`` work at once, at most ``max_queued`` wait."""

    def __init__(self, max_running: int = 1, max_queued: int = 8) -> None:
        self.max_running, self.max_queued = max_running, max_queued
        self._jobs: dict[str, Job] = {}
        self._queue: list[Job] = []
        self._lock = threading.Lock()

    def start(self, key: str, work: Callable[[Job], None]) -> Job:
        """Start work under key now, or return the job already running under it; Busy if the cap is reached."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and (job.running or job.waiting):
                return job
            running = [j for j in self._jobs.values() if j.running]
            if len(running) >= self.max_running:
                raise Busy(running[0])
            job = self._jobs[key] = Job(key, work, on_end=self._next)
            return job.start()

    def submit(self, key: str, work: Callable[[Job], None], owner: str | None = None,
               estimate: float | None = None) -> Job:
        """Run work under key as soon as a slot is free: join the same key's job, start, or queue (QueueFull)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and (job.running or job.waiting):
                return job
            job = Job(key, work, owner=owner, estimate=estimate, on_end=self._next)
            if sum(j.running for j in self._jobs.values()) < self.max_running:
                self._jobs[key] = job
                return job.start()
            if len(self._queue) >= self.max_queued:
                raise QueueFull(self.max_queued)
            self._jobs[key] = job
            self._queue.append(job)
            return job

    def cancel(self, job: Job, session: str | None) -> bool:
        """Take a waiting job out of the queue (only its owner may); a running one is asked to stop."""
        if not job.may_stop(session):
            return False
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job.state, job.finished = JobState.CANCELLED, time.time()
                return True
        return job.stop(session)

    def _next(self, ended: Job) -> None:
        """A job ended: start the longest-waiting one while a slot is free."""
        with self._lock:
            while self._queue and sum(j.running for j in self._jobs.values()) < self.max_running:
                self._queue.pop(0).start()

    def active(self) -> frozenset[str]:
        """The keys of the jobs queued or training: their run folders must stay."""
        with self._lock:
            return frozenset(k for k, j in self._jobs.items() if j.running or j.waiting)

    def position(self, job: Job) -> int | None:
        """1 for the next job to start; None when the job is not waiting."""
        with self._lock:
            return self._queue.index(job) + 1 if job in self._queue else None

    def expected_start(self, job: Job) -> float | None:
        """Seconds until a waiting job should start: the running jobs' ETAs and the estimates of those ahead."""
        position = self.position(job)
        if position is None:
            return None
        with self._lock:
            running = [j.eta() for j in self._jobs.values() if j.running]
            ahead = [j.estimate for j in self._queue[:position - 1]]
        if any(s is None for s in running + ahead):
            return None
        slots = sorted(running) + [0.0] * (self.max_running - len(running))
        for estimate in ahead:   # each waiting job takes the slot that frees first
            slots[0] += estimate
            slots.sort()
        return slots[0]

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def running(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.running]

    def queued(self) -> list[Job]:
        with self._lock:
            return list(self._queue)
