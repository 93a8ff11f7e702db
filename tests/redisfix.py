"""A real redis-server on a free loopback port, and training workers as subprocesses (python -m core.worker)."""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import free_port

ROOT = Path(__file__).resolve().parent.parent
DATABASES = 64


@contextmanager
def redis_server() -> Iterator[str]:
    """redis-server on 127.0.0.1 (no disk), stopped by its PID; yields its base URL. Skipped where it is missing."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server (apt-get install redis-server)")
    from redis import Redis, RedisError

    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--databases", str(DATABASES)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                Redis.from_url(url).ping()
                break
            except RedisError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


class Databases:
    """One empty Redis database per test (a queue of its own), on one server."""

    def __init__(self, base: str) -> None:
        self.base, self._next = base, itertools.count(1)

    def fresh(self) -> str:
        return f"{self.base}/{next(self._next) % DATABASES}"


@contextmanager
def worker(url: str, data_dir: Path, name: str, **env: str) -> Iterator[subprocess.Popen]:
    """`python -m core.worker` on the CPU; killed by its PID when the block ends (if still alive)."""
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / f"worker-{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "core.worker", "--device", "cpu", "--data-dir", str(data_dir),
                             "--name", name], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "JOBS_REDIS_URL": url, **env})
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def wait_for(check, timeout: float = 60, every: float = 0.2, what: str = "the condition"):
    """check()'s first truthy answer within timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        answer = check()
        if answer:
            return answer
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
