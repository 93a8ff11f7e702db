"""Training jobs on RQ + Redis: a real redis-server, workers as subprocesses, app servers as processes or AppTests."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import ExitStack

import pytest
import torch

from core import i18n
from core.errors import explain, quoted
from core.training import remote
from core.training.events import EpochEnd
from core.training.jobs import JobState
from core.training.records import Config, MetricsRow

from conftest import CIFAR_CLASSES, make_folder_dataset
from redisfix import ROOT, Databases, redis_server, wait_for, worker

pytest.importorskip("rq", reason="rq is not installed")


@pytest.fixture(scope="module")
def databases():
    with redis_server() as base:
        yield Databases(base)


@pytest.fixture
def url(databases) -> str:
    return databases.fresh()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("worker-data")
    make_folder_dataset(root / "pets", classes=CIFAR_CLASSES, per_class=(8, 2))   # the net's ten outputs
    return root


def backend(url, root):
    from core.training.rqjobs import RemoteTrainings

    return RemoteTrainings(url, root=root)


def tiny(seed: int, epochs: int = 1) -> Config:
    """A run a loaded 2-core machine trains in seconds: the course's loop (no data preparation) on 80 images."""
    return Config(data="pets", recipe="course", epochs=epochs, batch_size=32, seed=seed)


# -- what a worker accepts: no Redis needed --------------------------------------------------------------------
@pytest.mark.parametrize("payload,setting", [
    ({"data": "pets", "epochs": 10**6}, "epochs"), ({"data": "pets", "epochs": 0}, "epochs"),
    ({"data": "pets", "lr": 5.0}, "lr"), ({"data": "pets", "lr": float("nan")}, "lr"),
    ({"data": "pets", "batch_size": 100_000}, "batch_size"), ({"data": "pets", "recipe": "os.system"}, "recipe"),
    ({"data": "pets", "arch": "vgg16"}, "arch"), ({"data": "pets", "recipe": ["fast"]}, "recipe"),
    ({"data": "pets", "optimizer": "lbfgs"}, "optimizer"),
    ({"data": "pets", "subset": -1}, "subset"), ({"data": "pets", "seed": True}, "seed"),
    ({"data": "/etc"}, "dataset"), ({"data": "../secrets"}, "dataset"), ({"data": "C:x"}, "dataset"),
    ({"data": "pets", "path": "/tmp"}, "request"), ([1, 2], "request"),
])
def test_the_worker_refuses_settings_the_page_could_not_send(payload, setting):
    with pytest.raises(remote.RemoteError) as refused:
        remote.validate(payload)
    assert refused.value.code == "refused" and refused.value.params["setting"] == setting


def test_the_owner_caps_bind_on_the_worker_and_a_key_names_settings_not_servers():
    assert remote.validate({"data": "pets", "epochs": 2}, max_epochs=2).epochs == 2
    with pytest.raises(remote.RemoteError, match="cap_epochs"):
        remote.validate({"data": "pets", "recipe": "course"}, max_epochs=5)   # the course's 10 epochs
    with pytest.raises(remote.RemoteError, match="cap_images"):
        remote.validate({"data": "pets"}, max_images=1000)
    assert remote.validate({"data": "pets", "subset": 1000}, max_images=1000).subset == 1000
    assert remote.key(tiny(0)) == remote.key(Config(**remote.to_json(tiny(0)))) != remote.key(tiny(1))
    assert remote.key(tiny(0)) == remote.key(Config("pets", "course", "course", 1, 0.01, 32, "sgd"))  # defaults spelled out


def test_an_epoch_travels_as_plain_json_and_comes_back_as_a_metrics_row():
    row = MetricsRow(epoch=2, test_acc=0.5, test_loss=1.25, test_loss_sum=3.5, test_loss_sum_batch=64,
                     images_per_s=100.0, seconds=1.5, train_loss=1.3, layers=[{"index": 0}])
    text = remote.encode(EpochEnd(row))
    assert json.loads(text)["row"]["test_acc"] == 0.5 and remote.decode(text) == EpochEnd(row)
    torn = json.loads(text)
    del torn["row"]["epoch"]
    assert remote.decode(json.dumps(torn)) is None, "a row without its epoch is skipped, not half-read"


# -- the queue: join, place, estimated start, cancel and stop by the owner only -------------------------------
SUBMIT = """
import sys, time
from pathlib import Path
from core.training import remote
from core.training.records import Config
from core.training.rqjobs import RemoteTrainings
app = RemoteTrainings(sys.argv[1], root=Path(sys.argv[2]))
time.sleep(max(0, float(sys.argv[3]) - time.time()))
print(app.submit(Config(data="pets", recipe="course", epochs=1, batch_size=32, seed=7), owner=sys.argv[4]).key)
"""


def test_identical_settings_from_two_app_processes_join_one_job(url, tmp_path):
    at = time.time() + 2.5   # both submit at the same moment
    apps = [subprocess.Popen([sys.executable, "-c", SUBMIT, url, str(tmp_path / f"runs{i}"), str(at), owner],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True) for i, owner in enumerate(("ann", "bob"))]
    keys = {p.communicate(timeout=60)[0].strip() for p in apps}
    assert keys == {remote.key(tiny(7))}
    app = backend(url, tmp_path / "runs")
    assert len(app.queued()) == 1 and app.queue.count == 1
    assert app.get(remote.key(tiny(7))).owner in ("ann", "bob")


def test_place_estimated_start_cancel_and_stop_by_the_owner_only(url, data_dir, tmp_path):
    app = backend(url, tmp_path / "runs")
    first = app.submit(tiny(1, epochs=3), owner="ann")
    second = app.submit(tiny(2), owner="bob", estimate=10.0)
    third = app.submit(tiny(3), owner="cay", estimate=20.0)
    assert [app.position(j) for j in (first, second, third)] == [1, 2, 3]
    assert app.expected_start(second) is None, "no worker is connected: no start time"
    assert app.submit(tiny(2), owner="dan").owner == "bob", "the same settings join, the owner stays"
    with worker(url, data_dir, "w-queue"):
        running = wait_for(lambda: (j := app.get(first.key)).running and j.eta() is not None and j, 90,
                           what="the first job training with an ETA")
        assert running.worker == "w-queue" and running.device == "CPU"
        assert [w.name for w in app.workers()] == ["w-queue"]
        second, third = app.get(second.key), app.get(third.key)
        assert (app.position(second), app.position(third)) == (1, 2)
        start_second, start_third = app.expected_start(second), app.expected_start(third)
        assert 0 <= start_second <= running.eta() + 1 and abs(start_third - start_second - 10.0) < 1.5
        assert not app.cancel(third, "ann") and app.get(third.key).waiting, "only its owner cancels a job"
        assert app.cancel(third, "cay") and app.get(third.key).state == JobState.CANCELLED
        assert not running.stop("bob") and not app.get(first.key).stop_event.is_set()
        assert running.stop("ann") and app.get(first.key).stop_event.is_set()
        stopped = wait_for(lambda: (j := app.get(first.key)).state == JobState.STOPPED and j, 60,
                           what="the stopped job")
        assert stopped.error is None
        wait_for(lambda: app.get(second.key).state == JobState.DONE, 90, what="the next job to finish")
        app.mirror.sync()
    assert app.get(third.key).state == JobState.CANCELLED
    metrics = (tmp_path / "runs" / second.key / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(m)["epoch"] for m in metrics] == [1]


# -- what the worker refuses, said in the learner's language ---------------------------------------------------
def test_hostile_jobs_are_refused_and_caps_enforced_by_the_worker(url, data_dir, tmp_path):
    from rq import Queue
    from rq.serializers import JSONSerializer

    app = backend(url, tmp_path / "runs")
    queue = Queue(remote.QUEUE, connection=app.redis, serializer=JSONSerializer)
    witness = tmp_path / "pwned"
    queue.enqueue_call(func="os.system", args=[f"touch {witness}"], job_id="foreign")
    absurd = queue.enqueue_call(func=remote.TASK, kwargs={"request": {"data": "pets", "epochs": 10**6}},
                                job_id=remote.key(tiny(0)))
    capped = app.submit(tiny(4, epochs=3))
    missing = app.submit(Config(data="holiday-photos", epochs=1))
    with worker(url, data_dir, "w-guard", MAX_EPOCHS="2"):
        keys = ("foreign", absurd.id, capped.key, missing.key)
        wait_for(lambda: all(app.get(k).state == JobState.FAILED for k in keys), 90, what="four refusals")
    jobs = [app.get(k) for k in keys]
    assert not witness.exists(), "the foreign function never ran"
    said = [explain(j.error, "en") for j in jobs]
    assert said[0] == i18n.t("jobs_redis.error_refused", "en", setting="function")
    assert said[1] == i18n.t("jobs_redis.error_refused", "en", setting="epochs")
    assert said[2] == i18n.t("jobs_redis.error_cap_epochs", "en", cap=2)
    named = {"dataset": "holiday-photos", "worker": "w-guard"}   # as the page shows them: Markdown-escaped
    assert said[3] == i18n.t("jobs_redis.error_no_data", "en",
                             **quoted(i18n.catalog("en")["jobs_redis.error_no_data"], named))
    zh = quoted(i18n.catalog("zh")["jobs_redis.error_no_data"], named)["dataset"]
    assert zh in explain(jobs[3].error, "zh") and str(data_dir) not in " ".join(said)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir()), "nothing trained"


# -- a worker killed mid-epoch, an app restarted mid-run ------------------------------------------------------
EPOCHS = 12
KILLS = 3


@pytest.mark.slow   # four workers, three killed in turn: ~60 s; python -m pytest -m slow
def test_killed_workers_and_a_restarted_app_lose_and_repeat_no_epoch(url, data_dir, tmp_path):
    # Every worker is connected before the job is queued, so the job moves on as soon as a killed worker's heartbeat
    # lapses. Each kill waits for one to three more committed epochs and lands at a random moment of the next one
    # (training, testing or saving): it hits a run still training however fast the machine (at most 9 of 12 epochs
    # are committed by the last kill), where a kill on a timer missed runs that had already finished.
    request = tiny(5, epochs=EPOCHS)
    runs = tmp_path / "runs"
    apps = [backend(url, runs)]
    rng = random.Random(19)
    names = [f"w-kill{n}" for n in range(KILLS + 1)]
    killed: list[str] = []

    def committed() -> int:
        return int(apps[-1].redis.get(remote.keys(job.key)["done"]) or 0)

    def training_on() -> str | None:
        """The live worker the job trains on, as the app's page reads it."""
        apps[-1].mirror.sync()   # as the app's mirror thread does; it also gives abandoned jobs back to the queue
        now = apps[-1].get(job.key)
        trains = now.running and now.detail is not None and now.detail.epochs > 0 and now.worker not in killed
        return now.worker if trains else None

    def synced(state: JobState) -> bool:
        apps[-1].mirror.sync()
        return apps[-1].get(job.key).state == state

    with ExitStack() as workers:
        procs = {name: workers.enter_context(worker(url, data_dir, name)) for name in names}
        # loading PyTorch alone can take a minute on a loaded machine; a heartbeat names each worker once it waits
        wait_for(lambda: set(names) <= {w.name for w in apps[-1].workers()}, 240, every=0.5, what="the workers")
        job = apps[-1].submit(request, owner="ann")
        for kill in range(KILLS):
            # given back to the queue once the killed worker's heartbeat lapses (6 s), then the run loads again
            name = wait_for(training_on, 120, what="the job training on a live worker")
            target = committed() + rng.randint(1, 3)
            wait_for(lambda target=target: committed() >= target, 120, every=0.02, what=f"epoch {target} on {name}")
            time.sleep(rng.uniform(0.0, 0.2))
            os.kill(procs[name].pid, signal.SIGKILL)
            killed.append(name)
            assert committed() < EPOCHS, "the kill landed while the run was still training"
            if kill == 1:   # the app restarts: a new process with the same runs/ folder and nothing in memory
                apps.append(backend(url, runs))
        wait_for(lambda: synced(JobState.DONE), 120, every=0.5, what="the run to finish on the last worker")
    apps[-1].mirror.sync()
    folder = runs / job.key
    epochs = [json.loads(line)["epoch"] for line in (folder / "metrics.jsonl").read_text().splitlines()]
    steps = [json.loads(line)["step"] for line in (folder / "steps.jsonl").read_text().splitlines()]
    assert len(set(killed)) == KILLS
    assert epochs == list(range(1, EPOCHS + 1))
    per_epoch = sum(1 for line in (folder / "steps.jsonl").read_text().splitlines() if json.loads(line)["epoch"] == 1)
    assert steps == list(range(1, EPOCHS * per_epoch + 1)), "every step once, in order"
    for epoch in epochs:
        weights = torch.load(folder / f"epoch_{epoch:03d}.pth", weights_only=True)
        assert weights["model.0.weight"].shape == (32, 3, 5, 5)
    assert json.loads((folder / "state.json").read_text())["state"] == "done"
    assert json.loads((folder / "config.json").read_text())["worker"] not in killed, "the survivor's label"
    assert list((folder / "tensorboard").glob("events.out.tfevents.*"))


# -- the Training page on Redis ----------------------------------------------------------------------------------
def redis_page(monkeypatch, tmp_path, redis_url: str, lang: str = "en"):
    from ui.training import trainings

    from pagetest import open_page

    make_folder_dataset(tmp_path / "data" / "pets")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("JOBS_REDIS_URL", redis_url)
    trainings.clear()
    return open_page("train", lang, dataset="pets", epochs="1", batch_size="32")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_redis_down_is_one_line_on_the_training_page_and_nothing_elsewhere(lang, monkeypatch, tmp_path):
    from ui.training import trainings

    from browser import free_port
    from pagetest import open_page

    try:
        at = redis_page(monkeypatch, tmp_path, f"redis://127.0.0.1:{free_port()}/0", lang)
        said = [w.value for w in at.warning]
        assert said == [i18n.t("jobs_redis.unreachable", lang)]
        assert "train_start" not in [b.key for b in at.button]
        for slug in ("conv", "classify"):
            assert not open_page(slug, lang).exception
    finally:
        trainings().mirror.close()
        trainings.clear()


def rerun(at) -> bool:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return True


def test_the_page_queues_on_redis_says_no_worker_and_where_the_run_trains(url, data_dir, monkeypatch, tmp_path):
    from ui.training import WORKER_COMMAND, trainings

    try:
        at = redis_page(monkeypatch, tmp_path, url)
        assert i18n.t("jobs_redis.no_workers", "en", command=WORKER_COMMAND) in [w.value for w in at.warning]
        at.button(key="train_start").click().run()
        assert i18n.t("jobs_redis.no_worker_queued", "en", command=WORKER_COMMAND) in [c.value for c in at.caption]
        with worker(url, data_dir, "w-page"):
            where = i18n.t("jobs_redis.trains_on", "en",
                           where=i18n.t("jobs_redis.where_worker", "en", worker="w-page", device="CPU"))
            wait_for(lambda: rerun(at) and where in [c.value for c in at.caption], 90, every=0.5,
                     what="the page to say where the run trains")
            wait_for(lambda: rerun(at) and at.success, 90, every=0.5, what="the run to finish on the page")
        assert not at.exception
        (picker,) = at.multiselect   # compare runs: its key changes with its labels
        label = picker.format_func(picker.value[0])
        assert label.endswith(" · w-page · CPU"), "the run's label keeps where it trained"
    finally:
        trainings().mirror.close()
        trainings.clear()


def test_an_error_written_into_a_jobs_meta_by_hand_never_breaks_the_page():
    from core.training.rqjobs import _error

    class Job:   # a job whose worker left no result (it died)
        def latest_result(self):
            return None

    good = _error({"kind": "train.error_", "code": "too_few_images", "params": {"images": "5", "batch": "64"}}, Job())
    assert explain(good, "en") == i18n.t("train.error_too_few_images", "en", images=5, batch=64)
    half = {"kind": "train.error_", "code": "too_few_images", "params": {"images": "5"}}   # a placeholder left open
    for hostile in (half, {"kind": "os.system", "code": "x", "params": {}}, {"kind": 1}, "junk", None):
        error = _error(hostile, Job())
        assert explain(error, "zh") and error.code == "failed"
