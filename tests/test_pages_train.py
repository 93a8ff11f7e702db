"""AppTest of the Model & training pages: shapes and parameters, VGG16 surgery, a real tiny training run."""
import time

import pytest

from core import i18n

from conftest import make_folder_dataset
from test_pages import open_page


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
    key = at.multiselect(key="train_compare").value[0]
    assert (tmp_path / "runs" / key / "insight.pt").is_file(), "the run just watched is first in compare runs"
    assert at.get("download_button")
    fresh = open_page("train", lang, dataset="pets", epochs="2", batch_size="32")  # a reload: the same run is there
    assert fresh.success and "train_start" not in [b.key for b in fresh.button]


def test_after_a_restart_an_interrupted_run_goes_on_whichever_page_is_opened(tmp_path, monkeypatch):
    import threading

    from core import preload, runs, train
    from core.events import EpochEnd
    from core.rundir import RunDir, RunState
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
        while RunDir(out).state()["state"] == RunState.TRAINING and time.time() < deadline:
            time.sleep(0.2)
        assert [m["epoch"] for m in runs.load(out).metrics] == [1, 2]
        assert RunDir(out).state()["state"] == RunState.DONE
    finally:
        trainings.clear()
