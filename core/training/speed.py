"""Training speed on a CPU and on a GPU, as this project measured it, and why GPU work is timed with time.time().

The figures are docs/benchmarks.md's ``benchmarks/train_speed.py`` table (the course's
loop and the improved recipe, CIFAR10-quick on the JPEG copy of CIFAR-10,
medians over 3 epochs), each labelled with the device it was measured on;
tests/test_chapters.py checks they still agree with docs/benchmarks.md.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

BENCHMARK = "benchmarks/train_speed.py --data data/cifar10-jpg --epochs 3"


@dataclass(frozen=True)
class Measured:
    device: str              # as docs/benchmarks.md names it: "2-core CPU", "H100"
    recipe: str              # "course loop" or "improved"
    seconds_per_epoch: float
    images_per_s: int


MEASURED = (
    Measured("2-core CPU", "course loop", 55.8, 1009),
    Measured("2-core CPU", "improved", 37.6, 1428),
    Measured("H100", "course loop", 19.4, 3064),
    Measured("H100", "improved", 0.17, 308087),
)


def speedup(recipe: str) -> float:
    """How many times faster an epoch of ``recipe`` ran on the H100 than on the 2-core CPU."""
    cpu, gpu = (next(m for m in MEASURED if m.recipe == recipe and m.device == d) for d in ("2-core CPU", "H100"))
    return cpu.seconds_per_epoch / gpu.seconds_per_epoch


def run_alone(code: str, timeout_s: float = 30) -> str:
    """What ``code`` prints in a process of its own: process_time there counts that script's CPU only,
    not the other visitors' work in the server's threads."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout_s, check=True)
    return done.stdout.rstrip("\n")
