"""Where the fast recipe's loss jump early in epoch 2 comes from: the training page's default run (fast recipe, the
course's network, the bundled sample, 3 epochs, seed 0) trained again with one thing changed at a time.

    python benchmarks/loss_jump.py                 # every variant, seed 0 (~1-4 min each on a 2-core CPU)
    python benchmarks/loss_jump.py no_whiten 1     # one variant, seed 1

Prints one JSON line per run: the highest train loss after step 10 and its step, and the test accuracies.
Measured (seed 0): default 3.10 at step 42; no_whiten 2.02; lr_0.02 2.06; no_warmup 2.10; long_warmup 2.23;
no_alternate_flips 3.02 at step 42. Seed 1: 2.30 with whitening, 2.23 without.
"""
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core.data.sample import SAMPLE  # noqa: E402
from core.training import recipes, train  # noqa: E402
from core.training.events import Step  # noqa: E402

FAST = recipes.RECIPES["fast"]
VARIANTS = {"default": (FAST, True), "no_whiten": (FAST, False), "no_warmup": (replace(FAST, warmup=0.0), True),
            "long_warmup": (replace(FAST, warmup=0.5), True), "lr_0.02": (replace(FAST, lr=0.02), True),
            "no_alternate_flips": (replace(FAST, alternate_flips=False), True)}


def measure(name: str, seed: int) -> dict:
    recipe, whiten = VARIANTS[name]
    real_whiten = recipes.whiten_conv1
    recipes.RECIPES["fast"] = recipe
    recipes.whiten_conv1 = real_whiten if whiten else (lambda *args: None)
    losses = {}
    try:
        with tempfile.TemporaryDirectory() as out:
            metrics = train.run(train.Config(data=str(SAMPLE), recipe="fast", arch="course", epochs=3, device="cpu",
                                             lr=recipe.lr, seed=seed), Path(out),
                                on_event=lambda e: isinstance(e, Step) and losses.__setitem__(e.step, e.loss))
    finally:
        recipes.RECIPES["fast"], recipes.whiten_conv1 = FAST, real_whiten
    late = {step: loss for step, loss in losses.items() if step > 10}
    peak = max(late, key=late.get)
    return {"variant": name, "seed": seed, "peak_step": peak, "peak_loss": round(late[peak], 3),
            "test_acc": [round(m.test_acc, 3) for m in metrics]}


if __name__ == "__main__":
    torch.set_num_threads(1)
    names = [sys.argv[1]] if len(sys.argv) > 1 else list(VARIANTS)
    for variant in names:
        print(json.dumps(measure(variant, int(sys.argv[2]) if len(sys.argv) > 2 else 0)), flush=True)
