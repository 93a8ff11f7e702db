"""Wall time to reach a test accuracy, each recipe side by side in one run, the course's architecture.

    python benchmarks/time_to_accuracy.py --data /tmp/cifar [--device cpu] [--course-epochs 10]
        [--improved-epochs 5] [--fast-epochs 3] [--recipes course,improved,fast]

Training time counts the training passes only (forward, backward, step, and
batch preparation), summed over epochs up to the first epoch whose test
accuracy reaches the target; the test passes and data decoding are timed
separately and printed beside it. Every recipe runs from the same decoded
data (the tensor cache is warmed first, so no recipe pays for decoding).
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.data.tensors import load_split  # noqa: E402
from core.training import train  # noqa: E402
from core.training.events import EpochEnd, Phase, Progress  # noqa: E402

TARGETS = (0.55, 0.65, 0.70, 0.75, 0.80)


def measure(config: train.Config) -> dict:
    """Train once; per epoch: cumulative training seconds, test seconds, accuracy."""
    marks: dict = {"test_s": 0.0, "prepare_s": 0.0}
    clock = {"phase": None, "since": time.perf_counter()}

    def on_event(event) -> None:
        now = time.perf_counter()
        if isinstance(event, Progress) and event.phase != clock["phase"]:
            if clock["phase"] == Phase.TESTING:
                marks["test_s"] += now - clock["since"]
            if clock["phase"] == Phase.PREPARING:
                marks["prepare_s"] += now - clock["since"]
            clock["phase"], clock["since"] = event.phase, now
        if isinstance(event, EpochEnd):
            print(f"  {config.recipe} epoch {event.epoch}: {event.row.test_acc:.2%} "
                  f"({event.row.train_seconds:.1f} s training, {event.row.images_per_s:.0f} img/s)", flush=True)

    rows = train.run(config, on_event=on_event)
    elapsed, curve = 0.0, []
    for row in rows:
        elapsed += row.train_seconds
        curve.append((elapsed, row.test_acc, row.epoch))
    return {"curve": curve, **marks, "images_per_s": sorted(r.images_per_s for r in rows)[len(rows) // 2]}


def first_reaching(curve: list[tuple[float, float, int]], target: float) -> str:
    hit = next(((s, e) for s, a, e in curve if a >= target), None)
    return "—" if hit is None else f"{hit[0]:.0f} s (ep {hit[1]})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--arch", default="course")
    parser.add_argument("--recipes", default="course,improved,fast")
    parser.add_argument("--course-epochs", type=int, default=10)
    parser.add_argument("--improved-epochs", type=int, default=5)
    parser.add_argument("--fast-epochs", type=int, default=None, help="default: the fast recipe's own")
    args = parser.parse_args()
    began = time.perf_counter()
    for split in ("train", "test"):
        load_split(args.data, split)
    print(f"data decoding (or reading the cache): {time.perf_counter() - began:.1f} s, not counted below")
    epochs = {"course": args.course_epochs, "improved": args.improved_epochs, "fast": args.fast_epochs}
    results = {}
    for recipe in args.recipes.split(","):
        config = train.Config(data=str(args.data), recipe=recipe, arch=args.arch, epochs=epochs[recipe],
                              device=args.device)
        results[recipe] = measure(config)
    device = train.pick_device(args.device).type
    print(f"\ntime to test accuracy, {args.arch} architecture, training passes only, device {device}")
    header = ["recipe", "best (time)"] + [f"{t:.0%}" for t in TARGETS] + ["img/s", "tests s", "prep s"]
    print(" | ".join(header))
    for recipe, r in results.items():
        best = max(r["curve"], key=lambda c: c[1])
        cells = [recipe, f"{best[1]:.2%} ({best[0]:.0f} s, ep {best[2]})"]
        cells += [first_reaching(r["curve"], t) for t in TARGETS]
        cells += [f"{r['images_per_s']:.0f}", f"{r['test_s']:.0f}", f"{r['prepare_s']:.1f}"]
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
