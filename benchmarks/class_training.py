"""A class starts its runs at once: through two app servers on RQ + Redis and one worker, and through the embedded queue.

    python benchmarks/class_training.py [--runs 30] [--subset 0] [--epochs 1]

Each learner starts a different small run (the bundled sample, a seed of its
own). Redis arm: a real redis-server, one worker (python -m core.worker, CPU),
and two apps (core.training.rqjobs.RemoteTrainings, each with its own runs/
folder and its mirror thread) taking the requests in turn. Embedded arm: the
same runs through one core.training.jobs.Registry, as the page does without
Redis. Prints, for both: every run finished with its epochs once each, the
wall time from the first request to the last run on disk, and the ratio; for
Redis, the latency from an epoch committed by the worker to the same epoch in
each app's runs/ folder (the page shows it at its next one-second redraw).

Wall time on a shared machine mixes the two arms' work with everything else
running, so each arm's CPU seconds are printed too (Linux /proc): the worker's
own, the apps' (this process: both mirrors and the submit loop), and the
embedded queue's. When the worker's CPU per run matches the embedded queue's,
the Redis arm's extra wall time is the apps' mirrors sharing the worker's cores,
which a worker on another machine does not do.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from core.data import discovery  # noqa: E402
from core.training import remote, runs, train  # noqa: E402
from core.training.jobs import Registry  # noqa: E402
from core.training.records import Config  # noqa: E402
from core.training.rqjobs import RemoteTrainings  # noqa: E402

from redisfix import redis_server, worker  # noqa: E402


def requests(n: int, subset: int | None, epochs: int) -> list[Config]:
    return [Config(data=discovery.SAMPLE.id, recipe="fast", epochs=epochs, subset=subset, seed=100 + i)
            for i in range(n)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def epochs_in(folder: Path) -> list[int]:
    try:
        return [json.loads(line)["epoch"] for line in (folder / "metrics.jsonl").read_text().splitlines()]
    except (OSError, ValueError):
        return []


def redis_arm(asked: list[Config], tmp: Path) -> tuple[float, list[float], float, float]:
    """Seconds from the first request to every run complete in both apps' runs/, the mirror latencies, and the
    CPU seconds of the worker and of the apps while the runs went through."""
    with ExitStack() as stack:
        url = stack.enter_context(redis_server()) + "/0"
        pid = stack.enter_context(worker(url, ROOT / "data", "bench")).pid
        apps = [RemoteTrainings(url, max_queued=len(asked), root=tmp / f"app{i}") for i in range(2)]
        for app in apps:
            app.mirror.start()
            stack.callback(app.mirror.close)
        warm = apps[0].submit(replace(asked[0], seed=99))   # untimed: the worker's first run pays its warm-up
        while apps[0].get(warm.key).running or apps[0].get(warm.key).waiting:
            time.sleep(0.2)
        began, worker_cpu, apps_cpu = time.perf_counter(), cpu_seconds(pid), time.process_time()
        for i, request in enumerate(asked):
            apps[i % 2].submit(request, owner=f"learner{i}")
        want = asked[0].epochs
        pending = {(a, remote.key(r)) for a in range(2) for r in asked}
        while pending:   # each folder read until it is complete, twice a second: the check costs the worker no CPU
            pending = {(a, k) for a, k in pending if epochs_in(tmp / f"app{a}" / k) != list(range(1, want + 1))}
            time.sleep(0.5)
        elapsed = time.perf_counter() - began
        worker_cpu, apps_cpu = cpu_seconds(pid) - worker_cpu, time.process_time() - apps_cpu
        latencies = []
        for request in asked:
            for epoch in range(1, want + 1):
                committed = float(apps[0].redis.hget(remote.epoch_key(remote.key(request), epoch), "at"))
                for a in range(2):
                    arrived = (tmp / f"app{a}" / remote.key(request) / f"epoch_{epoch:03d}.pth").stat().st_mtime
                    latencies.append(arrived - committed)
        return elapsed, latencies, worker_cpu, apps_cpu


def embedded_arm(asked: list[Config], tmp: Path) -> tuple[float, float]:
    """Seconds from the first request to every run complete, through the embedded queue, and its CPU seconds."""
    data = discovery.location(ROOT / "data", discovery.SAMPLE)
    registry = Registry(max_running=1, max_queued=len(asked))
    began, cpu = time.perf_counter(), time.process_time()
    jobs = []
    for i, request in enumerate(asked):
        config = replace(request, data=str(data))
        jobs.append((config, registry.submit(config.key(), runs.training_work(config, root=tmp, owner=f"l{i}"),
                                             owner=f"l{i}")))
    while any(job.running or job.waiting for _, job in jobs):
        time.sleep(0.5)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert all(epochs_in(tmp / c.key()) == list(range(1, c.epochs + 1)) for c, _ in jobs), "a run lost or repeated"
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--subset", type=int, default=0, help="training images per run (0: the whole sample)")
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    train.configure_backends()
    asked = requests(args.runs, args.subset or None, args.epochs)
    with tempfile.TemporaryDirectory() as tmp:   # one run first, untimed: the sample decoded once into the cache
        train.run(replace(asked[0], seed=98, data=str(discovery.location(ROOT / "data", discovery.SAMPLE))),
                  Path(tmp) / "warm")
        redis_s, latencies, worker_cpu, apps_cpu = redis_arm(asked, Path(tmp) / "redis")
        embedded_s, embedded_cpu = embedded_arm(asked, Path(tmp) / "embedded")
    print(f"{args.runs} runs of {args.epochs} epoch(s), {args.subset or 'all'} training images each, every epoch "
          f"once in both apps and in the embedded runs/")
    print("| queue | wall time | per run |")
    print("|---|---|---|")
    print(f"| embedded (one server) | {embedded_s:.1f} s | {embedded_s / args.runs:.2f} s |")
    print(f"| RQ + Redis (two apps, one worker) | {redis_s:.1f} s | {redis_s / args.runs:.2f} s |")
    print(f"overhead ratio (Redis / embedded): {redis_s / embedded_s:.3f}")
    n = args.runs
    print(f"CPU per run: worker {worker_cpu / n:.2f} s, embedded queue {embedded_cpu / n:.2f} s "
          f"(ratio {worker_cpu / embedded_cpu:.3f}); the two apps' mirrors and submits {apps_cpu / n:.2f} s")
    print(f"epoch committed by the worker -> in an app's runs/: median {statistics.median(latencies):.2f} s, "
          f"max {max(latencies):.2f} s over {len(latencies)} arrivals (the page redraws every 1 s on top)")


if __name__ == "__main__":
    main()
