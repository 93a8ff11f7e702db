"""Widgets whose bounds follow data keep working when the data change.

A value kept from a larger photo, data set, run or layer moves into the new bounds with a note (it raised
StreamlitValueAboveMaxError: crop_size=256 for a 64×48 photo), and a link's number beyond such bounds moves to the
nearest bound. The walks change the data under every page that has such a widget, with those widgets at their
largest, and visit every tab after each change, as a learner clicking around would.
"""
import shutil

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import i18n
from core.data import discovery
from core.training import train

from conftest import encode, make_folder_dataset
from pagetest import open_page

# the widgets whose bounds follow data (a photo's size, a data set's length, a run's epochs, a layer's channels)
DATA_BOUND = {"crop_size", "center_size", "top", "left", "index", "batch", "step", "cls_epoch", "cls_channel",
              "train_download_epoch"}
SIZES = [(3000, 2000), (64, 48), (1, 1), (1024, 1), (400, 40)]


def gradient(width: int, height: int) -> bytes:
    """A PNG whose R, G and B differ across it (a photo's channels differ; one colour would hide a mix-up)."""
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=-1)
    return encode(Image.fromarray(pixels.astype(np.uint8)), "PNG")


PHOTOS = {size: gradient(*size) for size in SIZES}


def moved(at) -> list[str]:
    """The notes saying a value was moved into its bounds."""
    return [c.value for c in at.caption if ":material/straighten:" in c.value]


def bounded(at) -> list:
    return [w for w in (*at.slider, *at.number_input) if w.key in DATA_BOUND]


def check(at) -> None:
    """No exception, and every data-bound widget shows a value its bounds hold."""
    assert not at.exception, [e.value for e in at.exception]
    for widget in bounded(at):
        assert widget.min <= widget.value <= widget.max, (widget.key, widget.value, widget.min, widget.max)


def to_extremes(at) -> None:
    """Every data-bound widget on screen to its largest value (the next, smaller data cannot hold it)."""
    widgets = bounded(at)
    for widget in widgets:
        widget.set_value(type(widget.value)(widget.max))
    if widgets:
        at.run()
        check(at)


def tab_key(at, scope: str) -> str:
    """The session key of urlstate.tabs' widget under ``scope`` (its labels are part of it)."""
    return next(k for k in at.session_state.keys() if k.startswith(f"{scope}_view_") and not k.endswith("_open"))


def visit(at, scope: str, index: int) -> int:
    """Open tab ``index`` (as a click would), put its data-bound widgets at their largest; how many values were
    moved into their bounds on the way."""
    at.session_state[tab_key(at, scope)] = at.tabs[index].label
    at.run()
    check(at)
    notes = len(moved(at))
    to_extremes(at)
    return notes


def upload(at, picker: str, size: tuple[int, int]) -> None:
    if at.segmented_control(key=f"{picker}_source").value != "upload":
        at.segmented_control(key=f"{picker}_source").set_value("upload").run()
    at.file_uploader(key=f"{picker}_upload").set_value((f"{size[0]}x{size[1]}.png", PHOTOS[size], "image/png")).run()
    check(at)


# (page, query parameters, the photo picker's key, the scope of its tabs, the tab with the crop's sliders, the tabs
# an upload happens on, in turn, photos)
PHOTO_WALKS = [("transforms", {}, "tf_photo", "tf", 3, [0, 1, 2, 4], [(3000, 2000), (1, 1), (1024, 1)]),
               ("conv", {"view": "channels", "input": "photo"}, "conv_photo", "conv", 1, [2],
                [(64, 48), (3000, 2000), (400, 40)])]


@pytest.mark.parametrize("slug, params, picker, scope, crop, others, sizes", PHOTO_WALKS,
                         ids=[w[0] for w in PHOTO_WALKS])
def test_photos_of_every_shape_one_after_another(slug, params, picker, scope, crop, others, sizes):
    """Photos of very different shapes in turn, each uploaded while another tab is open (in rotation, so every tab
    sees a photo change), then the tab with the crop's sliders, which were left at their largest: no exception,
    and a value the new photo cannot hold is moved with a note. (test_odd_photos opens every tab on each shape.)"""
    at = open_page(slug, "zh", **params)
    notes = visit(at, scope, crop)
    for k, size in enumerate(sizes):
        visit(at, scope, others[k % len(others)])
        upload(at, picker, size)
        notes += len(moved(at)) + visit(at, scope, crop)
    assert notes  # a smaller photo moved the crop


def test_the_crop_kept_from_the_sample_moves_into_a_small_photo_with_a_note():
    """The issue's steps: the sample photo, RandomCrop, a 64×48 upload, another tab and back."""
    at = open_page("transforms", "en", view="crop")
    assert at.slider(key="crop_size").value == 256
    upload(at, "tf_photo", (64, 48))
    assert at.slider(key="crop_size").value == 112 and at.slider(key="crop_size").max == 112
    assert moved(at)[0] == (":orange[:material/straighten:] "
                            + i18n.t("bounds.moved", "en", name="crop_size", value=256, low=16, high=112, used=112))
    assert at.query_params.get("view") == "crop"  # the open tab survived the run that showed no photo
    visit(at, "tf", 0)
    at.session_state[tab_key(at, "tf")] = at.tabs[3].label
    at.run()
    check(at)
    assert at.slider(key="crop_size").value == 112 and not moved(at)  # said once


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_s_crop_beyond_the_photo_moves_to_the_largest(lang):
    at = open_page("transforms", lang, view="crop", crop_size="9999", center_size="-5")
    check(at)
    assert at.slider(key="crop_size").value == at.slider(key="crop_size").max == 364
    assert at.slider(key="center_size").value == 1
    assert len(moved(at)) == 2 and "9999" in moved(at)[0]


def test_a_link_s_value_the_control_cannot_take_still_falls_back_to_the_default():
    """Only numbers move: crop_size=big is no number, so the default with the bad-link note."""
    at = open_page("transforms", "en", view="crop", crop_size="big")
    assert at.slider(key="crop_size").value == 256 and not moved(at)
    assert any(":material/link_off:" in c.value and "crop_size=big" in c.value for c in at.caption)


def test_data_sets_of_different_lengths_one_after_another(tmp_path, monkeypatch):
    """The bundled sample (5,000 training images), a folder set of 6, then one of 72: the item index and the batch
    at their largest on each; both tabs visited after each change."""
    make_folder_dataset(tmp_path / "mid", per_class=(24, 8))
    make_folder_dataset(tmp_path / "tiny", per_class=(2, 1))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("data", "en")
    ids = {found.name: found.id for found in discovery.offered(tmp_path)}
    notes = 0
    for dataset in (next(iter(ids.values())), ids["tiny"], ids["mid"]):
        at.selectbox(key="data_dataset").set_value(dataset).run()
        check(at)
        notes += len(moved(at))
        for tab in ("Dataset", "DataLoader"):
            at.session_state["view"] = tab
            at.run()
            check(at)
            notes += len(moved(at))
            to_extremes(at)
    assert notes >= 2  # the index and the batch, each moved for a smaller set


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two finished runs on a tiny folder data set, written by the engine: 2 epochs, and a copy of it resumed to 3
    (one more epoch rather than three)."""
    base = tmp_path_factory.mktemp("bounds")
    data = make_folder_dataset(base / "data" / "pets")
    two, three = (train.Config(data=str(data), arch="relu", epochs=n, batch_size=16, device="cpu") for n in (2, 3))
    train.run(two, base / "runs" / two.key())
    shutil.copytree(base / "runs" / two.key(), base / "runs" / three.key())
    train.run(three, base / "runs" / three.key(), resume=True)
    return base


def test_a_run_with_fewer_epochs_and_a_layer_with_fewer_channels(two_runs, monkeypatch):
    """Epoch 3 of one run, then a run of 2 epochs; channel 63 of a 64-channel layer, then a 32-channel one."""
    from core.training import runs

    monkeypatch.setenv("DATA_DIR", str(two_runs / "data"))
    monkeypatch.setenv("RUNS_DIR", str(two_runs / "runs"))
    by_epochs = {len(r.metrics): r.key for r in runs.all_runs(two_runs / "runs")}
    at = open_page("classify", "en", model="run")
    at.selectbox(key="cls_run").set_value(by_epochs[3]).run()
    check(at)
    assert at.slider(key="cls_epoch").value == 3
    at.selectbox(key="cls_run").set_value(by_epochs[2]).run()
    check(at)
    assert at.slider(key="cls_epoch").value == 2 and "epoch=3" in moved(at)[0]
    layers = at.selectbox(key="cls_layer")
    widest = max(layers.options, key=lambda o: int(o.rsplit("[", 1)[1].split(",")[0]))  # "… → [64, 8, 8]"
    layers.set_value(layers.options.index(widest)).run()
    to_extremes(at)
    assert at.number_input(key="cls_channel").value == 63
    at.selectbox(key="cls_layer").set_value(0).run()
    check(at)
    assert at.number_input(key="cls_channel").value == 31 and "channel=63" in moved(at)[0]
    for tab in (1, 2):  # the code and the audit, with the run and layer kept
        visit(at, "cls", tab)


def test_a_one_value_slider_is_a_line_and_a_kept_value_moves_both_ways():
    """urlstate itself, on a one-widget app: bounds that leave one value (Streamlit refuses equal bounds), a kept
    value above the new largest and below the new smallest."""

    def app():
        import streamlit as st

        from ui import urlstate

        low, high = st.session_state.get("bounds", (0, 10))
        st.write(urlstate.slider("n", low, high, low, "n", fits=True))

    at = AppTest.from_function(app)
    at.run()
    at.slider(key="n").set_value(10).run()
    at.session_state["bounds"] = (0, 4)
    at.run()
    assert at.slider(key="n").value == 4 and len(moved(at)) == 1
    at.session_state["bounds"] = (6, 9)
    at.run()
    assert at.slider(key="n").value == 6 and len(moved(at)) == 1
    at.session_state["bounds"] = (3, 3)
    at.run()
    assert not at.exception and not at.slider and at.caption[-1].value == "n: 3"
