"""AppTest of the Data pages: transforms tabs and pipelines; data sets present, missing and offline; DataLoader batches."""
import time

import pytest
import torchvision

from core import data, i18n, loader

from conftest import make_folder_dataset, make_label_files
from test_pages import open_page

TABS = ["ToTensor", "Normalize", "Resize", "tf.tab_crop", "Compose"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_transforms_tab_renders(lang):
    at = open_page("transforms", lang)
    for tab in TABS:
        at.session_state["tf_view"] = i18n.t(tab, lang) if "." in tab else tab
        at.run()
        assert not at.exception and not at.error, (tab, [e.value for e in at.exception])
    assert at.dataframe, "the Compose table of stages is shown"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_normalize_before_totensor_is_explained(lang):
    at = open_page("transforms", lang)
    at.session_state["tf_view"] = "Compose"
    at.run()
    at.session_state["tf_steps"] = [{"name": "Normalize", "id": "a", "mean": [0.5] * 3, "std": [0.5] * 3},
                                    {"name": "ToTensor", "id": "b"}]
    at.run()
    assert "img should be Tensor Image" in at.error[0].value
    assert at.info[0].value == i18n.t("tf.why_needs_tensor", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_cifar10_says_where_it_goes_and_offline_is_reported(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIFAR10_URL", "http://127.0.0.1:9/cifar-10-python.tar.gz")  # a closed port: refused at once
    at = open_page("data", lang)
    assert at.warning[0].value == i18n.t("data.cifar_missing", lang, root=str(tmp_path.resolve()))
    button = next(b for b in at.button if b.label == i18n.t("data.download", lang))
    button.click().run()
    for _ in range(20):
        if at.error:
            break
        time.sleep(0.25)
        at.run()
    assert not at.exception
    assert at.error[0].value.startswith(i18n.t("data.download_offline", lang, url="X", reason="Y").split("X")[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiny_cifar10_items_and_batches(lang, tiny_cifar, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tiny_cifar))
    at = open_page("data", lang)
    at.selectbox(key="data_split").set_value("test").run()
    text = "\n".join(m.value for m in at.markdown)
    assert "**30**" in text and "target = **3**" in text and i18n.t("classes.cat", lang) in text
    at.session_state["data_view"] = "DataLoader"
    at.run()
    at.select_slider(key="dl_batch").set_value(8).run()
    at.number_input(key="dl_epoch").set_value(2).run()
    at.slider(key="dl_batch_index").set_value(3).run()
    assert not at.exception
    test_set = data.open_dataset(tiny_cifar, data.discover(tiny_cifar)[0], "test", torchvision.transforms.ToTensor())
    order = loader.epoch_batches(30, 8, True, False, 0, 2)
    imgs, targets = loader.load_batch(test_set, order[3])
    assert imgs.shape == (6, 3, 32, 32)  # 30 = 3 × 8 + 6: the last batch
    assert f"30 4\n{imgs.shape}\n{targets}" in [c.value for c in at.code]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_folder_layouts_browse(lang, tmp_path, monkeypatch):
    make_folder_dataset(tmp_path / "pets")
    make_label_files(tmp_path / "hymenoptera")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("data", lang)
    for choice in range(2):
        at.selectbox(key="data_choice").set_value(choice).run()
        for view in (i18n.t("data.tab_dataset", lang), "DataLoader"):
            at.session_state["data_view"] = view
            at.run()
            assert not at.exception, [e.value for e in at.exception]
    pairs = [f.kind for f in data.discover(tmp_path)].index("label_files")
    at.selectbox(key="data_choice").set_value(pairs).run()
    at.selectbox(key="data_resize").set_value(None).run()  # the label files differ in size: no Resize, no batch
    assert at.error and i18n.t("data.not_stackable", lang, error="").split("{")[0][:10] in at.error[0].value
    at.selectbox(key="data_resize").set_value(32).run()
    assert not at.error
