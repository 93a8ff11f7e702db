"""The course's own folder set (hymenoptera_data: train/ and val/) names its held-out split val, not test: a folder
set with val/ and no test/ trains with its test figures measured on val/, shows code that reads val/, is offered as
Classify's audit set, and the same layout uploaded as a zip is offered for training."""
import shutil
from pathlib import Path

import pytest

from core.data import discovery
from core.data.discovery import Kind
from core.training import events, scripts, train
from ui import confusion

from conftest import make_folder_dataset
from learner_files import zipped
from pagetest import open_page, upload_dataset

VAL_PER_CLASS = 3   # 9 val images over 3 classes; train/ has 4 a class, so a count of 9 can only come from val/


def hymenoptera_like(root: Path) -> Path:
    """train/ and val/ with the same classes, as the course's ants/bees folder is laid out."""
    make_folder_dataset(root, per_class=(4, VAL_PER_CLASS))
    (root / "test").rename(root / "val")
    return root


def test_held_out_is_val_only_where_there_is_val_and_no_test():
    assert discovery.held_out(("train", "val")) == "val"
    assert discovery.held_out(("train", "test", "val")) == "test"
    assert discovery.held_out(("train", "test")) == discovery.held_out(("train",)) == "test"


@pytest.mark.parametrize("recipe", ["course", "fast"])
def test_a_set_with_val_and_no_test_trains_and_its_test_figures_come_from_val(tmp_path, recipe):
    data = tmp_path / "data"
    hymenoptera_like(data / "hymenoptera_data")
    [found] = [f for f in discovery.offered(data) if f.path == "hymenoptera_data"]
    assert found.kind == Kind.FOLDER and discovery.trainable(found) and discovery.has_test_split(found)
    started = []
    config = train.Config(data=str(discovery.location(data, found)), recipe=recipe, epochs=1, batch_size=4,
                          subset=6, device="cpu")
    [epoch] = train.run(config, tmp_path / "run",
                        on_event=lambda e: started.append(e) if isinstance(e, events.Started) else None)
    assert [(s.train_images, s.test_images) for s in started] == [(6, 3 * VAL_PER_CLASS)]
    right = epoch.test_acc * 3 * VAL_PER_CLASS
    assert right == pytest.approx(round(right), abs=1e-3), "an accuracy over the 9 val images"
    cells = confusion.test_split(config.data)   # the images the Training page opens behind a confusion cell
    assert cells.labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_the_code_shown_reads_val_where_the_set_has_no_test():
    config = train.Config(data="d", recipe="course", epochs=1, batch_size=4).resolved()
    assert "ImageFolder('hymenoptera_data/val'" in scripts.generate(config, "hymenoptera_data", Kind.FOLDER,
                                                                     held_out="val")
    assert "ImageFolder('pets/test'" in scripts.generate(config, "pets", Kind.FOLDER)
    fast = train.Config(data="d", recipe="fast", epochs=1, batch_size=4).resolved()
    assert 'load("val")' in scripts.generate(fast, "hymenoptera_data", Kind.FOLDER, held_out="val")
    assert 'load("test")' in scripts.generate(fast, "cifar", Kind.CIFAR10)


def test_an_uploaded_zip_with_val_is_offered_for_training_and_as_the_audit_set(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    at = open_page("data", "en")
    upload_dataset(at, "hymenoptera_data.zip", zipped(hymenoptera_like(tmp_path / "hymenoptera_data")))
    shutil.rmtree(tmp_path / "hymenoptera_data")
    at.switch_page("app_pages/train.py").run()
    uploaded = at.selectbox(key="data_dataset").value
    assert not at.exception and uploaded.startswith("upload/")
    at.query_params["dataset"] = uploaded   # the set in the URL, as the picker keeps it
    at.run()
    assert any(b.key == "train_start" for b in at.button) and not at.warning
    assert any('load("val")' in c.value for c in at.code), "the fast recipe's code reads val/"
    at.switch_page("app_pages/classify.py")
    at.query_params["view"] = "audit"
    at.query_params["dataset"] = uploaded
    at.run()
    assert not at.exception and at.selectbox(key="data_dataset").value == uploaded
    assert at.metric[0].label == "Test accuracy" and len(at.get("plotly_chart")) >= 3
    right = float(at.metric[0].value.rstrip("%")) / 100 * 3 * VAL_PER_CLASS
    assert right == pytest.approx(round(right), abs=0.01), "the audit's accuracy is over the 9 val images"
