"""AppTest of the classify page: photos good and bad, models shipped, trained and uploaded (some hostile), the audit."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import i18n
from core.course import CIFAR10_CLASSES
from core.data import images
from core.inference import infer
from core.model import Tudui
from core.training import train

from checkpoint_files import Hostile, saved
from conftest import encode
from pagetest import open_page, upload_weights, verdict


def upload_photo(at, name: str, content: bytes, mime: str = "image/png"):
    at.segmented_control(key="cls_photo_source").set_value("upload").run()
    at.file_uploader(key="cls_photo_upload").set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sample_photo_is_classified_and_the_code_agrees(lang, shipped):
    model, card = shipped
    at = open_page("classify", lang, view="code")
    logits, probs = infer.predict(model, infer.prepare(images.sample("cat"), card.mean, card.std).batch)
    best = int(probs.argmax())
    name = i18n.t(f"classes.{CIFAR10_CLASSES[best]}", lang)
    assert verdict(at) == i18n.t("cls.verdict", lang, name=name, p=f"{float(probs[best]):.1%}")
    assert f"{logits[None]}\ntensor([{best}])" in [c.value for c in at.code]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_uploaded_photo_gets_probabilities(lang, shipped):
    at = upload_photo(open_page("classify", lang), "coffee.png", encode(images.sample("coffee"), "PNG"))
    assert verdict(at) and len(at.get("plotly_chart")) >= 2


def bad_inputs():
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8))
    big = encode(photo.resize((1200, 900)), "JPEG")
    frames = [Image.new("RGB", (40, 40), c) for c in ("red", "blue")]
    sixteen = Image.fromarray((np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16).astype(np.uint16))
    return [
        ("junk.jpg", b"this is not an image at all", "error", "not_image"),
        ("cut.jpg", big[: len(big) // 3], "error", "truncated"),
        ("bomb.png", encode(Image.new("L", (10_000, 10_000)), "PNG"), "error", "too_many_pixels"),
        ("anim.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:]), "note", "animated"),
        ("cmyk.jpg", encode(photo.convert("CMYK"), "JPEG"), "note", "converted"),
        ("deep.png", encode(sixteen, "PNG"), "note", "high_bit_depth"),
        ("grey.png", encode(photo.convert("L"), "PNG"), "note", "converted"),
        ("dot.png", encode(Image.new("RGB", (1, 1), "white"), "PNG"), "note", "tiny"),
        ("huge.jpg", encode(photo.resize((4000, 3000)), "JPEG"), "ok", None),
    ]


@pytest.mark.parametrize("name,content,kind,code", bad_inputs())
def test_every_odd_upload_gets_a_message_or_a_prediction(shipped, name, content, kind, code):
    at = upload_photo(open_page("classify", "en"), name, content)
    if kind == "error":
        message = i18n.t(f"image_error.{code}", "en", limit=images.MAX_PIXELS // 1_000_000, format="")
        assert at.error[0].value.startswith(message[:40])
        assert not [h for h in at.subheader if h.value.startswith("Prediction")]
    else:
        assert verdict(at)
        if kind == "note":
            prefix = i18n.t(f"image_note.{code}", "en", frames=2, mode="X", width=1, height=1).split("X")[0][:25]
            assert any(i.value.startswith(prefix) for i in at.info)
    at.segmented_control(key="cls_photo_source").set_value("sample").run()  # the page stays usable
    assert verdict(at) and not at.exception


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_hostile_checkpoint_is_refused_without_running_it(lang, shipped, tmp_path):
    marker = tmp_path / "pwned"
    at = upload_weights(open_page("classify", lang), saved({"model.0.weight": Hostile(marker)}))
    assert at.error[0].value == i18n.t("ckpt.error_code_global", lang, name="posix.system")
    assert not at.code and not marker.exists()


def test_a_mismatch_names_the_first_layer_that_differs(shipped):
    at = upload_weights(open_page("classify", "en"), saved(Tudui("bn_relu").state_dict()))
    assert at.caption and any("+ BatchNorm + ReLU" in c.value for c in at.caption)  # recognised
    at.segmented_control(key="cls_upload_arch").set_value("course").run()
    assert at.error[0].value.startswith("These parameters do not fit the architecture “As in the course”. Its layer 2 "
                                        "that holds tensors is `model.2: bias [32], weight [32, 32, 5, 5]`; the file's "
                                        "is `model.1: bias [32], num_batches_tracked [], running_mean [32]")


def test_a_valid_state_dict_upload_predicts(shipped):
    at = upload_weights(open_page("classify", "zh"), saved(Tudui("relu").state_dict()))
    assert not at.error and verdict(at)


def test_a_run_from_the_training_page_with_its_epoch_slider(shipped, tmp_path, folder_dataset):
    from core.training import runs

    cfg = train.Config(data=str(folder_dataset), arch="relu", epochs=2, batch_size=16, device="cpu")
    train.run(cfg, runs.runs_root() / cfg.key())
    at = open_page("classify", "en")
    at.segmented_control(key="cls_model").set_value("run").run()
    first = verdict(at)
    at.slider(key="cls_epoch").set_value(1).run()
    assert not at.exception and verdict(at) and first
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"]
    assert bars == ["cat", "dog", "ship", "#3", "#4", "#5", "#6", "#7", "#8", "#9"]  # the run's own classes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_on_cifar10(lang, shipped, tiny_cifar, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tiny_cifar))
    at = open_page("classify", lang, view="audit")
    assert not at.exception
    assert at.metric[0].label == i18n.t("cls.test_acc", lang)
    assert len(at.get("plotly_chart")) >= 4  # probabilities, per class, confusion, mistakes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_junk_upload_gets_a_translated_message(lang, shipped):
    at = upload_photo(open_page("classify", lang), "holiday.jpg", b"PK\x03\x04 a zip renamed to .jpg")
    assert at.error[0].value == i18n.t("image_error.not_image", lang)


def test_a_zip_bomb_checkpoint_is_read_once_and_refused_with_a_message(shipped, monkeypatch):
    from core.inference import checkpoints

    from checkpoint_files import deflated_bomb

    reads = []
    original = checkpoints.read_upload
    monkeypatch.setattr(checkpoints, "read_upload", lambda data: reads.append(1) or original(data))
    bomb = deflated_bomb(300)  # a 300 MB tensor of zeros in a 0.9 MB upload
    at = upload_weights(open_page("classify", "en"), bomb)
    assert at.error[0].value == i18n.t("cls.error_too_large", "en", mb=301, limit=checkpoints.MAX_MB)
    at.run()
    at.run()
    assert len(reads) == 1 and at.error[0].value.startswith("This file declares 301 MB")


def test_the_model_is_in_the_url(shipped):
    at = open_page("classify", "en", model="upload")
    assert at.file_uploader(key="cls_weights") is not None and not at.exception
    at.segmented_control(key="cls_model").set_value("course").run()
    assert "model" not in at.query_params  # the default is left out of the link


def test_a_diverged_run_is_explained_and_its_paths_are_relative(shipped, tmp_path, folder_dataset):
    from core.training import runs

    cfg = train.Config(data=str(folder_dataset), arch="relu", epochs=2, batch_size=16, device="cpu")
    train.run(cfg, runs.runs_root() / cfg.key())
    run = runs.all_runs()[0]
    state = torch.load(run.checkpoint(2), weights_only=True)
    state["model.0.weight"][0, 0, 0, 0] = float("nan")
    torch.save(state, run.checkpoint(2))
    at = open_page("classify", "en", model="run", view="code")
    assert at.error[0].value.startswith("This checkpoint holds NaN values (model.0.weight): training diverged")
    assert not [h for h in at.subheader if h.value.startswith("Prediction")]
    at.slider(key="cls_epoch").set_value(1).run()
    assert verdict(at) and not at.error
    code = "\n".join(c.value for c in at.code)
    assert f"'runs/{run.key}/" in code and str(tmp_path) not in code


def test_the_audit_runs_on_the_bundled_sample_without_any_data(shipped):
    at = open_page("classify", "en", view="audit")  # DATA_DIR is an empty folder: only the bundled mini CIFAR-10
    assert not at.exception and at.metric[0].label == "Test accuracy"
    assert float(at.metric[0].value.rstrip("%")) > 0


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_the_model_card_names_its_recipe_in_the_learner_s_language(lang, shipped):
    _, card = shipped
    at = open_page("classify", lang)
    expected = i18n.t("cls.card", lang, epochs=card.epochs, recipe=i18n.t(f"train.recipe_{card.recipe}", lang),
                      acc=f"{card.test_acc:.2%}", norm=i18n.t("cls.norm_yes", lang))
    assert expected in [c.value for c in at.caption]
