"""Kill the trainer at random moments and resume it each time: no epoch may be lost or counted twice.

    python benchmarks/kill_resume.py [--kills 20] [--epochs 40]

A tiny folder data set is trained with `python -m core.training.train --resume` in a
subprocess; each attempt is killed (SIGKILL, no clean-up) after a random delay,
until the run completes. The finished run's metrics.jsonl must hold epochs
1..E once each, agree with resume.pt, and equal an uninterrupted run's
numbers exactly (CPU). Prints where the kills landed and the verdict.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def command(data: Path, out: Path, epochs: int) -> list[str]:
    return [sys.executable, "-m", "core.training.train", "--data", str(data), "--recipe", "improved", "--arch", "course",
            "--epochs", str(epochs), "--batch-size", "8", "--lr", "0.05", "--device", "cpu", "--out", str(out),
            "--resume"]


def epochs_on_disk(out: Path) -> list[int]:
    from core.training.rundir import RunDir

    return [row.epoch for row in RunDir(out).metrics().rows]


def straight_run(data: Path, out: Path, epochs: int) -> float:
    """The uninterrupted run; returns its wall time, which sets when the kills fall."""
    began = time.perf_counter()
    subprocess.run(command(data, out, epochs), cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - began


def kill_until_done(data: Path, out: Path, epochs: int, kills: int, seed: int = 0,
                    window: tuple[float, float] = (1.0, 6.0)) -> list[dict]:
    """Start, kill after a random delay, repeat; after ``kills`` kills let it finish. Returns one row per attempt.

    window: the delay's range in seconds; pass (0.3 T, T) for an uninterrupted run of T seconds, so the
    kills fall while loading, training, testing and saving alike, whatever the machine's speed.
    """
    rng = random.Random(seed)
    attempts = []
    for attempt in range(kills + 1):
        before = epochs_on_disk(out)
        last = attempt == kills or len(before) == epochs   # no kills left, or nothing left to interrupt
        proc = subprocess.Popen(command(data, out, epochs), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        delay = None if last else rng.uniform(*window)
        try:
            proc.wait(300 if last else delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        attempts.append({"attempt": attempt + 1, "killed_after_s": None if proc.returncode == 0 else delay,
                         "epochs_before": len(before), "epochs_after": len(epochs_on_disk(out)),
                         "returncode": proc.returncode})
        if last:
            break
    return attempts


def main() -> None:
    from conftest import make_folder_dataset

    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = make_folder_dataset(Path(tmp) / "tiny", per_class=(48, 8))
        straight = Path(tmp) / "straight"
        straight_run(data, Path(tmp) / "warm", args.epochs)   # decodes the images once: the timed run reads the cache
        whole = straight_run(data, straight, args.epochs)
        began = time.perf_counter()
        killed = Path(tmp) / "killed"
        window = (0.1 * whole, (0.1 + 3 / max(1, args.kills)) * whole)   # short: every kill finds work left
        attempts = kill_until_done(data, killed, args.epochs, args.kills, window=window)
        for row in attempts:
            print(json.dumps(row))
        from core.training.rundir import RunDir

        a, b = RunDir(straight).metrics().rows, RunDir(killed).metrics().rows
        same = [(r.train_loss, r.test_loss, r.test_acc) for r in a] == \
            [(r.train_loss, r.test_loss, r.test_acc) for r in b]
        print(f"uninterrupted run {whole:.0f} s; "
              f"{sum(1 for r in attempts if r['returncode'] == -signal.SIGKILL)} kills in "
              f"{time.perf_counter() - began:.0f} s; epochs on disk {[r.epoch for r in b]}; "
              f"equal to the uninterrupted run: {same}")


if __name__ == "__main__":
    main()
