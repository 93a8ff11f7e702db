"""The training engine: it learns, it resumes without losing or changing an epoch, it writes what it promises."""
import json
import time

import pytest
import torch

from core import batches, model, train
from core.data import load_split
from core.events import EpochEnd

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def config(data, **overrides):
    return train.Config(data=str(data), **{"recipe": "improved", "arch": "bn_relu", "epochs": 3, "batch_size": 16,
                                           "lr": 0.05, "device": "cpu", **overrides})


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("recipe,arch", [("improved", "bn_relu"), ("course", "course")])
def test_a_tiny_run_lowers_the_loss(folder_dataset, recipe, arch, device):
    epochs = 6 if recipe == "course" else 3
    metrics = train.run(config(folder_dataset, recipe=recipe, arch=arch, epochs=epochs, device=device,
                               lr=0.05 if recipe == "improved" else 0.02))
    assert len(metrics) == epochs
    assert metrics[-1]["train_loss"] < metrics[0]["train_loss"]
    assert metrics[-1]["test_acc"] > 1 / 3
    assert {"epoch", "train_loss", "test_loss", "test_acc", "seconds", "images_per_s", "device"} <= set(metrics[0])


@pytest.mark.parametrize("device", DEVICES)
def test_resume_gives_the_same_epochs_as_an_uninterrupted_run(folder_dataset, tmp_path, device):
    straight = train.run(config(folder_dataset, device=device), tmp_path / "straight")
    stop = __import__("threading").Event()

    def stop_after_first_epoch(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            stop.set()

    interrupted = tmp_path / "interrupted"
    first = train.run(config(folder_dataset, device=device), interrupted, on_event=stop_after_first_epoch, stop=stop)
    assert [m["epoch"] for m in first] == [1]
    resumed = train.run(config(folder_dataset, device=device), interrupted, resume=True)
    assert [r["epoch"] for r in resumed] == [r["epoch"] for r in straight] == [1, 2, 3]
    tolerance = 0 if device == "cpu" else 1e-2  # exact on the CPU; cuDNN may sum in another order
    for key in ("train_loss", "test_loss", "test_acc"):
        assert [r[key] for r in resumed] == pytest.approx([r[key] for r in straight], rel=tolerance, abs=0)
    lines = (interrupted / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]


def test_run_directory_holds_course_style_checkpoints(folder_dataset, tmp_path):
    out = tmp_path / "run"
    train.run(config(folder_dataset, epochs=2, arch="course"), out)
    assert sorted(p.name for p in out.glob("epoch_*.pth")) == ["epoch_001.pth", "epoch_002.pth"]
    state = torch.load(out / "epoch_002.pth", weights_only=True)
    assert list(state)[0] == "model.0.weight" and list(state)[-1] == "model.8.bias"
    net = model.Tudui("course")
    net.load_state_dict(state)  # loads into the course's own class
    saved = json.loads((out / "config.json").read_text())
    assert saved["classes"] == ["cat", "dog", "ship"] and len(saved["mean"]) == 3
    steps = (out / "steps.jsonl").read_text().splitlines()
    assert len(steps) == 2 * (72 // 16)


def test_same_settings_same_key(folder_dataset):
    assert config(folder_dataset).key() == config(folder_dataset).key()
    assert config(folder_dataset).key() != config(folder_dataset, lr=0.1).key()
    assert train.Config(data="x", recipe="course").resolved().batch_size == 64


def test_batch_augmentation_crops_and_flips_like_torchvision():
    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
    shifts, flips = batches.augmentation_draws(torch.Generator().manual_seed(0), batches=1, size=2, pad=2)
    out = batches.augment(x, shifts, flips, pad=2)
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2), mode="reflect")
    for b in range(2):  # every augmented image is some 8×8 window of the padded image, maybe mirrored
        windows = [padded[b, :, i:i + 8, j:j + 8] for i in range(5) for j in range(5)]
        assert any(torch.equal(out[b], w) or torch.equal(out[b], w.flip(2)) for w in windows)


def test_tensor_cache_is_reused(folder_dataset):
    first = load_split(folder_dataset, "train")
    cached = list((folder_dataset / ".tensor-cache").glob("train-*.pt"))
    assert len(cached) == 1 and first.images.shape == (72, 3, 32, 32) and first.images.dtype == torch.uint8
    again = load_split(folder_dataset, "train")
    assert torch.equal(first.images, again.images) and first.classes == again.classes == ["cat", "dog", "ship"]


def test_registry_same_key_attaches_cap_and_stop():
    import threading

    from core.jobs import Busy, Registry

    release = threading.Event()

    def slow(job):
        job.progress(1, 10)
        while not job.stop_event.is_set() and not release.is_set():
            time.sleep(0.01)

    registry = Registry(max_running=1)
    first = registry.start("a", slow)
    assert registry.start("a", slow) is first  # a second click, or a second visitor
    with pytest.raises(Busy) as busy:
        registry.start("b", slow)
    assert busy.value.running is first
    first.stop()
    first.join(2)
    assert first.state == "stopped" and registry.running() == []
    second = registry.start("b", slow)
    release.set()
    second.join(2)
    assert second.state == "done"


def test_a_failing_job_keeps_its_error():
    from core.jobs import Registry

    def broken(job):
        raise ValueError("no data here")

    job = Registry().start("x", broken)
    job.join(2)
    assert job.state == "failed" and str(job.error) == "no data here"


def test_training_job_writes_a_run_that_reloads(folder_dataset, tmp_path):
    from core import runs
    from core.jobs import Registry

    cfg = config(folder_dataset, epochs=2)
    job = Registry().start(cfg.key(), runs.training_work(cfg, tmp_path))
    job.join(60)
    assert job.state == "done" and job.done == job.total == 2 * (72 // 16)
    assert [e.epoch for e in job.snapshot() if isinstance(e, EpochEnd)] == [1, 2]
    (run,) = runs.all_runs(tmp_path)  # as after a server restart: from the run directory alone
    assert run.key == cfg.key() and run.complete and len(run.steps()) == job.total
    assert run.as_config().resolved() == cfg.resolved() and run.checkpoint(2).is_file()


def test_a_subset_smaller_than_a_batch_is_refused_clearly(folder_dataset):
    with pytest.raises(train.TrainingError) as err:
        train.run(config(folder_dataset, batch_size=256))
    assert err.value.code == "too_few_images" and err.value.params == {"images": 72, "batch": 256}
