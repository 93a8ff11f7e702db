"""A prediction with its feature maps, as the classify page renders it, after the model is loaded.

    python benchmarks/classify.py

Times, per photo: the course's preprocessing, the forward pass, the feature maps of every
conv and pool layer, and the figures the page draws for them (probabilities, the layer's
maps, one map enlarged, the first layer's kernels), serialised as Streamlit sends them.
"""
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core import viz  # noqa: E402
from core.data import images  # noqa: E402
from core.inference import infer, weights  # noqa: E402


def render(model, card, photo) -> None:
    prepared = infer.prepare(photo, card.mean, card.std)
    logits, probs = infer.predict(model, prepared.batch)
    maps = infer.feature_maps(model, prepared.batch)
    figures = [viz.bars([str(i) for i in range(10)], probs.tolist(), int(probs.argmax())),
               viz.image_batch(viz.gray_tiles(maps[0][2].numpy()), [f"#{c}" for c in range(32)], columns=16, tile=52),
               viz.feature_grid([maps[0][2][0].numpy()], ["#0"], columns=1, cell_px=300),
               viz.image_batch(viz.kernel_tiles(model.model[0].weight.detach().numpy()),
                               [f"#{c}" for c in range(32)], columns=8, tile=40)]
    for figure in figures:
        figure.to_json()


def main(repeats: int = 20) -> None:
    torch.set_num_threads(torch.get_num_threads())
    for name in weights.cards():
        model, card = weights.load(name)
        for sample in images.samples():
            photo = images.sample(sample)
            render(model, card, photo)  # warm-up
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                render(model, card, photo)
                times.append((time.perf_counter() - began) * 1000)
            print(f"{name:<8} {sample:<7} median {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms")


if __name__ == "__main__":
    main()
