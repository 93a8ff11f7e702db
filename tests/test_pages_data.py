"""AppTest of the Data page: the bundled sample, data sets present, missing and offline; DataLoader batches; links
that carry the settings. (The Transforms page's: test_transforms_page.py.)"""
import time

import pytest
import torchvision
from streamlit.testing.v1 import AppTest

from core import i18n
from core.data import discovery, loader, sets

from conftest import make_folder_dataset, make_label_files
from pagetest import open_page


def batch_shape(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("`imgs.shape`"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_with_no_data_directory_the_sample_shows_a_batch(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "absent"))
    at = open_page("data", lang)
    assert at.selectbox(key="data_dataset").value == discovery.SAMPLE.id
    assert i18n.t("data.sample_name", lang, train="5,000", test="1,000") in at.selectbox(key="data_dataset").options
    assert "torch.Size([64, 3, 32, 32])" in batch_shape(at)
    assert not at.exception and not at.error
    assert any("DataLoader(" in c.value for c in at.code) and not any("/work" in c.value for c in at.code)
    assert "/" + tmp_path.name not in "\n".join(m.value for m in at.caption), "no server path is shown"


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_the_shuffle_sentence_and_the_normalize_ranges_follow_the_data(lang, tmp_path, monkeypatch):
    """A batch of 4 lists 4 indices (it said "the first 8"); Normalize's "before" names the photo's own range."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "absent"))
    at = open_page("data", lang, view="loader", batch_size="4")
    head = i18n.t("data.shuffle_demo", lang, n=4, epoch=1, a="\0", b="", next=2).split("\0")[0]
    shown = next(m.value for m in at.markdown if m.value.startswith(head))
    assert shown[len(head):].split("]")[0].count(",") == 3  # four indices
    at = open_page("transforms", lang, view="normalize")
    from core.basics import features
    from core.data import images

    tensor = features.to_tensor(images.sample(images.samples()[0]))
    before = f"**{i18n.t('tf.before', lang)}** ({tensor.min():.2f} … {tensor.max():.2f})"
    assert before in [m.value for m in at.markdown]


def download_fails(at: AppTest, lang: str) -> str:
    """Click the data page's download button and wait (at most 5 s) for the error the page shows, without a traceback."""
    next(b for b in at.button if b.label == i18n.t("data.download", lang)).click().run()
    for _ in range(20):
        if at.error:
            break
        time.sleep(0.25)
        at.run()
    assert not at.exception
    return at.error[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_cifar10_says_where_it_goes_and_offline_is_reported(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIFAR10_URL", "http://127.0.0.1:9/cifar-10-python.tar.gz")  # a closed port: refused at once
    at = open_page("data", lang)
    assert at.info[0].value == i18n.t("data.cifar_missing", lang, root="DATA_DIR")
    assert download_fails(at, lang).startswith(i18n.t("data.download_offline", lang, url="X", reason="Y").split("X")[0])
    assert "torch.Size([64, 3, 32, 32])" in batch_shape(at), "the sample's batch stays on the page"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_data_directory_that_cannot_be_written_is_explained_without_its_path(lang, tmp_path, monkeypatch):
    (tmp_path / "blocked").write_text("a file where the data directory's parent should be")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "blocked" / "data"))
    message = download_fails(open_page("data", lang), lang)
    assert message.startswith(i18n.t("data.download_unwritable", lang, reason="X").split("X")[0])
    assert str(tmp_path) not in message and "blocked" not in message


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiny_cifar10_items_and_batches(lang, tiny_cifar, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tiny_cifar))
    at = open_page("data", lang)
    assert at.selectbox(key="data_dataset").value == ".", "a full CIFAR-10 comes before the sample"
    at.selectbox(key="data_split").set_value("test").run()
    at.tabs[0].open = True
    at.session_state["view"] = "Dataset"
    at.run()
    text = "\n".join(m.value for m in at.markdown)
    assert "**30**" in text and "target = **3**" in text and i18n.t("classes.cat", lang) in text
    at.session_state["view"] = "DataLoader"
    at.run()
    at.select_slider(key="data_batch_size").set_value(8).run()
    at.number_input(key="epoch").set_value(2).run()
    at.slider(key="batch").set_value(3).run()
    assert not at.exception
    test_set = sets.open_dataset(tiny_cifar, discovery.discover(tiny_cifar)[0], "test", torchvision.transforms.ToTensor())
    order = loader.epoch_batches(30, 8, True, False, 0, 2)
    (imgs, targets), _ = loader.load_batch(test_set, order[3])
    assert imgs.shape == (6, 3, 32, 32)  # 30 = 3 × 8 + 6: the last batch
    assert f"30 4\n{imgs.shape}\n{targets}" in [c.value for c in at.code]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_folder_layouts_browse(lang, tmp_path, monkeypatch):
    make_folder_dataset(tmp_path / "pets")
    make_label_files(tmp_path / "hymenoptera")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("data", lang)
    for choice in [f.id for f in discovery.offered(tmp_path)]:
        at.selectbox(key="data_dataset").set_value(choice).run()
        for view in ("Dataset", "DataLoader"):
            at.session_state["view"] = view
            at.run()
            assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="data_dataset").set_value("hymenoptera/labels").run()
    at.selectbox(key="data_resize").set_value(None).run()  # the label files differ in size: no Resize, no batch
    assert at.error and i18n.t("data.not_stackable", lang, error="").split("{")[0][:10] in at.error[0].value
    at.selectbox(key="data_resize").set_value(32).run()
    assert not at.error


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_shows_both_course_layouts_and_every_boundary(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("data", lang)
    at.session_state["view"] = "Dataset"
    at.run()
    text = "\n".join(m.value for m in at.markdown)
    assert "500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000" in text, "all ten parts' ends"
    at.selectbox(key="data_dataset").set_value(discovery.SAMPLE_LABELS.id).run()
    assert not at.exception and any("cat_image" in c.value for c in at.caption)
    assert any("MyData(" in c.value and "'cat'" in c.value for c in at.code)
    assert "**1000**" in "\n".join(m.value for m in at.markdown)


def test_a_shared_link_reproduces_the_batch_and_bad_values_fall_back(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("data", "en", split="test", batch_size="16", shuffle="false", batch="2", seed="7", epoch="3",
                   drop_last="true")
    assert not at.exception
    assert (at.selectbox(key="data_split").value, at.select_slider(key="data_batch_size").value, at.toggle(key="shuffle").value,
            at.slider(key="batch").value, at.number_input(key="seed").value) == ("test", 16, False, 2, 7)
    assert "1000 62\ntorch.Size([16, 3, 32, 32])\ntensor([0, 0, 0" in "\n".join(c.value for c in at.code)
    bad = open_page("data", "en", batch_size="7", dataset="../../etc", epoch="-3")
    assert not bad.exception and bad.select_slider(key="data_batch_size").value == 64
    assert bad.selectbox(key="data_dataset").value == discovery.SAMPLE.id
    notes = "\n".join(c.value for c in bad.caption)
    assert "`dataset=../../etc`" in notes and "`batch_size=7`" in notes and "`epoch=-3`" in notes


def loader_settings_app(draw: bool):
    """The DataLoader tab's settings, drawn (the tab open) or not (closed), and what ``urlform.shown`` reads."""
    import streamlit as st

    from core.data.loader import LoaderSettings
    from ui.urlform import form, shown

    if draw:
        form(LoaderSettings, scope="data")
    st.write(repr(shown(LoaderSettings, scope="data")))


def test_the_loader_settings_are_read_where_their_tab_is_closed():
    """The link's values where the controls were never drawn (a bad one: the default), the learner's once they
    were: what the practice asks about on the Dataset tab."""
    from core.data.loader import LoaderSettings

    at = AppTest.from_function(loader_settings_app, args=(False,))
    for name, value in {"batch_size": "16", "seed": "7", "epoch": "-3", "num_workers": "3", "shuffle": "false",
                        "drop_last": "TRUE"}.items():
        at.query_params[name] = value
    at.run()
    linked = LoaderSettings(batch_size=16, seed=7, epoch=1, num_workers=0, shuffle=False, drop_last=True)
    assert at.markdown[0].value == repr(linked)
    at = AppTest.from_function(loader_settings_app, args=(True,)).run()
    assert at.markdown[0].value == repr(LoaderSettings())
    at.select_slider(key="data_batch_size").set_value(8).run()
    at.number_input(key="epoch").set_value(3).run()
    at.toggle(key="shuffle").set_value(False).run()
    at.select_slider(key="data_num_workers").set_value(2).run()
    kept = LoaderSettings(batch_size=8, epoch=3, num_workers=2, shuffle=False)
    assert at.markdown[0].value == repr(kept)
    at.args = (False,)
    at.run()
    assert not at.select_slider and at.markdown[0].value == repr(kept), "kept through a run that does not draw them"
