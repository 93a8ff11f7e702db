"""The learner's own small data set: zips of a folder in each of the course's layouts, made the way a learner makes
them (the folder zipped whole, or its contents), unpacked into the session's folder and used like any data set:
browsed on the Data page, offered to that session only, refused with translated messages, training here only."""
import io
import zipfile

import pytest
import torch

from core.data import discovery, sets, tensors
from core.errors import explain
from core.training import train
from core.uploads import datasets, sessions
from core.uploads.zips import UploadError
from ui.training import trainings

from conftest import make_folder_dataset, make_label_files
from learner_files import zipped
from pagetest import open_page, upload_dataset


@pytest.fixture
def folders(tmp_path) -> sessions.SessionFolders:
    return sessions.SessionFolders(tmp_path / "uploads")


def test_each_layout_zipped_either_way_is_found_and_opens_as_the_course_opens_it(tmp_path, folders):
    pets = make_folder_dataset(tmp_path / "pets", per_class=(4, 2))
    labelled = make_label_files(tmp_path / "hymenoptera")
    for data, kind, splits, name in [(zipped(pets), discovery.Kind.FOLDER, ("test", "train"), "pets"),
                                     (zipped(pets, whole=False), discovery.Kind.FOLDER, ("test", "train"), "mine"),
                                     (zipped(pets / "train", whole=False), discovery.Kind.FOLDER, ("",), "mine"),
                                     (zipped(labelled), discovery.Kind.LABEL_FILES, ("train",), "hymenoptera"),
                                     (zipped(labelled / "train"), discovery.Kind.LABEL_FILES, ("",), "train")]:
        [found] = datasets.add(folders, "alice", data, "C:\\fakepath\\mine.zip")
        assert (found.kind, tuple(sorted(found.splits)), found.title) == (kind, splits, "mine.zip")
        assert datasets.folder_name(found) == name
        assert found.id.startswith("upload/") and str(tmp_path) not in found.id
        split = found.splits[-1]
        dataset = sets.open_dataset(tmp_path / "nothing", found, split)
        if kind == discovery.Kind.FOLDER:
            assert dataset.classes == ["cat", "dog", "ship"] and len(dataset) == 12, "train/: 4 images a class"
            parts = sets.per_class_datasets(tmp_path / "nothing", found, split)
            assert [p.label_dir for p in parts] == ["cat", "dog", "ship"]
        else:
            assert len(dataset) == 9 and {dataset[i][1] for i in range(9)} == {"ants", "bees"}
    assert len(folders.items("alice")) == datasets.PER_SESSION, "the oldest uploads made room"
    assert datasets.of_session(folders, "bob") == []


def test_an_uploaded_set_with_train_and_test_trains_and_audits(tmp_path, folders):
    [found] = datasets.add(folders, "alice", zipped(make_folder_dataset(tmp_path / "pets", per_class=(4, 2))),
                           "pets.zip")
    assert discovery.trainable(found) and discovery.has_test_split(found)
    split = tensors.load_split(discovery.location(tmp_path, found), "test")
    assert split.images.shape == (6, 3, 32, 32) and split.labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert split.images.dtype == torch.uint8
    config = train.Config(data=str(discovery.location(tmp_path, found)), recipe="fast", epochs=1, batch_size=4,
                          device="cpu")
    [epoch] = train.run(config, tmp_path / "run")
    assert epoch.epoch == 1 and 0 <= epoch.test_acc <= 1


def test_a_zip_without_a_data_set_or_with_a_script_is_refused_and_nothing_stays(tmp_path, folders):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "ants")
    with pytest.raises(UploadError) as caught:
        datasets.add(folders, "alice", buf.getvalue(), "notes.zip")
    assert caught.value.code == "no_dataset" and folders.items("alice") == []
    pets = make_folder_dataset(tmp_path / "pets", per_class=(2, 1))
    (pets / "train" / "cat" / "train.py").write_text("import os")
    with pytest.raises(UploadError) as caught:
        datasets.add(folders, "alice", zipped(pets), "pets.zip")
    assert caught.value.code == "not_image" and caught.value.params["name"] == "pets/train/cat/train.py"
    assert folders.items("alice") == []


def test_the_data_page_browses_an_uploaded_zip_in_each_layout(tmp_path, monkeypatch, lang="zh"):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    at = open_page("data", lang)
    upload_dataset(at, "pets.zip", zipped(make_folder_dataset(tmp_path / "pets", per_class=(5, 2))))
    assert at.selectbox(key="data_dataset").value.startswith("upload/")
    assert "pets.zip" in at.selectbox(key="data_dataset").format_func(at.selectbox(key="data_dataset").value)
    at.selectbox(key="data_split").set_value("train").run()
    assert "15 1\ntorch.Size([15, 3, 32, 32])" in "\n".join(c.value for c in at.code), "15 images: 1 batch of 64"
    assert any("ImageFolder" in c.value and "pets/train" in c.value for c in at.code)
    assert str(tmp_path) not in "\n".join(c.value for c in at.code)
    at.session_state["view"] = "Dataset"
    at.run()
    assert "`cat_dataset` (5) + `dog_dataset` (5) + `ship_dataset` (5)" in "\n".join(m.value for m in at.markdown)

    upload_dataset(at, "my_ants.zip", zipped(make_label_files(tmp_path / "hymenoptera") / "train"))
    assert at.selectbox(key="data_dataset").value.endswith("/labels")
    assert "“my\\_ants.zip”" in at.success[0].value, "the name as written, not as Markdown"
    at.selectbox(key="data_resize").set_value(32).run()
    at.session_state["view"] = "DataLoader"
    at.run()
    assert not at.exception and not at.error
    assert any("('ants', " in c.value or "'ants'" in c.value for c in at.code)

    monkeypatch.setattr("ui.owndata.session_id", lambda: "another tab")  # AppTest gives every test one session id
    other = open_page("data", lang)
    assert not [o for o in other.selectbox(key="data_dataset").options if "pets.zip" in o], "another session's set"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refused_zips_say_why_in_the_learners_language(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    at = open_page("data", lang)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ants/../../evil.png", b"x")
    upload_dataset(at, "evil.zip", buf.getvalue())
    assert at.error[0].value == explain(UploadError("unsafe_name", name="ants/../../evil.png"), lang)
    pets = make_folder_dataset(tmp_path / "pets", per_class=(2, 1))
    (pets / "train" / "cat" / "0000.png").write_bytes(b"not a png")
    upload_dataset(at, "pets.zip", zipped(pets))
    assert at.error[0].value == explain(UploadError("not_image", name="pets/train/cat/0000.png"), lang)
    upload_dataset(at, "big.zip", b"PK" + bytes(21 * 1024 * 1024))
    assert at.error[0].value == explain(UploadError("too_large", mb=20), lang)
    assert not list((tmp_path / "uploads").rglob("*.png")) and not (tmp_path / "evil.png").exists()


def test_an_uploaded_set_trains_here_only_and_audits_a_model_on_classify(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    at = open_page("data", "en")
    upload_dataset(at, "pets.zip", zipped(make_folder_dataset(tmp_path / "pets", per_class=(4, 2))))
    at.switch_page("app_pages/train.py").run()
    assert at.selectbox(key="data_dataset").value.startswith("upload/")
    assert any(b.label.startswith("Start") for b in at.button) and not at.warning
    monkeypatch.setenv("JOBS_REDIS_URL", "redis://127.0.0.1:1/0")
    trainings.clear()
    try:
        at.run()
        assert any("trains on this server only" in w.value for w in at.warning)
        assert not [b for b in at.button if b.key == "train_start"]
    finally:
        monkeypatch.delenv("JOBS_REDIS_URL")
        trainings.clear()
    at.switch_page("app_pages/classify.py")
    at.query_params["view"] = "audit"
    at.run()
    assert not at.exception and at.selectbox(key="data_dataset").value.startswith("upload/")
    assert at.metric[0].label == "Test accuracy" and len(at.get("plotly_chart")) >= 3


def test_runs_on_another_sessions_upload_are_not_listed(tmp_path, monkeypatch):
    from ui import owndata

    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(owndata, "session_id", lambda: "alice")
    [mine] = datasets.add(owndata.folders(), "alice", zipped(make_folder_dataset(tmp_path / "a", per_class=(2, 1))),
                          "a.zip")
    [theirs] = datasets.add(owndata.folders(), "bob", zipped(make_folder_dataset(tmp_path / "b", per_class=(2, 1))),
                            "b.zip")
    on = lambda found: str(discovery.location(tmp_path, found).resolve())
    assert owndata.shown_here(on(mine)) and not owndata.shown_here(on(theirs))
    assert owndata.shown_here(str(tmp_path / "data" / "pets"))
