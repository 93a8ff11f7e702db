"""The training engine: it learns, it resumes without losing or changing an epoch, it writes what it promises."""
import json
import subprocess
import time
from pathlib import Path

import pytest
import torch

from core import model
from core.data import batches
from core.data.discovery import Kind
from core.data.tensors import load_split
from core.training import runs, train
from core.training.events import EpochEnd, Phase, Progress, Stopped
from core.training.records import RunConfig

ROOT = Path(__file__).resolve().parent.parent

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
    assert metrics[-1].train_loss < metrics[0].train_loss
    assert metrics[-1].test_acc > 1 / 3
    filled = {k for k, v in metrics[0].to_json().items() if v is not None}
    assert {"epoch", "train_loss", "test_loss", "test_acc", "seconds", "images_per_s", "device"} <= filled


@pytest.mark.parametrize("device", DEVICES)
def test_resume_gives_the_same_epochs_as_an_uninterrupted_run(folder_dataset, tmp_path, device):
    straight = train.run(config(folder_dataset, device=device), tmp_path / "straight")
    stop = __import__("threading").Event()

    def stop_after_first_epoch(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            stop.set()

    interrupted = tmp_path / "interrupted"
    first = train.run(config(folder_dataset, device=device), interrupted, on_event=stop_after_first_epoch, stop=stop)
    assert [m.epoch for m in first] == [1]
    resumed = train.run(config(folder_dataset, device=device), interrupted, resume=True)
    assert [r.epoch for r in resumed] == [r.epoch for r in straight] == [1, 2, 3]
    tolerance = 0 if device == "cpu" else 1e-2  # exact on the CPU; cuDNN may sum in another order
    for key in ("train_loss", "test_loss", "test_acc"):
        assert [getattr(r, key) for r in resumed] == pytest.approx([getattr(r, key) for r in straight],
                                                                   rel=tolerance, abs=0)
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

    from core.training.jobs import Busy, Registry

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
    from core.training.jobs import Registry

    def broken(job):
        raise ValueError("no data here")

    job = Registry().start("x", broken)
    job.join(2)
    assert job.state == "failed" and str(job.error) == "no data here"


def test_training_job_writes_a_run_that_reloads(folder_dataset, tmp_path):
    from core.training import runs
    from core.training.jobs import Registry

    cfg = config(folder_dataset, epochs=2)
    job = Registry().start(cfg.key(), runs.training_work(cfg, tmp_path))
    job.join(60)
    assert job.state == "done" and job.done == job.total == 2 * (72 // 16)
    assert [e.epoch for e in job.snapshot() if isinstance(e, EpochEnd)] == [1, 2]
    (run,) = runs.all_runs(tmp_path)  # as after a server restart: from the run directory alone
    assert run.key == cfg.key() and run.complete and len(run.steps()) == job.total
    assert run.settings.resolved() == cfg.resolved() and run.checkpoint(2).is_file()


def test_a_subset_smaller_than_a_batch_is_refused_clearly(folder_dataset):
    with pytest.raises(train.TrainingError) as err:
        train.run(config(folder_dataset, batch_size=256))
    assert err.value.code == "too_few_images" and err.value.params == {"images": 72, "batch": 256}


# The fair queue ---------------------------------------------------------------------------------

def _waiting(release):
    def work(job):
        job.progress(1, 10)
        while not job.stop_event.is_set() and not release.is_set():
            time.sleep(0.01)
    return work


def test_queue_joins_identical_configs_and_keeps_order_and_place():
    import threading

    from core.training.jobs import JobState, Registry

    release = threading.Event()
    registry = Registry(max_running=1, max_queued=8)
    first = registry.submit("a", _waiting(release), owner="ann", estimate=60)
    second = registry.submit("b", _waiting(release), owner="bob", estimate=120)
    third = registry.submit("c", _waiting(release), owner="cy", estimate=30)
    assert registry.submit("b", _waiting(release), owner="dee") is second   # same settings: joins, no new job
    assert first.state == JobState.RUNNING and second.state == third.state == JobState.QUEUED
    assert [registry.position(j) for j in (first, second, third)] == [None, 1, 2]
    first.eta_source = lambda: 50.0
    assert registry.expected_start(second) == 50 and registry.expected_start(third) == 50 + 120
    first.stop("ann")
    first.join(2)
    for _ in range(100):
        if second.running:
            break
        time.sleep(0.01)
    assert second.running and registry.position(third) == 1, "the next in line starts when a job ends"
    release.set()
    for job in (second, third):
        for _ in range(200):
            if job.state == JobState.DONE:
                break
            time.sleep(0.01)
    assert second.state == third.state == JobState.DONE


def test_only_the_owner_may_stop_or_cancel():
    import threading

    from core.training.jobs import JobState, Registry

    release = threading.Event()
    registry = Registry(max_running=1)
    running = registry.submit("a", _waiting(release), owner="ann")
    waiting = registry.submit("b", _waiting(release), owner="bob")
    assert not running.stop("bob") and not running.stop_event.is_set()      # a watcher cannot stop it
    assert not registry.cancel(waiting, "ann") and waiting.waiting           # nor cancel someone else's place
    assert registry.cancel(waiting, "bob") and waiting.state == JobState.CANCELLED
    assert registry.queued() == [] and registry.position(waiting) is None
    assert running.stop("ann")
    running.join(2)
    assert running.state == JobState.STOPPED


def test_the_queue_is_bounded():
    import threading

    from core.training.jobs import QueueFull, Registry

    release = threading.Event()
    registry = Registry(max_running=1, max_queued=2)
    jobs = [registry.submit(k, _waiting(release)) for k in "abc"]
    with pytest.raises(QueueFull) as full:
        registry.submit("d", _waiting(release))
    assert full.value.size == 2 and registry.submit("c", _waiting(release)) is jobs[2]  # joining is always allowed
    release.set()
    for job in jobs:
        job.join(2)


# Crash-safe run folders ---------------------------------------------------------------------------

def test_a_torn_metrics_line_is_skipped_and_counted(folder_dataset, tmp_path):
    from core.training import runs

    out = tmp_path / "runs" / "x"
    train.run(config(folder_dataset, epochs=1, arch="course"), out)
    with (out / "metrics.jsonl").open("a") as f:
        f.write('{"epoch": 2, "train_lo')                 # a kill in the middle of an append
    run = runs.load(out)
    assert [m.epoch for m in run.metrics] == [1] and run.damaged == 1


def test_resume_repairs_metrics_that_ran_ahead_or_behind_resume_state(folder_dataset, tmp_path):
    out = tmp_path / "run"
    straight = train.run(config(folder_dataset, epochs=2), tmp_path / "straight")
    train.run(config(folder_dataset, epochs=2), out, on_event=lambda e: None)
    lines = (out / "metrics.jsonl").read_text().splitlines()
    state = torch.load(out / "resume.pt", weights_only=True)
    state["epoch"], state["metrics"] = 1, state["metrics"][:1]          # as if killed before epoch 2's commit
    torch.save(state, out / "resume.pt")
    (out / "metrics.jsonl").write_text("\n".join(lines) + "\n" + lines[1] + "\n")   # … and a duplicate line
    resumed = train.run(config(folder_dataset, epochs=2), out, resume=True)
    assert [json.loads(x)["epoch"] for x in (out / "metrics.jsonl").read_text().splitlines()] == [1, 2]
    assert [r.test_acc for r in resumed] == [r.test_acc for r in straight]


def test_killed_at_random_moments_the_run_loses_and_repeats_no_epoch(tmp_path):
    """SIGKILL at random points (KILLS, default 3; benchmarks/kill_resume.py runs 20)."""
    import os
    import sys

    from conftest import make_folder_dataset

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from kill_resume import kill_until_done, straight_run

    data = make_folder_dataset(tmp_path / "tiny", per_class=(48, 8))
    straight_run(data, tmp_path / "warm", 3)                 # the timed run below reads the tensor cache, as all kills do
    whole = straight_run(data, tmp_path / "straight", 3)
    attempts = kill_until_done(data, tmp_path / "killed", 3, int(os.environ.get("KILLS", 3)), window=(0.3 * whole, whole))
    assert attempts[-1]["returncode"] == 0
    straight = runs.load(tmp_path / "straight").metrics
    killed = runs.load(tmp_path / "killed")
    assert [m.epoch for m in killed.metrics] == [1, 2, 3] and killed.damaged == 0
    assert [m.test_acc for m in killed.metrics] == [m.test_acc for m in straight]
    assert [m.train_loss for m in killed.metrics] == [m.train_loss for m in straight]
    assert len(killed.steps()) == 3 * (144 // 8)


def test_retention_keeps_the_newest_runs_within_the_size_cap_and_never_a_busy_one(tmp_path):
    import os

    from core.training.rundir import RunDir, RunState

    for i in range(6):
        folder = RunDir(tmp_path / f"run{i}")
        folder.create(RunConfig(config("data", epochs=1).resolved(), f"run{i}"))
        (folder.path / "epoch_001.pth").write_bytes(b"x" * 400_000)
        os.utime(folder.path / "config.json", (1000 + i, 1000 + i))
    RunDir(tmp_path / "run0").set_state(RunState.TRAINING)          # the oldest is training: it stays
    removed = runs.prune(tmp_path, protect=frozenset({"run1"}), keep=3, max_mb=100)   # run1: queued, say
    assert removed == ["run2", "run3", "run4"] and sorted(p.name for p in tmp_path.iterdir()) == ["run0", "run1", "run5"]
    removed = runs.prune(tmp_path, keep=100, max_mb=1.0)           # 3 × 0.4 MB: over 1 MB
    assert removed == ["run1"] and runs.size_mb(tmp_path) <= 1.0   # the oldest, run0, is training: it stays


def test_after_a_restart_an_interrupted_run_resumes_by_itself(folder_dataset, tmp_path):
    from core.training.jobs import Registry
    from core.training.rundir import RunDir, RunState

    cfg = config(folder_dataset, epochs=2)
    out = tmp_path / cfg.key()
    stop = __import__("threading").Event()
    train.run(cfg, out, on_event=lambda e: stop.set() if isinstance(e, EpochEnd) else None, stop=stop)
    RunDir(out).set_state(RunState.TRAINING, owner="ann")          # the server died while it trained
    (run,) = runs.interrupted(tmp_path)
    job = Registry().submit(run.key, runs.training_work(run.settings, tmp_path, owner="ann"), owner="ann")
    job.join(60)
    assert [m.epoch for m in runs.load(out).metrics] == [1, 2] and RunDir(out).state().state == RunState.DONE
    assert runs.interrupted(tmp_path) == []


# Honest engine: no process-wide state, writer closed, phases reported --------------------------------

def test_a_run_leaves_the_global_seed_and_backend_flags_alone(folder_dataset, monkeypatch):
    closed = []

    class Writer:
        def add_scalar(self, *args):
            pass

        def close(self):
            closed.append(True)

    monkeypatch.setattr(train, "_tensorboard", lambda out: Writer())
    before, flag = torch.random.get_rng_state(), torch.backends.cudnn.benchmark
    stop = __import__("threading").Event()
    events = []
    train.run(config(folder_dataset, epochs=3), on_event=lambda e: (events.append(e), stop.set()
              if isinstance(e, EpochEnd) else None), stop=stop)
    assert torch.equal(torch.random.get_rng_state(), before) and torch.backends.cudnn.benchmark == flag
    assert closed == [True], "the TensorBoard writer is closed on stop"
    phases = [e.phase for e in events if isinstance(e, Progress)]
    assert phases[0] == Phase.PREPARING and Phase.TRAINING in phases and Phase.TESTING in phases
    assert Phase.SAVING in phases and isinstance(events[-1], Stopped)


def test_the_model_is_the_same_as_seeding_torch_would_build(folder_dataset):
    torch.manual_seed(7)
    expected = model.Tudui("bn_relu").state_dict()
    built = model.build("bn_relu", torch.Generator().manual_seed(7)).state_dict()
    assert list(built) == list(expected) and all(torch.equal(built[k], expected[k]) for k in expected)


@pytest.mark.parametrize("recipe", ["course", "improved", "fast"])
def test_each_generated_script_prints_the_engines_first_epoch(folder_dataset, tmp_path, recipe):
    import re
    import sys

    from core.training import scripts

    cfg = config(folder_dataset, recipe=recipe, arch="course", epochs=1, subset=60 if recipe == "course" else None,
                 lr=None).resolved()
    (row,) = train.run(cfg)
    script = tmp_path / "train_script.py"
    script.write_text(scripts.generate(cfg, str(folder_dataset), Kind.FOLDER), encoding="utf-8")
    assert "from core" not in script.read_text() and "import core" not in script.read_text()
    printed = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr[-2000:]
    numbers = [float(x) for x in re.findall(r"\d+\.\d+", printed.stdout)]   # the labels are in the learner's language
    assert numbers, printed.stdout
    assert [numbers[0], numbers[1], numbers[-1]] == pytest.approx(
        [row.train_loss, row.test_loss, row.test_acc], abs=1e-4)
    assert (tmp_path / "tudui_1.pth").is_file()
    if recipe == "course":   # its TensorBoard test_loss is the run's mean per image; the course's sum is named apart
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        logged = EventAccumulator(str(tmp_path / "logs_train"))
        logged.Reload()
        assert logged.Scalars("test_loss")[-1].value == pytest.approx(row.test_loss, abs=1e-4)
        assert logged.Scalars("total_test_loss")[-1].value == pytest.approx(row.test_loss_sum, abs=1e-2)


def test_the_eta_counts_test_passes_and_saving_not_just_steps(monkeypatch):
    from core.training import tracker as tracking
    from core.training.events import Started, Step

    clock = [0.0]
    monkeypatch.setattr(tracking.time, "perf_counter", lambda: clock[0])
    t = tracking.Tracker()
    t.update(Progress(Phase.PREPARING, 0, 0, 100))
    clock[0] = 5.0   # decoding is not training: it does not count in the step rate
    t.update(Started(epochs=2, steps_per_epoch=10, done_epochs=0, device="cpu", train_images=1000, test_images=300))
    t.update(Progress(Phase.TRAINING, 1, 0, 10))
    for step in range(1, 11):          # 1 s per step of 100 images
        clock[0] += 1.0
        t.update(Step(step, 20, 1, 2.0))
    assert t.eta() == pytest.approx(10 * 1.0 + 2 * 300 * 0.01 / 3 + 2 * tracking.SAVE_GUESS_S)
    t.update(Progress(Phase.TESTING, 1, 0, 300))
    clock[0] += 6.0                    # the test pass is slower than guessed: 300 images in 6 s
    t.update(Progress(Phase.TESTING, 1, 300, 300))
    t.update(Progress(Phase.SAVING, 1))
    clock[0] += 1.0                    # saving took 1 s
    t.update(Progress(Phase.TRAINING, 2, 0, 10))
    assert t.eta() == pytest.approx(10 * 1.0 + 300 * 0.02 + 1 * 1.0)
    assert t.phase == Phase.TRAINING and t.resumed_from == 0


def test_a_queued_job_is_estimated_from_earlier_runs_of_the_same_kind(folder_dataset, tmp_path):
    cfg = config(folder_dataset, epochs=2, subset=48)
    assert runs.estimate_seconds(cfg, tmp_path) is None          # nothing to go by yet
    train.run(cfg, tmp_path / cfg.key())
    per_epoch = sum(m.seconds for m in runs.load(tmp_path / cfg.key()).metrics) / 2
    assert runs.estimate_seconds(config(folder_dataset, epochs=6, subset=24), tmp_path) == pytest.approx(
        per_epoch * 0.5 * 6)
    assert runs.estimate_seconds(config(folder_dataset, epochs=2, recipe="course"), tmp_path) is None


def test_a_net_that_predicts_past_a_small_sets_classes_keeps_its_insight(tmp_path):
    """CIFAR10-quick has 10 outputs; on a 3-class folder set it may answer #7. The epoch's insight must not break."""
    from core.training import insight
    from core.training.rundir import RunDir

    net = model.build("course", torch.Generator().manual_seed(0))
    labels, predicted = torch.tensor([0, 1, 2, 2, 1]), torch.tensor([0, 7, 2, 9, 1])
    images = torch.zeros(2, 3, 32, 32, dtype=torch.uint8)
    sure = torch.tensor([0.9, 0.6, 0.8, 0.5, 0.7])
    seen = insight.snapshot(1, net, images, [0, 3], labels, predicted, sure, sure / 2, ["cat", "dog", "ship"])
    assert seen.confusion.shape == (10, 10)  # up to the highest answer, #9
    assert seen.confusion[1, 7] == 1 and seen.confusion[2, 9] == 1 and seen.confusion.sum() == 5
    run = RunDir(tmp_path / "run")
    run.path.mkdir()
    torch.save(seen.to_saved(), run.path / "insight.pt")
    assert run.insight() is not None and run.insight().predicted.tolist() == [0, 9]
    assert insight.behind(run.insight().cells, 2, 9) == [(3, 0.5, 0.25)]  # the cell past the classes opens its image
