"""Fresh servers, first visits at once: does any learner see an exception while PyTorch is still importing?

    python benchmarks/cold_visits.py [--starts 8] [--pages classify,transforms,data]

Each start is a new `streamlit run` (benchmarks/stclient.py); as soon as it answers, one learner per page
opens its page at the same moment, so page threads import torch and torchvision while the background
import (core/preload.py) does too. Prints each start's exceptions and the count over all starts.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from stclient import Learner, load_average, server  # noqa: E402


async def first_visits(port: int, pages: list[str]) -> list[str]:
    async def one(page: str) -> list[str]:
        async with Learner(port) as learner:
            visit = await learner.visit(page, timeout=120)
            return [f"{page}: {e}" for e in visit.exceptions] + ([] if visit.ok else [f"{page}: did not settle"])

    return [e for found in await asyncio.gather(*(one(p) for p in pages)) for e in found]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=8)
    parser.add_argument("--pages", default="classify,transforms,data")
    args = parser.parse_args()
    pages, failed = args.pages.split(","), 0
    for start in range(1, args.starts + 1):
        with server() as (port, _):
            problems = asyncio.run(first_visits(port, pages))
        failed += bool(problems)
        print(f"start {start}: " + ("; ".join(problems) if problems else "no exception"), flush=True)
    print(f"{failed} of {args.starts} fresh servers showed an exception on a first visit ({load_average()})")


if __name__ == "__main__":
    main()
