"""The data page's costs on a large folder data set: first load, then showing a batch.

    python benchmarks/data_browser.py --data data   # a data directory holding e.g. cifar10-jpg/{train,test}/<class>/
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from torchvision import transforms  # noqa: E402

from core import data, loader, viz  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    began = time.perf_counter()
    found = [f for f in data.discover(args.data) if f.kind == "folder"]
    if not found:
        sys.exit(f"no folder data set under {args.data}")
    discovered = time.perf_counter() - began
    opened, load = {}, discovered
    for split in found[0].splits:
        began = time.perf_counter()
        opened[split] = data.open_dataset(args.data, found[0], split, transforms.ToTensor())
        load += time.perf_counter() - began
    sizes = ", ".join(f"{split} {len(d)}" for split, d in opened.items())
    print(f"first load of {found[0].path} ({sizes} images): discover {discovered:.2f} s, all splits opened "
          f"after {load:.2f} s")
    dataset = opened[found[0].splits[-1]]
    times = []
    for epoch, batch in [(1, 0), (1, 10), (2, 5), (3, 100), (1, 700)] * 4:
        began = time.perf_counter()
        order = loader.epoch_batches(len(dataset), args.batch_size, True, False, 0, epoch)
        imgs, targets = loader.load_batch(dataset, order[batch % len(order)])
        images = (imgs.permute(0, 2, 3, 1).numpy() * 255).astype("uint8")
        viz.image_batch(images, [dataset.classes[t] for t in targets]).to_json()
        times.append((time.perf_counter() - began) * 1000)
    print(f"show a batch of {args.batch_size} (order + load + grid figure): median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms over {len(times)}")


if __name__ == "__main__":
    main()
