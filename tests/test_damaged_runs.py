"""A runs/ folder however damaged: every page still opens, damaged runs are skipped or noted, and retention still
bounds the disk. One real finished run is copied and broken in each way a kill, a full disk, an older app or a
hand edit can break it."""
import json
import os
import shutil

import pytest
import torch

from core import preload
from core.errors import explain
from core.training import runs, train
from core.training.rundir import RunDir, RunState
from ui.training import trainings

from conftest import make_folder_dataset
from pagetest import open_page


def _edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _rewrite_lines(path, change):
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(change(r)) + "\n" for r in rows))


DAMAGE = {
    "config_missing_data_while_training": lambda p: (_edit_json(p / "config.json",
                                                                lambda c: [c.pop("data"), c.update(epochs=2)]),
                                                     RunDir(p).set_state(RunState.TRAINING, "ann")),
    "config_wrong_types": lambda p: _edit_json(p / "config.json", lambda c: c.update(lr="fast", epochs="3")),
    "config_unknown_recipe": lambda p: _edit_json(p / "config.json", lambda c: c.update(recipe="magic")),
    "config_bad_classes": lambda p: _edit_json(p / "config.json", lambda c: c.update(classes=[1, 2], mean=[0.5])),
    "config_not_json": lambda p: (p / "config.json").write_bytes(b"\x00{not json"),
    "config_a_list": lambda p: (p / "config.json").write_text("[1, 2, 3]"),
    "metrics_missing_fields": lambda p: _rewrite_lines(p / "metrics.jsonl", lambda r: {"epoch": r["epoch"],
                                                                                     "test_acc": r["test_acc"]}),
    "metrics_torn_and_foreign": lambda p: (p / "metrics.jsonl").write_text('[1]\n"x"\n{"epoch": true}\n{"epo'),
    "steps_foreign": lambda p: (p / "steps.jsonl").write_text('{"step": "a", "loss": 1}\n[]\n{"loss": null}\n'),
    "insight_foreign": lambda p: torch.save({"images": torch.zeros(2), "classes": "cat"}, p / "insight.pt"),
    "insight_bad_labels": lambda p: _break_insight_labels(p / "insight.pt"),
    "insight_torn": lambda p: (p / "insight.pt").write_bytes((p / "insight.pt").read_bytes()[:100]),
    "state_garbage": lambda p: (p / "state.json").write_text("{{{"),
    "checkpoint_missing": lambda p: [f.unlink() for f in p.glob("epoch_*.pth")],
    "empty_folder": lambda p: [shutil.rmtree(p), p.mkdir()],
}


def _break_insight_labels(path):
    seen = torch.load(path, weights_only=True)
    seen["labels"] = seen["labels"] + 99
    torch.save(seen, path)


@pytest.fixture(scope="module")
def damaged_runs(tmp_path_factory):
    """The data set, a good finished run and one copy of it broken in each way of DAMAGE."""
    base = tmp_path_factory.mktemp("damaged")
    data = make_folder_dataset(base / "data" / "pets")
    root = base / "runs"
    config = train.Config(data=str(data), recipe="improved", arch="course", epochs=1, batch_size=16, lr=0.05,
                          device="cpu")
    good = root / config.key()
    train.run(config, good)
    RunDir(good).set_state(RunState.DONE)
    for name, damage in DAMAGE.items():
        shutil.copytree(good, root / name)
        damage(root / name)
    return base, good


def test_damaged_runs_are_skipped_or_their_rows_noted(damaged_runs):
    base, good = damaged_runs
    found = {r.path.name: r for r in runs.all_runs(base / "runs")}
    for skipped in ("config_missing_data_while_training", "config_wrong_types", "config_unknown_recipe",
                    "config_bad_classes", "config_not_json", "config_a_list", "empty_folder"):
        assert skipped not in found
    assert found["metrics_missing_fields"].metrics == [] and found["metrics_missing_fields"].damaged == 1
    assert found["metrics_torn_and_foreign"].metrics == [] and found["metrics_torn_and_foreign"].damaged == 4
    assert found["steps_foreign"].steps() == [] and found[good.name].steps()
    assert RunDir(base / "runs" / "insight_foreign").insight() is None
    assert RunDir(base / "runs" / "insight_bad_labels").insight() is None
    assert RunDir(base / "runs" / "insight_torn").insight() is None
    assert RunDir(good).insight() is not None
    assert runs.interrupted(base / "runs") == []      # the one marked training cannot be rebuilt: not resumed


def test_retention_removes_unreadable_folders_too(damaged_runs, tmp_path):
    base, good = damaged_runs
    root = tmp_path / "runs"
    shutil.copytree(base / "runs", root)
    os.utime(root / good.name / "config.json")           # the newest
    removed = runs.prune(root, keep=1, max_mb=1000)
    assert good.name not in removed and sorted(p.name for p in root.iterdir()) == [good.name]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["home", "train", "classify"])
def test_every_page_opens_over_damaged_runs(damaged_runs, page, lang, monkeypatch):
    base, _ = damaged_runs
    monkeypatch.setenv("DATA_DIR", str(base / "data"))
    monkeypatch.setenv("RUNS_DIR", str(base / "runs"))
    preload.wait()
    trainings.clear()     # as a fresh server would: the entry reads runs/ for interrupted runs on the first visit
    try:
        at = open_page(page, lang, dataset="pets")
    finally:
        trainings.clear()
    shown = " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info))
    assert str(base) not in shown


def test_a_run_that_cannot_write_its_files_says_so_without_paths(tmp_path, monkeypatch):
    import errno

    from core.training import rundir
    from core.training.jobs import Registry

    data = make_folder_dataset(tmp_path / "data")
    config = train.Config(data=str(data), recipe="improved", epochs=1, batch_size=16, device="cpu")

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(rundir, "write_atomic", full_disk)
    job = Registry().submit(config.key(), runs.training_work(config, tmp_path / "runs"))
    job.join(60)
    assert isinstance(job.error, train.TrainingError) and job.error.code == "disk"
    message = explain(job.error, "en")
    assert "could not read or write" in message and "No space left on device" in message
    assert str(tmp_path) not in message


def test_a_run_folder_is_measured_while_its_run_writes_it(tmp_path):
    """Start prunes old runs, measuring every folder, while another run rewrites its state.json the atomic way (a
    temporary file, then a rename): a temporary file gone between listing and measuring once raised on Start."""
    import threading

    from core.training.rundir import write_atomic

    folder = RunDir(tmp_path / "run")
    folder.path.mkdir()
    (folder.path / "epoch_001.pth").write_bytes(b"x" * 1000)
    done = threading.Event()

    def keep_writing() -> None:
        while not done.is_set():
            write_atomic(folder.path / "state.json", b"{}")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        sizes = {folder.size_bytes() for _ in range(3000)}
    finally:
        done.set()
        writer.join()
    assert min(sizes) >= 1000 and max(sizes) <= 1000 + 2 * 2, "the checkpoint, and state.json at most twice"
