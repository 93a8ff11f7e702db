"""What the per-layer statistics (core/training/inside.py) cost a training epoch.

    python benchmarks/inside_overhead.py [--data assets/cifar10-sample] [--recipe fast] [--arch course]

Trains one epoch as the training page does, then times what each epoch adds for the statistics: the copy of the
weights at the epoch's start and one forward and backward pass on the 32 probe images (median of 10), against
the epoch's own seconds. The bundled sample's 5,000 images make the shortest epochs, so the largest share.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core.inference import checkpoints  # noqa: E402
from core.training import inside, train  # noqa: E402
from core.training.recipes import RECIPES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT / "assets" / "cifar10-sample"))
    parser.add_argument("--recipe", default="fast")
    parser.add_argument("--arch", default="course")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        cfg = train.Config(data=args.data, recipe=args.recipe, arch=args.arch, epochs=1, device=args.device)
        row = train.run(cfg, Path(out))[0]
        model = checkpoints.build(checkpoints.read_state_dict((Path(out) / "epoch_001.pth").read_bytes()), args.arch)
    device = torch.device(row.device)
    model = model.to(device)
    feed = RECIPES[args.recipe].feed(Path(args.data), 128, None, device, torch.Generator().manual_seed(0),
                                     lambda *a: None)
    probe = inside.probe_indices(feed.test_size)
    x = feed.normalise(feed.sample(probe)).to(device)
    y = torch.randint(0, 10, (len(probe),), generator=torch.Generator().manual_seed(0)).to(device)
    times = []
    for _ in range(10):
        began = time.perf_counter()
        inside.layer_stats(model, x, y, inside.weights_of(model))
        times.append(time.perf_counter() - began)
    cost = statistics.median(times)
    print(f"{args.recipe} / {args.arch} on {row.device}: epoch {row.seconds:.2f} s, statistics {cost * 1000:.1f} ms "
          f"(max {max(times) * 1000:.1f} ms) = {cost / row.seconds:.2%} of the epoch")


if __name__ == "__main__":
    main()
