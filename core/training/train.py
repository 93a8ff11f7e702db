"""Training CIFAR10-quick: the course's loop, kept for comparison, and the same network trained well and fast.

    python -m core.training.train --data data/cifar10-jpg --recipe fast --device cpu --out runs/fast

The recipes (core.training.recipes) say how to feed, optimise, schedule, score and test;
this module runs any of them the same way: one epoch = train + test + save,
each phase reported as an event (core.training.events), everything needed to resume
without losing an epoch written to the run folder (core.training.rundir).
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from core.errors import CodedError, ErrorKind
from core.model import ARCHITECTURES, build
from core.training import cudagraph, inside, insight
from core.training.events import EpochEnd, Finished, Listener, Phase, Progress, Started, Step, Stopped
from core.training.recipes import RECIPES, Feed, Improved, Recipe, RecipeName
from core.training.records import Config, MetricsRow, RunConfig
from core.training.rundir import RunDir

IMPROVED = {k: getattr(Improved(), k) for k in ("momentum", "weight_decay", "label_smoothing", "warmup", "pad")}
REPORT_EVERY_S = 0.25  # step losses are read back in groups: reading one waits for the accelerator to finish
COURSE_TEST_BATCH = 64  # the course's test DataLoader: its "total test loss" sums one mean per batch of 64


class TrainingError(CodedError, ValueError):
    """Settings that cannot train."""

    kind = ErrorKind.TRAINING


def pick_device(name: str = "auto") -> torch.device:
    """auto: CUDA, then Apple MPS, then the CPU."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def configure_backends() -> None:
    """Process-wide settings, once at start-up (never from a run: other threads share them).

    Inputs have fixed shapes, so cuDNN may time its kernels once and keep the fastest.
    """
    torch.backends.cudnn.benchmark = True


def run(config: Config, out: Path | None = None, resume: bool = False, on_event: Listener | None = None,
        stop: threading.Event | None = None) -> list[MetricsRow]:
    """Train; returns one metrics row per epoch. on_event receives core.training.events; stop interrupts after a step.

    With resume, an interrupted run in ``out`` continues from its last finished
    epoch with the same model, optimizer and random state, so the remaining
    epochs equal those of an uninterrupted run.
    """
    cfg = config.resolved()
    recipe = RECIPES[cfg.recipe]
    emit = on_event or (lambda event: None)
    stop = stop or threading.Event()
    device = pick_device(cfg.device)
    generator = torch.Generator().manual_seed(cfg.seed)
    emit(Progress(Phase.PREPARING))
    feed = recipe.feed(Path(cfg.data), cfg.batch_size, cfg.subset, device, generator,
                       lambda done, total, cached: emit(Progress(Phase.PREPARING, 0, done, total, cached)))
    if feed.steps_per_epoch == 0:
        raise TrainingError("too_few_images", images=feed.train_size, batch=cfg.batch_size)
    model = recipe.prepare_model(build(cfg.arch, torch.Generator().manual_seed(cfg.seed)).to(device), feed)
    graph = recipe.graphable(device, cfg.optimizer)
    optimizer = recipe.make_optimizer(model, cfg.optimizer, cfg.lr, fused=graph)
    loss_fn, autocast = recipe.loss(), recipe.autocast(device)
    folder = RunDir(out) if out is not None else None
    metrics: list[MetricsRow] = []
    if folder is not None:
        folder.path.mkdir(parents=True, exist_ok=True)
        saved = folder.load_resume(device) if resume else folder.clear()
        if saved:
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            for group in optimizer.param_groups:  # a graphed run saves it as a tensor
                group["lr"] = float(group["lr"])
            generator.set_state(saved["generator"].cpu())  # map_location moved it with the rest
            if feed.tensors is not None:
                feed.tensors.restore_flips(saved.get("flips"))
            metrics = saved["metrics"]
        folder.create(RunConfig(replace(cfg, device=device.type), config.key(), feed.classes, feed.mean, feed.std))
    start_epoch = len(metrics)
    total_steps = feed.steps_per_epoch * cfg.epochs

    def learn(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with autocast:
            loss = loss_fn(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def learn_batch(*batch: torch.Tensor) -> torch.Tensor:
        return learn(*feed.inputs(*batch))

    if graph:
        flips = feed.tensors.flip_state() if feed.tensors is not None else None
        example = next(feed.epoch(torch.Generator().manual_seed(0)))
        if feed.tensors is not None:   # the example batch must not count as an epoch of alternating flips
            feed.tensors.restore_flips(flips)
        learn_batch = cudagraph.graphed(learn_batch, example, model, optimizer)
    grid = insight.grid_indices(feed.test_size)
    grid_images = feed.sample(grid)
    probe = inside.probe_indices(feed.test_size)
    probe_x = feed.normalise(feed.sample(probe)).to(device)
    writer = _tensorboard(out)
    emit(Started(cfg.epochs, feed.steps_per_epoch, start_epoch, device.type, feed.train_size, feed.test_size))
    try:
        step = start_epoch * feed.steps_per_epoch
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            model.train()
            before = inside.weights_of(model)
            began, losses, step_rows, seen, pending = time.perf_counter(), [], [], 0, []
            reported = began
            emit(Progress(Phase.TRAINING, epoch, 0, feed.steps_per_epoch))
            for batch in feed.epoch(generator):
                if stop.is_set():
                    emit(Stopped(epoch - 1))
                    return metrics
                cudagraph.set_lr(optimizer, recipe.learning_rate(step, total_steps, cfg.lr))
                pending.append(learn_batch(*batch))
                step += 1
                seen += len(batch[0])
                if step % feed.steps_per_epoch and time.perf_counter() - reported < REPORT_EVERY_S:
                    continue
                for k, value in enumerate(torch.stack(pending).tolist(), start=step - len(pending) + 1):
                    losses.append(value)
                    step_rows.append({"step": k, "epoch": epoch, "loss": round(value, 5)})
                    emit(Step(k, total_steps, epoch, value))
                    if writer is not None and k % 100 == 0:
                        writer.add_scalar("train_loss", value, k)
                pending, reported = [], time.perf_counter()
            train_seconds = time.perf_counter() - began
            tested = evaluate(model, recipe, feed, autocast, stop,
                              lambda done, epoch=epoch: emit(Progress(Phase.TESTING, epoch, done, feed.test_size)))
            if tested is None:
                emit(Stopped(epoch - 1))
                return metrics
            image_losses, predicted, labels, confidence = tested
            course_batch = cfg.batch_size if recipe.name == RecipeName.COURSE else COURSE_TEST_BATCH
            test_acc = (predicted == labels).float().mean().item()
            row = MetricsRow(
                epoch=epoch, train_loss=round(sum(losses) / max(1, len(losses)), 5),
                test_loss=round(image_losses.mean().item(), 5),
                test_loss_sum=round(sum(c.mean().item() for c in image_losses.split(course_batch)), 3),
                test_loss_sum_batch=course_batch, test_acc=round(test_acc, 5),
                seconds=round(time.perf_counter() - began, 3), train_seconds=round(train_seconds, 3),
                images_per_s=round(seen / train_seconds, 1),
                device=device.type, lr=round(float(optimizer.param_groups[0]["lr"]), 6),
                layers=inside.as_rows(inside.layer_stats(model, probe_x, labels[probe].to(device), before)))
            metrics = [*metrics, row]
            emit(Progress(Phase.SAVING, epoch))
            if folder is not None:
                state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                         "generator": generator.get_state(), "metrics": metrics, "epoch": epoch}
                if feed.tensors is not None and feed.tensors.flip_state() is not None:
                    state["flips"] = feed.tensors.flip_state()
                folder.commit_epoch(model.state_dict(), state, step_rows,
                                    insight.snapshot(epoch, model, grid_images, grid, labels, predicted,
                                                     confidence, image_losses.neg().exp(), feed.classes))
            if writer is not None:
                writer.add_scalar("test_loss", row.test_loss, epoch)
                writer.add_scalar("test_accuracy", test_acc, epoch)
            emit(EpochEnd(row))
        emit(Finished(len(metrics)))
        return metrics
    finally:
        if writer is not None:
            writer.close()


@torch.no_grad()
def evaluate(model: nn.Module, recipe: Recipe, feed: Feed, autocast, stop: threading.Event,
             report) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor] | None:
    """Each test image's cross-entropy and predicted class, with the labels, and the softmax probability of the class
    predicted (the insight's confusion cells open their images, the most confident first); None if stopped midway."""
    model.eval()
    losses, predicted, labels, confidence, done = [], [], [], [], 0
    for x, y in feed.test():
        if stop.is_set():
            return None
        x, y = x.to(next(model.parameters()).device), y.to(next(model.parameters()).device)
        with autocast:
            logits = recipe.predict(model, x).float()
        losses.append(F.cross_entropy(logits, y, reduction="none").cpu())
        guess = logits.argmax(1)
        predicted.append(guess.cpu())
        confidence.append(logits.softmax(1).gather(1, guess[:, None])[:, 0].cpu())
        labels.append(y.cpu())
        done += len(y)
        report(done)
    return torch.cat(losses), torch.cat(predicted), torch.cat(labels), torch.cat(confidence)


def _tensorboard(out: Path | None):
    """A SummaryWriter with the course's tags, where tensorboard is installed."""
    if out is None:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(RunDir(out).tensorboard))


class ProgressBar:
    """A progress bar with ETA on stderr, one JSON line per epoch on stdout."""

    def __init__(self) -> None:
        self.began, self.baseline = time.perf_counter(), 0

    def __call__(self, event) -> None:
        if isinstance(event, Started):
            self.began, self.baseline = time.perf_counter(), event.done_epochs * event.steps_per_epoch
            if event.done_epochs:
                print(f"resuming from epoch {event.done_epochs + 1}", file=sys.stderr)
        elif isinstance(event, Progress) and event.phase == Phase.PREPARING and event.total:
            note = " (cached)" if event.cached else ""
            print(f"\rpreparing the data: {event.done}/{event.total} images{note}", end="", file=sys.stderr)
        elif isinstance(event, Step) and (event.step % 20 == 0 or event.step == event.total_steps):
            done, total = event.step, event.total_steps
            rate = (done - self.baseline) / max(1e-9, time.perf_counter() - self.began)
            eta = (total - done) / rate if rate > 0 else float("nan")
            bar = "█" * int(30 * done / total) + "·" * (30 - int(30 * done / total))
            print(f"\r[{bar}] {done}/{total} steps, epoch {event.epoch}, loss {event.loss:.3f}, "
                  f"ETA {eta:5.0f} s", end="", file=sys.stderr, flush=True)
        elif isinstance(event, EpochEnd):
            print(file=sys.stderr)
            print(json.dumps(event.row.to_json()), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="CIFAR-10 root (cifar-10-batches-py) or a folder with "
                                                      "train/<class>/ and test/<class>/")
    parser.add_argument("--recipe", choices=list(RECIPES), default=RecipeName.IMPROVED)
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
    configure_backends()
    run(config, out, resume, on_event=ProgressBar())


if __name__ == "__main__":
    main()
