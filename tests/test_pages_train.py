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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_training_without_data_says_what_to_do(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("train", lang)
    assert at.warning[0].value == i18n.t("data.cifar_missing", lang, root=str(tmp_path.resolve()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_tiny_run_trains_in_the_background_and_comes_back(lang, tmp_path, monkeypatch):
    make_folder_dataset(tmp_path / "data" / "pets")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    at = open_page("train", lang)
    at.number_input(key="train_epochs").set_value(2).run()
    at.number_input(key="train_subset").set_value(0).run()
    at.selectbox(key="train_batch").set_value(32).run()
    next(b for b in at.button if b.label == i18n.t("train.start", lang)).click().run()
    assert not at.exception
    for _ in range(120):  # the page reruns while the job trains; it must never block
        if any(i18n.t("train.already", lang, acc="").split("{")[0][:12] in s.value for s in at.success):
            break
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.success, "the run finished and the page says so"
    assert len(at.get("plotly_chart")) == 1 and at.multiselect(key="train_compare").value
    assert at.get("download_button")
    fresh = open_page("train", lang)  # another session, or after a reload: the finished run is there
    fresh.number_input(key="train_epochs").set_value(2).run()
    fresh.number_input(key="train_subset").set_value(0).run()
    fresh.selectbox(key="train_batch").set_value(32).run()
    assert fresh.success and "train_start" not in [b.key for b in fresh.button]
