"""The data page's costs: opening a data set, showing a batch, and the whole "Next" rerun of the page.

    python benchmarks/data_browser.py                  # the bundled mini CIFAR-10 (the page's default)
    python benchmarks/data_browser.py --data data      # the first folder data set in a data directory

"show a batch" is the page's own work for one batch (the epoch's order, 64 images read and collated, the
grid figure serialised). "Next" is a whole server-side rerun of the page after a click on Next, through
Streamlit's AppTest with warm caches, as a learner paging through batches gets it (without the browser's
drawing). Its CPU time is measured too: on a busy machine the wall time mostly measures the wait for a core.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from torchvision import transforms  # noqa: E402

from core import viz  # noqa: E402
from core.data import discovery, loader, sets  # noqa: E402


def median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {len(times)}"


def core_costs(root: Path, found: discovery.Found, batch_size: int) -> None:
    began = time.perf_counter()
    opened = {split: sets.open_dataset(root, found, split, transforms.ToTensor()) for split in found.splits}
    sizes = ", ".join(f"{split or '.'} {len(d)}" for split, d in opened.items())
    print(f"open {found.id} ({sizes} images): {time.perf_counter() - began:.2f} s")
    dataset = opened[found.splits[0]]
    times = []
    for epoch, batch in [(1, 0), (1, 10), (2, 5), (3, 100), (1, 700)] * 4:
        began = time.perf_counter()
        order = loader.epoch_batches(len(dataset), batch_size, True, False, 0, epoch)
        (imgs, targets), _ = loader.load_batch(dataset, order[batch % len(order)])
        images = (imgs.permute(0, 2, 3, 1).numpy() * 255).astype("uint8")
        viz.image_batch(images, [dataset.classes[t] for t in targets]).to_json()
        times.append((time.perf_counter() - began) * 1000)
    print(f"show a batch of {batch_size} (order + load + grid figure): {median_ms(times)}")


def next_rerun(data_dir: Path, clicks: int = 20) -> None:
    os.environ["DATA_DIR"] = str(data_dir)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("app_pages/data.py").run()
    times, cpu = [], []
    for _ in range(clicks + 3):
        button = next(b for b in at.button if b.label == "Next")
        began, began_cpu = time.perf_counter(), time.process_time()
        button.click().run()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    print(f"'Next' rerun of the data page (AppTest, warm): wall {median_ms(times[3:])}; "
          f"CPU of the process {median_ms(cpu[3:])} (the wall time grows with the machine's load, the CPU time less)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, help="a data directory (default: none, so the bundled sample)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    root = args.data or ROOT / "benchmarks" / "no-data-dir"
    found = next((f for f in discovery.offered(root) if f.kind == discovery.Kind.FOLDER and not f.bundled), discovery.SAMPLE)
    core_costs(root, found, args.batch_size)
    next_rerun(root)


if __name__ == "__main__":
    main()
