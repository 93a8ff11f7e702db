"""A class on one server: CPU per page view, then 30 learners browsing at once.

    python benchmarks/classroom.py [--learners 30] [--think 2] [--arrival 10]

A real `streamlit run streamlit_app.py` on a free port (file watcher off), and headless learners
(benchmarks/stclient.py: Streamlit's own websocket protocol over loopback, one connection per
learner, no browser: 30 Chromiums would need more than this machine's 2 cores by themselves).

1. Warm visit of every page at default settings: the server's CPU seconds per visit (a new
   session opening the page's link), averaged over 5 visits after every page was visited once.
2. The class: ``--learners`` sessions arrive over ``--arrival`` seconds; each opens /conv from a
   link, then switches to pool, transforms and classify like a sidebar click, reading each page
   for ``--think`` seconds. A page has "settled" when its script run has finished and no other
   started within 0.3 s. Server RSS is sampled every 0.25 s throughout.

Targets (issue 14): CPU per warm visit <= 0.2 s; median settle <= 3 s and none over 15 s;
RSS <= 1.5 GB throughout.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from stclient import Learner, Visit, cpu_s, load_average, rss_mb, sample_rss, server  # noqa: E402

from ui.nav import HOME, SECTIONS  # noqa: E402

ROUTE = ["conv", "pool", "transforms", "classify"]
TIMEOUT_S = 60


async def cpu_per_visit(port: int, pid: int, page: str, repeats: int = 5) -> tuple[float, float, list[str]]:
    """(CPU seconds per new-session visit, median wall seconds, exceptions shown) for one page, warm."""
    walls, shown, start = [], set(), cpu_s(pid)
    for _ in range(repeats):
        async with Learner(port) as learner:
            visit = await learner.visit(page, timeout=TIMEOUT_S, quiet=0.05)
            walls.append(visit.seconds)
            shown |= set(visit.exceptions)
    return (cpu_s(pid) - start) / repeats, statistics.median(walls), sorted(shown)


async def student(port: int, delay: float, think: float) -> list[Visit]:
    await asyncio.sleep(delay)
    async with Learner(port) as learner:
        for page in ROUTE:
            await learner.visit(page, timeout=TIMEOUT_S)
            await asyncio.sleep(think)
        return learner.visits


async def main(args: argparse.Namespace) -> None:
    with server() as (port, proc):
        print(f"server idle: {rss_mb(proc.pid):.0f} MB; {os.cpu_count()} CPUs, {load_average()}")
        pages = [HOME.slug] + [info.slug for _, infos in SECTIONS for info in infos]
        for slug in pages:  # warm: torch imported, caches filled, as after the first learner
            async with Learner(port) as learner:
                await learner.visit("" if slug == HOME.slug else slug, timeout=TIMEOUT_S)
        print(f"\n{'page':<15} {'CPU/visit':>10} {'wall':>7}")
        for slug in pages:
            cpu, wall, shown = await cpu_per_visit(port, proc.pid, "" if slug == HOME.slug else slug)
            print(f"{slug:<15} {cpu:9.3f}s {wall:6.2f}s {' '.join(shown)}")
        print(f"after every page: {rss_mb(proc.pid):.0f} MB; {load_average()}")

        rng = random.Random(0)
        rss, stop = [], asyncio.Event()
        sampler = asyncio.create_task(sample_rss(proc.pid, rss, stop))
        start, cpu = time.perf_counter(), cpu_s(proc.pid)
        results = await asyncio.gather(*(student(port, rng.uniform(0, args.arrival), args.think)
                                         for _ in range(args.learners)), return_exceptions=True)
        took, cpu = time.perf_counter() - start, cpu_s(proc.pid) - cpu
        stop.set()
        await sampler
        visits = [v for r in results if isinstance(r, list) for v in r]
        failed = [r for r in results if not isinstance(r, list)]
        settle = sorted(v.seconds for v in visits if v.ok)
        print(f"\n{args.learners} learners, {' → '.join(ROUTE)}, arrivals over {args.arrival:g} s, "
              f"{args.think:g} s reading each page: {took:.0f} s, server CPU {cpu:.0f} s")
        print(f"page views settled: {len(settle)} of {args.learners * len(ROUTE)}; sessions failed: {len(failed)}; "
              f"exceptions on pages: {sum(len(v.exceptions) for v in visits)}")
        for shown in sorted({e for v in visits for e in v.exceptions}):
            print(f"  exception: {shown}")
        if settle:
            print(f"settle: median {statistics.median(settle):.2f} s, p90 {settle[int(0.9 * (len(settle) - 1))]:.2f} s, "
                  f"max {settle[-1]:.2f} s, over 15 s: {sum(s > 15 for s in settle)}")
            for page in ROUTE:
                own = sorted(v.seconds for v in visits if v.ok and v.page == page)
                print(f"  {page:<12} median {statistics.median(own):.2f} s, max {own[-1]:.2f} s")
        print(f"server RSS: peak {max(rss):.0f} MB, after {rss_mb(proc.pid):.0f} MB; {load_average()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--think", type=float, default=2.0, help="seconds a learner reads each page")
    parser.add_argument("--arrival", type=float, default=10.0, help="learners arrive over this many seconds")
    asyncio.run(main(parser.parse_args()))
