"""Long work on a background thread that any browser session can watch, attach to and stop.

A page keeps one Registry per process (st.cache_resource): one key is one job,
so a second click or a second visitor with the same settings attaches to the
running job instead of starting another, and a CPU-only server trains one
model at a time.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Busy(RuntimeError):
    """Another job is running and the registry allows no more at once."""

    def __init__(self, running: Job) -> None:
        super().__init__(f"job {running.key} is running")
        self.running = running


@dataclass
class Job:
    key: str
    work: Callable[[Job], None]
    state: str = "running"                  # running | done | stopped | failed
    error: Exception | None = None
    done: float = 0.0                       # progress, in whatever unit total uses
    total: float = 0.0
    baseline: float = 0.0                   # progress already made before this job (a resumed run)
    events: list[dict] = field(default_factory=list)
    started: float = field(default_factory=time.time)  # when progress started to count (work may reset it)
    finished: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"job-{self.key}", daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.work(self)
            self.state = "stopped" if self.stop_event.is_set() else "done"
        except Exception as err:  # reported to the page, which translates it
            self.error, self.state = err, "failed"
        finally:
            self.finished = time.time()

    def emit(self, event: dict) -> None:
        """Record an event (training steps, epochs, download chunks); the page reads them."""
        with self._lock:
            self.events.append(event)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.events)

    def progress(self, done: float, total: float) -> None:
        self.done, self.total = done, total

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self.state == "running"

    def eta(self) -> float | None:
        """Seconds left at the rate this job has kept so far."""
        elapsed = (self.finished or time.time()) - self.started
        rate = (self.done - self.baseline) / elapsed if elapsed > 0 else 0
        return (self.total - self.done) / rate if rate > 0 else None


class Registry:
    """Jobs by key; at most ``max_running`` run at once."""

    def __init__(self, max_running: int = 1) -> None:
        self.max_running = max_running
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, key: str, work: Callable[[Job], None]) -> Job:
        """Start work under key, or return the job already running under it; Busy if the cap is reached."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.running:
                return job
            running = [j for j in self._jobs.values() if j.running]
            if len(running) >= self.max_running:
                raise Busy(running[0])
            job = self._jobs[key] = Job(key, work)
            return job.start()

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def running(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.running]
