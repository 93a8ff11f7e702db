"""AppTest of the Model & training pages: shapes and parameters, VGG16 surgery, a real tiny training run."""
import json
import time

import pytest

from core import i18n

from conftest import make_folder_dataset
from pagetest import open_page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("arch,total", [("course", "145,578"), ("relu", "145,578"), ("bn_relu", "145,834")])
def test_model_page_counts_every_architecture(lang, arch, total):
    at = open_page("model", lang)
    at.segmented_control(key="model_arch").set_value(arch).run()
    assert not at.exception
    assert at.metric[0].value == total
    assert any(c.value.startswith("Tudui(") and c.value.endswith("torch.Size([64, 10])") for c in at.code)
    assert "⌊(32 + 2×2 − 1×(5−1) − 1) / 1⌋ + 1 = 32" in "\n".join(m.value for m in at.markdown)


def test_vgg16_surgery_diffs():
    at = open_page("model", "en")
    diff = next(c.value for c in at.code if c.language == "diff")
    assert "-    (6): Linear(in_features=4096, out_features=1000, bias=True)" in diff
    assert "+    (6): Linear(in_features=4096, out_features=10, bias=True)" in diff
    at.segmented_control(key="model_vgg").set_value("add_module").run()
    diff = next(c.value for c in at.code if c.language == "diff")
    assert "+  (add_linear): Linear(in_features=1000, out_features=10, bias=True)" in diff


def train_page(lang, tmp_path, monkeypatch, **params):
    make_folder_dataset(tmp_path / "data" / "pets")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    return open_page("train", lang, dataset="pets", **params)


def test_the_form_lives_in_the_url_and_shows_each_recipes_own_defaults(tmp_path, monkeypatch):
    at = train_page("en", tmp_path, monkeypatch, recipe="course", epochs="3")
    assert at.segmented_control(key="train_recipe").value == "course"
    assert at.number_input(key="epochs").value == 3
    assert at.selectbox(key="train_course_batch_size").format_func(None) == "64 (default)"
    at.segmented_control(key="train_recipe").set_value("fast").run()
    assert at.query_params.get("recipe") in (None, "fast", ["fast"])  # absent where fast is the default (a CPU)
    assert at.selectbox(key="train_fast_batch_size").format_func(None) == "128 (default)"
    assert len([m for m in at.markdown if "**" in m.value and m.value.startswith("- ")]) == 1  # the tricks, one line each


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_a_recipe_s_description_follows_the_settings_chosen(lang, tmp_path, monkeypatch):
    """It named the recipe's defaults (batch 64, SGD lr=0.01) whatever the learner picked."""
    at = train_page(lang, tmp_path, monkeypatch, recipe="course", lr="0.1", batch_size="256", optimizer="adam")
    expected = i18n.t("train.about_course", lang, batch_size=256, lr="0.1", optimizer=i18n.t("train.optimizer_adam", lang))
    assert expected in [c.value for c in at.caption]
    at = train_page(lang, tmp_path, monkeypatch, recipe="improved", batch_size="32")
    expected = i18n.t("train.about_improved", lang, batch_size=32, lr="0.05",
                      optimizer=i18n.t("train.optimizer_nesterov", lang))
    assert expected in [c.value for c in at.caption]


def test_an_owner_cap_is_applied_and_said(tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_EPOCHS", "2")
    at = train_page("en", tmp_path, monkeypatch, epochs="9")
    assert any(i18n.t("train.cap_epochs", "en", cap=2) in c.value for c in at.caption)
    assert "--epochs" not in "".join(c.value for c in at.code) and '"epochs": 2,' in at.code[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_tiny_run_trains_in_the_background_and_stays_on_screen(lang, tmp_path, monkeypatch):
    at = train_page(lang, tmp_path, monkeypatch, epochs="2", batch_size="32")
    next(b for b in at.button if b.label == i18n.t("train.start", lang)).click().run()
    assert not at.exception
    for _ in range(120):  # the page reruns while the job trains; it must never block
        if at.success:
            break
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.success, "the run finished and the page says so"
    charts = at.get("plotly_chart")
    assert len(charts) >= 4 + 2, "the run's four curves, its prediction grid and confusion matrix stay on screen"
    assert any(i18n.t("train.insight_grid", lang) in c.value for c in at.caption)
    assert any(i18n.t("train_runs.loss_jump", lang) in c.value for c in at.caption), "the fast recipe's jump explained"
    (picker,) = at.multiselect
    key = picker.value[0]
    assert "2/2" in picker.options[0], "compare runs names the run as it is now: both epochs done"
    assert (tmp_path / "runs" / key / "insight.pt").is_file(), "the run just watched is first in compare runs"
    assert at.get("download_button")
    fresh = open_page("train", lang, dataset="pets", epochs="2", batch_size="32")  # a reload: the same run is there
    assert fresh.success and "train_start" not in [b.key for b in fresh.button]


def test_after_a_restart_an_interrupted_run_goes_on_whichever_page_is_opened(tmp_path, monkeypatch):
    import threading

    from core import preload
    from core.training import runs, train
    from core.training.events import EpochEnd
    from core.training.rundir import RunDir, RunState
    from ui.training import trainings

    data = make_folder_dataset(tmp_path / "data" / "pets")
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    cfg = train.Config(data=str(data), recipe="improved", arch="course", epochs=2, batch_size=16, lr=0.05, device="cpu")
    out = tmp_path / "runs" / cfg.key()
    stop = threading.Event()
    train.run(cfg, out, on_event=lambda e: stop.set() if isinstance(e, EpochEnd) else None, stop=stop)
    RunDir(out).set_state(RunState.TRAINING, owner="ann")          # the server died while it trained
    preload.wait()
    trainings.clear()                                               # a fresh server process
    try:
        open_page("home", "en")
        deadline = time.time() + 60
        while RunDir(out).state().state == RunState.TRAINING and time.time() < deadline:
            time.sleep(0.2)
        assert [m.epoch for m in runs.load(out).metrics] == [1, 2]
        assert RunDir(out).state().state == RunState.DONE
    finally:
        trainings.clear()


def test_the_fast_recipe_is_the_default_on_a_cpu(tmp_path, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the page's default is the improved recipe there")
    at = train_page("en", tmp_path, monkeypatch)
    assert "recipe" not in at.query_params
    assert at.segmented_control(key="train_recipe").value == "fast"
    assert i18n.t("train.about_fast", "en") in [c.value for c in at.caption]
    assert at.code[0].value.startswith('# The "fast" recipe in one file')


def test_an_owner_image_cap_is_applied_and_said(tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_TRAIN_IMAGES", "48")   # the tiny data set has 72 training images
    at = train_page("en", tmp_path, monkeypatch)
    assert any(i18n.t("train.cap_images", "en", cap="48") in c.value for c in at.caption)
    assert '"subset": 48,' in at.code[0].value, "the run and its code train on 48 images"
    under = train_page("en", tmp_path, monkeypatch, subset="24")   # a subset under the cap: no note, the learner's
    assert not any(i18n.t("train.cap_images", "en", cap="48") in c.value for c in under.caption)
    assert '"subset": 24,' in under.code[0].value


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def test_a_reload_reattaches_to_the_running_job_and_shows_the_test_pass(tmp_path, monkeypatch):
    """Open the same link while a run is testing: its phase and progress, not a fresh form; then its insight, in 中文."""
    import threading

    from core.training import runs, train
    from ui.training import trainings

    reached = {1: threading.Event(), 2: threading.Event()}
    release = {1: threading.Event(), 2: threading.Event()}
    original, calls = train.evaluate, []

    def held_evaluate(model, recipe, feed, autocast, stop, report):
        """The real test pass, held after its first report so the page can be looked at mid-pass."""
        calls.append(1)
        n = len(calls)

        def report_and_hold(done):
            report(done)
            if n in reached and not reached[n].is_set():
                reached[n].set()
                release[n].wait(60)
        return original(model, recipe, feed, autocast, stop, report_and_hold)

    monkeypatch.setattr(train, "evaluate", held_evaluate)
    params = {"epochs": "3", "batch_size": "32"}
    at = train_page("zh", tmp_path, monkeypatch, **params)
    at.button(key="train_start").click().run()
    assert not at.exception
    job = None
    try:
        assert reached[1].wait(60), "the first test pass began"
        (key,) = [p.name for p in (tmp_path / "runs").iterdir()]
        job = trainings().get(key)
        fresh = open_page("train", "zh", dataset="pets", **params)   # a reload: same link, new session
        assert "train_start" not in [b.key for b in fresh.button], "the running job, not a fresh form"
        testing = i18n.t("train.phase_testing", "zh", epoch=1, done="24", total="24", eta="{eta}").split("{eta}")[0]
        assert any(text.startswith(testing) for text in progress_texts(fresh)), progress_texts(fresh)

        release[1].set()
        assert reached[2].wait(60), "epoch 1 was saved and epoch 2 is testing"
        assert [m.epoch for m in runs.load(tmp_path / "runs" / key).metrics] == [1]
        fresh = open_page("train", "zh", dataset="pets", **params)
        assert any(text.startswith(testing.replace("1", "2", 1)) for text in progress_texts(fresh))
        figures = [json.loads(c.proto.spec) for c in fresh.get("plotly_chart")]
        marked = [a["text"] for f in figures for a in f["layout"].get("annotations", []) if a["text"][:1] in "✓✗"]
        assert len(marked) == 16, "the prediction grid of epoch 1 stays while epoch 2 tests"
        names = {i18n.t(f"classes.{c}", "zh") for c in ("cat", "dog", "ship")}
        assert {text[2:] for text in marked} <= names, "the prediction grid names the classes in 中文"
        axes = {f["layout"]["xaxis"].get("title", {}).get("text") for f in figures}
        assert {i18n.t("train.axis_step", "zh"), i18n.t("train.axis_epoch", "zh")} <= axes and "step" not in axes
        confusion = next(f for f in figures if f["data"][0]["type"] == "heatmap")
        assert set(confusion["data"][0]["x"]) == names, "the confusion matrix's class names in 中文"
    finally:
        for event in release.values():
            event.set()
        if job is not None:
            job.stop_event.set()
            job.join(60)
        trainings.clear()


def test_a_queued_run_says_its_expected_wait_in_seconds_under_a_minute(tmp_path, monkeypatch):
    import threading

    from ui.training import trainings

    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    trainings.clear()
    busy = threading.Event()
    other = trainings().submit("someone_elses_run", lambda job: busy.wait(60), owner="ann")
    other.eta_source = lambda: 20.0
    queued = None
    try:
        at = train_page("en", tmp_path, monkeypatch, epochs="1")
        at.button(key="train_start").click().run()
        (queued,) = trainings().queued()
        said = [i.value for i in at.info if i.value.startswith("Queued")]
        assert said == [i18n.t("train.queued", "en", place=1, size=1, start=i18n.t("train.wait_s", "en", n=20))]
        other.eta_source = lambda: 200.0
        at.run()
        assert i18n.t("train.wait_min", "en", n=3) in "".join(i.value for i in at.info)
    finally:
        if queued is not None:
            trainings().cancel(queued, queued.owner)
        busy.set()
        other.join(10)
        trainings.clear()


def test_a_run_stopped_in_its_first_epoch_says_so_and_is_not_offered_for_comparison(tmp_path, monkeypatch):
    """Stop during epoch 1 (here: as its first test pass begins): the page said nothing and showed Start again,
    and compare runs offered the empty run ("0/3 epochs · best 0.0%", four empty charts)."""
    from core.training import train
    from ui.training import trainings

    def stopped_evaluate(model, recipe, feed, autocast, stop, report):
        stop.set()   # what Stop does; the test pass gives up and the epoch is not saved
        return None

    monkeypatch.setattr(train, "evaluate", stopped_evaluate)
    trainings.clear()
    try:
        at = train_page("en", tmp_path, monkeypatch, epochs="2", batch_size="32")
        assert not at.info or i18n.t("train_runs.stopped_first_epoch", "en") not in [i.value for i in at.info]
        at.button(key="train_start").click().run()
        for _ in range(120):
            if "train_start" in [b.key for b in at.button]:
                break
            time.sleep(0.5)
            at.run()
        assert i18n.t("train_runs.stopped_first_epoch", "en") in [i.value for i in at.info]
        assert at.button(key="train_start").label == i18n.t("train.start", "en")
        assert not at.multiselect, "a run with no finished epoch has nothing to compare"
        fresh = open_page("train", "en", dataset="pets", epochs="2", batch_size="32")   # a reload says it too
        assert i18n.t("train_runs.stopped_first_epoch", "en") in [i.value for i in fresh.info]
    finally:
        trainings.clear()
