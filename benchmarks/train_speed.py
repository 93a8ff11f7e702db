"""The course's training loop against the improved and fast recipes, side by side, same architecture and epochs.

    python benchmarks/train_speed.py --data data/cifar10-jpg --epochs 10 [--device auto]

Prints seconds per epoch, training images/s and test accuracy after each epoch for both,
then the speed-up. Train images/s counts the training pass only (data loading included),
not the test pass.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.training import train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--arch", default="course")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    results = {}
    for recipe in ("course", "improved", "fast"):
        config = train.Config(data=str(args.data), recipe=recipe, arch=args.arch, epochs=args.epochs,
                              device=args.device)
        metrics = train.run(config)
        results[recipe] = metrics
        for m in metrics:
            print(json.dumps({"recipe": recipe, **m}), flush=True)
    print(f"\n{'recipe':<10} {'s/epoch':>9} {'train img/s':>12} {'test acc':>9}   (median over {args.epochs} epochs; "
          f"accuracy after the last; device {results['course'][0]['device']})")
    speed = {}
    for recipe, metrics in results.items():
        speed[recipe] = statistics.median(m.images_per_s for m in metrics)
        print(f"{recipe:<10} {statistics.median(m.seconds for m in metrics):>9.2f} {speed[recipe]:>12.0f} "
              f"{metrics[-1]['test_acc']:>9.2%}")
    for recipe in ("improved", "fast"):
        print(f"{recipe} / course images/s: {speed[recipe] / speed['course']:.2f}×")


if __name__ == "__main__":
    main()
