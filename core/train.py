"""Training CIFAR10-quick: the course's loop, kept for comparison, and the same network trained well.

    python -m core.train --data data/cifar10-jpg --recipe improved --arch bn_relu --epochs 30 --out runs/bn

recipe "course" is the video's loop: a DataLoader with ToTensor, batch 64,
SGD lr 0.01, CrossEntropyLoss, 10 epochs (with shuffling: a folder data set is
sorted by class, which the course's pre-shuffled CIFAR pickles are not).

recipe "improved" trains the same architecture well: per-channel
normalisation, random crop + flip, SGD with Nesterov momentum, warm-up then
cosine decay, label smoothing, a larger batch. Data are decoded once into a
uint8 tensor and moved to the device once; each batch is normalised and
augmented there with tensor ops (no per-image Python work), in channels_last,
with bf16 autocast on CUDA.

One epoch = train + test; each writes a JSON line to stdout, a state_dict to
RUN_DIR/epoch_NNN.pth (the course's recommended way to save) and everything
needed to resume without losing an epoch to RUN_DIR/resume.pt.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from core import cudagraph
from core.data import TensorSplit, is_cifar10, load_split
from core.errors import CodedError
from core.model import ARCHITECTURES, Tudui

RECIPES: dict[str, dict] = {
    "course": {"epochs": 10, "batch_size": 64, "lr": 0.01, "optimizer": "sgd"},
    "improved": {"epochs": 30, "batch_size": 256, "lr": 0.05, "optimizer": "sgd"},
}
IMPROVED = {"momentum": 0.9, "weight_decay": 5e-4, "label_smoothing": 0.1, "warmup": 0.15, "pad": 4}
REPORT_EVERY_S = 0.25  # step losses are read back in groups: reading one waits for the accelerator to finish
Event = Callable[[dict], None]


class TrainingError(CodedError, ValueError):
    """Settings that cannot train."""


@dataclass(frozen=True)
class Config:
    """One training job. Fields left None take the recipe's value (see RECIPES)."""

    data: str
    recipe: str = "improved"
    arch: str = "course"
    epochs: int | None = None
    lr: float | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    subset: int | None = None
    seed: int = 0
    device: str = "auto"

    def resolved(self) -> Config:
        if self.recipe not in RECIPES:
            raise ValueError(f"unknown recipe {self.recipe!r}; choose from {list(RECIPES)}")
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.arch!r}; choose from {ARCHITECTURES}")
        defaults = {k: v for k, v in RECIPES[self.recipe].items() if getattr(self, k) is None}
        return replace(self, **defaults)

    def key(self) -> str:
        """The job's identity: same settings, same key, same run directory."""
        settings = asdict(self.resolved())
        settings["data"] = str(Path(self.data).resolve())
        return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def pick_device(name: str = "auto") -> torch.device:
    """auto: CUDA, then Apple MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def learning_rate(step: int, total: int, base: float, recipe: str) -> float:
    """The course: constant. Improved: linear warm-up from base/10, then cosine decay to 0."""
    if recipe == "course":
        return base
    warm = max(1, int(IMPROVED["warmup"] * total))
    if step < warm:
        return base * (0.1 + 0.9 * step / warm)
    return base * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def channel_stats(images: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of uint8 images on the 0–1 scale ToTensor gives."""
    x = images.float().div_(255).transpose(0, 1).reshape(3, -1)
    return x.mean(1).tolist(), x.std(1).tolist()


def augmentation_draws(generator: torch.Generator, batches: int, size: int,
                       pad: int = IMPROVED["pad"]) -> tuple[torch.Tensor, torch.Tensor]:
    """An epoch's crop offsets (2, batches·size) and flips (batches·size,), drawn batch by batch.

    Drawn up front on the CPU so an accelerator gets them in one copy per epoch
    instead of waiting on the host every step; the per-batch order keeps the
    random stream, and so the results, the same on every device.
    """
    draws = [(torch.randint(0, 2 * pad + 1, (2, size), generator=generator), torch.rand(size, generator=generator) < 0.5)
             for _ in range(batches)]
    if not draws:
        return torch.empty(2, 0, dtype=torch.long), torch.empty(0, dtype=torch.bool)
    return torch.cat([d[0] for d in draws], 1), torch.cat([d[1] for d in draws])


def augment(x: torch.Tensor, shifts: torch.Tensor, flips: torch.Tensor, pad: int = IMPROVED["pad"]) -> torch.Tensor:
    """RandomCrop(32, padding=pad, reflect) and RandomHorizontalFlip for a whole batch at once.

    shifts (2, b) holds each image's crop offset (rows, columns) in the padded image; flips (b,) its mirror flag.
    """
    b, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")
    dy, dx = shifts
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, :, None]
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, :]
    x = padded[torch.arange(b, device=x.device)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)
    return torch.where(flips[:, None, None, None], x.flip(3), x)


class TensorBatches:
    """A split kept on the device as uint8; batches normalised (and augmented) there."""

    def __init__(self, split: TensorSplit, device: torch.device, mean: list[float], std: list[float]) -> None:
        self.images, self.labels = split.images.to(device), split.labels.to(device)
        self.mean = torch.tensor(mean, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, 3, 1, 1)

    def __len__(self) -> int:
        return len(self.labels)

    def inputs(self, idx: torch.Tensor | slice, shifts: torch.Tensor | None = None,
               flips: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The images at idx, normalised (and augmented, given shifts and flips), with their labels."""
        x = (self.images[idx].float().div_(255) - self.mean) / self.std
        if shifts is not None:
            x = augment(x, shifts, flips)
        return x.contiguous(memory_format=torch.channels_last), self.labels[idx]

    def epoch(self, size: int, generator: torch.Generator) -> Iterator[tuple[torch.Tensor, ...]]:
        """A shuffled epoch as (indices, crop offsets, flips) per full batch; the ragged last batch is dropped."""
        n, device = len(self), self.labels.device
        order = torch.randperm(n, generator=generator).to(device)
        shifts, flips = (t.to(device) for t in augmentation_draws(generator, n // size, size))
        for i in range(0, n - size + 1, size):
            yield order[i:i + size], shifts[:, i:i + size], flips[i:i + size]

    def batches(self, size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The split in order, for evaluation."""
        for i in range(0, len(self), size):
            yield self.inputs(slice(i, i + size))


def course_loader(data: Path, split: str, batch_size: int, generator: torch.Generator | None, subset: int | None):
    """The course's input pipeline: a torchvision data set with ToTensor and a DataLoader."""
    from torch.utils.data import DataLoader, Subset
    from torchvision import datasets, transforms

    if is_cifar10(data):
        dataset = datasets.CIFAR10(str(data), train=split == "train", transform=transforms.ToTensor())
    else:
        dataset = datasets.ImageFolder(str(data / split), transform=transforms.ToTensor())
        with Image.open(dataset.samples[0][0]) as first:
            if first.size != (32, 32):  # the network's Linear(1024, 64) expects 32×32 inputs
                dataset.transform = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor()])
    if subset and split == "train":
        dataset = Subset(dataset, torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))[:subset])
    return DataLoader(dataset, batch_size=batch_size, shuffle=split == "train", generator=generator)


def _save(obj: object, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    tmp.replace(path)


def _log(path: Path, rows: list[dict]) -> None:
    with path.open("a") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)


def run(config: Config, out: Path | None = None, resume: bool = False, on_event: Event | None = None,
        stop: threading.Event | None = None) -> list[dict]:
    """Train; returns one metrics dict per epoch. on_event receives step / epoch / done events; stop interrupts.

    With resume, an interrupted run in ``out`` continues from its last finished
    epoch with the same model, optimizer and random state, so the remaining
    epochs equal those of an uninterrupted run.
    """
    cfg = config.resolved()
    emit = on_event or (lambda event: None)
    device = pick_device(cfg.device)
    data = Path(cfg.data)
    generator = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    model = Tudui(cfg.arch).to(device)
    torch.backends.cudnn.benchmark = device.type == "cuda"  # fixed input shapes: let cuDNN pick its fastest kernels
    if cfg.recipe == "improved":
        model = model.to(memory_format=torch.channels_last)
        train_split = load_split(data, "train")
        mean, std = channel_stats(train_split.images)
        if cfg.subset:
            keep = torch.randperm(len(train_split.labels), generator=torch.Generator().manual_seed(0))[:cfg.subset]
            train_split = TensorSplit(train_split.images[keep], train_split.labels[keep], train_split.classes)
        train_data = TensorBatches(train_split, device, mean, std)
        test_data = TensorBatches(load_split(data, "test"), device, mean, std)
        classes = train_split.classes
        steps_per_epoch = len(train_data) // cfg.batch_size
        loss_fn = nn.CrossEntropyLoss(label_smoothing=IMPROVED["label_smoothing"])
    else:
        mean = std = None
        train_loader = course_loader(data, "train", cfg.batch_size, generator, cfg.subset)
        test_loader = course_loader(data, "test", cfg.batch_size, None, None)
        dataset = train_loader.dataset
        classes = getattr(dataset, "dataset", dataset).classes  # through Subset when --subset is given
        steps_per_epoch = len(train_loader)
        loss_fn = nn.CrossEntropyLoss()
    graph = device.type == "cuda" and cfg.recipe == "improved" and cfg.optimizer == "sgd"
    if cfg.optimizer == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    elif cfg.recipe == "improved":
        optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=IMPROVED["momentum"], nesterov=True,
                                    weight_decay=IMPROVED["weight_decay"], fused=graph or None)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    if steps_per_epoch == 0:
        raise TrainingError("too_few_images", images=len(train_data) if cfg.recipe == "improved" else
                            len(train_loader.dataset), batch=cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False) \
        if device.type == "cuda" and cfg.recipe == "improved" else torch.autocast("cpu", enabled=False)

    metrics: list[dict] = []
    start_epoch = 0
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        state = out / "resume.pt"
        if resume and state.is_file():
            saved = torch.load(state, weights_only=True, map_location=device)
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            for group in optimizer.param_groups:  # a graphed run saves it as a tensor
                group["lr"] = float(group["lr"])
            generator.set_state(saved["generator"].cpu())  # map_location moved it with the rest
            metrics, start_epoch = saved["metrics"], saved["epoch"]
        else:
            for stale in ("metrics.jsonl", "steps.jsonl"):
                (out / stale).unlink(missing_ok=True)
        (out / "config.json").write_text(json.dumps({**asdict(cfg), "key": config.key(), "classes": classes,
                                                      "mean": mean, "std": std, "device": device.type}, indent=2))

    def learn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with autocast:
            loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    if cfg.recipe == "improved":
        def learn_batch(*batch: torch.Tensor) -> torch.Tensor:
            return learn(*train_data.inputs(*batch))

        if graph:
            example = next(train_data.epoch(cfg.batch_size, torch.Generator().manual_seed(0)))
            learn_batch = cudagraph.graphed(learn_batch, example, model, optimizer)
    else:
        learn_batch = learn
    writer = _tensorboard(out)
    emit({"type": "start", "epochs": cfg.epochs, "total_steps": total_steps, "done_epochs": start_epoch,
          "device": device.type})

    step = start_epoch * steps_per_epoch
    for epoch in range(start_epoch + 1, cfg.epochs + 1):
        model.train()
        began, losses, step_rows, seen, pending = time.perf_counter(), [], [], 0, []
        reported = began
        batches = train_data.epoch(cfg.batch_size, generator) if cfg.recipe == "improved" else \
            ((x.to(device), y.to(device)) for x, y in train_loader)
        for batch in batches:
            if stop is not None and stop.is_set():
                emit({"type": "stopped", "epoch": epoch - 1})
                return metrics
            cudagraph.set_lr(optimizer, learning_rate(step, total_steps, cfg.lr, cfg.recipe))
            pending.append(learn_batch(*batch))
            step += 1
            seen += len(batch[0])
            if step % steps_per_epoch and time.perf_counter() - reported < REPORT_EVERY_S:
                continue
            for k, value in enumerate(torch.stack(pending).tolist(), start=step - len(pending) + 1):
                losses.append(value)
                step_rows.append({"step": k, "epoch": epoch, "loss": round(value, 5)})
                emit({"type": "step", "step": k, "total_steps": total_steps, "epoch": epoch, "loss": value})
                if writer is not None and k % 100 == 0:
                    writer.add_scalar("train_loss", value, k)
            pending, reported = [], time.perf_counter()
        train_seconds = time.perf_counter() - began
        test_loss, test_acc = evaluate(model, device, test_data.batches(1000) if cfg.recipe == "improved"
                                       else test_loader, autocast)
        row = {"epoch": epoch, "train_loss": round(sum(losses) / max(1, len(losses)), 5),
               "test_loss": round(test_loss, 5), "test_acc": round(test_acc, 5),
               "seconds": round(time.perf_counter() - began, 3),
               "images_per_s": round(seen / train_seconds, 1),
               "device": device.type, "lr": round(float(optimizer.param_groups[0]["lr"]), 6)}
        metrics.append(row)
        if out is not None:
            _save(model.state_dict(), out / f"epoch_{epoch:03d}.pth")
            _save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "generator": generator.get_state(),
                   "metrics": metrics, "epoch": epoch}, out / "resume.pt")
            _log(out / "metrics.jsonl", [row])
            _log(out / "steps.jsonl", step_rows)
        if writer is not None:
            writer.add_scalar("test_loss", test_loss, epoch)
            writer.add_scalar("test_accuracy", test_acc, epoch)
        emit({"type": "epoch", **row})
    if writer is not None:
        writer.close()
    emit({"type": "done", "epochs": len(metrics)})
    return metrics


@torch.no_grad()
def evaluate(model: nn.Module, device: torch.device, batches, autocast) -> tuple[float, float]:
    """Mean cross-entropy and accuracy over a test set."""
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for x, y in batches:
        x, y = x.to(device), y.to(device)
        with autocast:
            logits = model(x)
        total_loss += F.cross_entropy(logits.float(), y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
        n += len(y)
    return total_loss / n, correct / n


def _tensorboard(out: Path | None):
    """A SummaryWriter with the course's tags, where tensorboard is installed."""
    if out is None:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / "tensorboard"))


def _progress(event: dict, began: list[float]) -> None:
    """A progress bar with ETA on stderr."""
    if event["type"] == "start":
        began[:] = [time.perf_counter(), event["done_epochs"] / max(1, event["epochs"]) * event["total_steps"]]
    elif event["type"] == "step" and (event["step"] % 20 == 0 or event["step"] == event["total_steps"]):
        done, total = event["step"], event["total_steps"]
        rate = (done - began[1]) / max(1e-9, time.perf_counter() - began[0])
        eta = (total - done) / rate if rate > 0 else float("nan")
        bar = "█" * int(30 * done / total) + "·" * (30 - int(30 * done / total))
        print(f"\r[{bar}] {done}/{total} steps, epoch {event['epoch']}, loss {event['loss']:.3f}, "
              f"ETA {eta:5.0f} s", end="", file=sys.stderr, flush=True)
    elif event["type"] == "epoch":
        print(file=sys.stderr)
        print(json.dumps({k: event[k] for k in event if k != "type"}), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="CIFAR-10 root (cifar-10-batches-py) or a folder with "
                                                      "train/<class>/ and test/<class>/")
    parser.add_argument("--recipe", choices=list(RECIPES), default="improved")
    parser.add_argument("--arch", choices=ARCHITECTURES, default="course")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--batch-size", type=int, dest="batch_size")
    parser.add_argument("--optimizer", choices=["sgd", "adam"])
    parser.add_argument("--subset", type=int, help="train on this many images only (a quick CPU run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    parser.add_argument("--out", type=Path, help="run directory: config, metrics, a checkpoint per epoch")
    parser.add_argument("--resume", action="store_true", help="continue the stopped run in --out")
    args = vars(parser.parse_args(argv))
    out, resume = args.pop("out"), args.pop("resume")
    config = Config(**{f.name: args[f.name] for f in fields(Config)})
    began: list[float] = []
    run(config, out, resume, on_event=lambda e: _progress(e, began))


if __name__ == "__main__":
    main()
