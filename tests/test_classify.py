"""Classifying: safe checkpoint loading, the course's preprocessing, feature maps, the audit, the snippet."""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import transforms

from core.basics import codegen
from core.data import images
from core.data.tensors import TensorSplit
from core.inference import checkpoints, infer
from core.model import ARCHITECTURES, Tudui

from checkpoint_files import Hostile, deflated_bomb, saved


@pytest.mark.parametrize("legacy", [False, True])
def test_a_hostile_checkpoint_is_refused_without_running(tmp_path, legacy):
    marker = tmp_path / "pwned"
    data = saved({"model.0.weight": Hostile(marker)}, _use_new_zipfile_serialization=not legacy)
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(data)
    assert err.value.code == "full_pickle" and not marker.exists()


def test_a_whole_model_saved_the_courses_first_way_is_explained():
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(saved(Tudui("course")))
    assert err.value.code == "full_pickle" and "Tudui" in err.value.params["detail"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_refusal_quotes_pytorchs_message_as_written(monkeypatch, lang):
    """The course's file names __main__.Tudui, and PyTorch's message, cut at 200 characters, leaves a backtick
    open: unescaped, Markdown showed a bold "main" and set the rest of the refusal as code."""
    import re
    import sys

    from core import errors

    class Main(Tudui):
        pass

    Main.__module__, Main.__qualname__ = "__main__", "Tudui"
    monkeypatch.setattr(sys.modules["__main__"], "Tudui", Main, raising=False)
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(saved(Main("course")))
    assert err.value.params["detail"].count("`") % 2 == 1   # the cut message really leaves one open
    text = errors.explain(err.value, lang)
    assert r"GLOBAL \_\_main\_\_.Tudui" in text
    plain = re.sub(r"\\.", "", text)                        # what Markdown reads as markup
    assert "__" not in plain and plain.count("`") % 2 == 0


@pytest.mark.parametrize("data,code", [(b"", "not_checkpoint"), (b"not a checkpoint", "not_checkpoint"),
                                       (b"PK\x03\x04 broken zip", "not_checkpoint")])
def test_junk_is_not_a_checkpoint(data, code):
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(data)
    assert err.value.code == code


def test_not_a_state_dict():
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(saved([torch.zeros(3)]))
    assert err.value.code == "not_state_dict" and err.value.params == {"kind": "list"}


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_architectures_are_recognised_and_mismatches_named(arch):
    state = checkpoints.read_state_dict(saved(Tudui(arch).state_dict()))
    assert checkpoints.guess_architecture(state) == arch
    other = "course" if arch == "bn_relu" else "bn_relu"  # the course's and +ReLU's hold the same tensors
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.build(state, other)
    assert err.value.code == "mismatch" and err.value.params["arch"] == other
    wrapped = checkpoints.read_state_dict(saved({"model": Tudui(arch).state_dict(), "epoch": 3}))
    assert checkpoints.guess_architecture(wrapped) == arch  # our resume.pt layout


def test_a_shape_mismatch_names_the_shapes():
    state = Tudui("course").state_dict()
    state["model.8.weight"] = torch.zeros(7, 64)
    state["model.8.bias"] = torch.zeros(7)
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.build(state, "course")
    assert err.value.params["position"] == 5 and err.value.params["found"] == "model.8: bias [7], weight [7, 64]"
    assert err.value.params["expected"] == "model.8: bias [10], weight [10, 64]"


@pytest.mark.parametrize("size,mode", [((451, 300), "RGB"), ((1, 1), "RGB"), ((40, 20), "L"), ((64, 64), "RGBA")])
def test_preprocessing_is_the_courses(size, mode):
    image = images.sample("cat").resize(size).convert(mode)
    prepared = infer.prepare(image)
    expected = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor()])(image.convert("RGB"))
    assert torch.equal(prepared.tensor, expected) and prepared.batch.shape == (1, 3, 32, 32)
    normalised = infer.prepare(image, [0.5] * 3, [0.25] * 3)
    assert torch.allclose(normalised.tensor, (expected - 0.5) / 0.25)


def test_feature_maps_follow_every_conv_and_pool():
    model = Tudui("bn_relu").eval()
    maps = infer.feature_maps(model, torch.rand(1, 3, 32, 32))
    assert [tuple(m.shape) for _, _, m in maps] == [(32, 32, 32), (32, 16, 16), (32, 16, 16), (32, 8, 8),
                                                    (64, 8, 8), (64, 4, 4)]
    x = torch.rand(1, 3, 32, 32)
    last_pool = infer.feature_maps(model, x)[-1][2]
    assert torch.allclose(model.model[-4:](last_pool[None]), model(x), atol=1e-5)  # the maps are the real path


def test_audit_counts_add_up():
    torch.manual_seed(0)
    split = TensorSplit(torch.randint(0, 256, (300, 3, 32, 32), dtype=torch.uint8), torch.randint(0, 10, (300,)),
                        [str(i) for i in range(10)])
    result = infer.audit(Tudui("course"), split, None, None, mistakes=5, batch_size=64)
    confusion = torch.tensor(result.confusion)
    assert confusion.sum() == 300 and confusion.diag().sum() / 300 == pytest.approx(result.accuracy)
    assert len(result.mistakes) == 5 and all(t != p for _, t, p, _ in result.mistakes)
    assert [c for *_, c in result.mistakes] == sorted((c for *_, c in result.mistakes), reverse=True)


def test_classify_snippet_prints_the_pages_logits(tmp_path, monkeypatch):
    torch.manual_seed(1)
    model = Tudui("relu").eval()
    torch.save(model.state_dict(), tmp_path / "tudui.pth")
    photo = images.sample("coffee")
    photo.save(tmp_path / "coffee.png")
    monkeypatch.chdir(tmp_path)
    mean, std = [0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]
    logits, _ = infer.predict(model, infer.prepare(Image.open("coffee.png"), mean, std).batch)
    printed = codegen.run(codegen.classify(model.model, "tudui.pth", "coffee.png", mean, std))
    assert printed == f"{logits[None]}\ntensor([{int(logits.argmax())}])"


def test_a_zip_bomb_is_refused_from_its_directory_before_torch_load(monkeypatch):
    bomb = deflated_bomb(200)  # 200 MB of zeros: ~200 kB, beside the model's other 0.6 MB
    assert len(bomb) < 1_000_000
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load reached"))
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(bomb)
    assert err.value.code == "too_large" and err.value.params == {"mb": 201, "limit": checkpoints.MAX_MB}


def test_a_compressed_entry_is_refused_even_under_the_size_limit(monkeypatch):
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load reached"))
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(deflated_bomb(30))
    assert err.value.code == "zip_bomb" and err.value.params["mb"] == 30


def test_more_tensors_than_the_limit_are_refused_even_stored():
    big = {"model.0.weight": torch.zeros(checkpoints.MAX_MB * 2**20 // 4 + 1)}
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(saved(big))
    assert err.value.code == "too_large"


@pytest.mark.parametrize("value,code", [(float("nan"), "nan"), (float("inf"), "inf")])
def test_diverged_weights_are_explained_not_predicted(value, code):
    state = Tudui("relu").state_dict()
    state["model.0.bias"][2] = value
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.build(state, "relu")
    assert err.value.code == code and err.value.params == {"names": "model.0.bias"}


def test_an_upload_keeps_tensors_only_when_they_fit():
    fits = checkpoints.read_upload(saved(Tudui("bn_relu").state_dict()))
    assert fits.guessed == "bn_relu" and fits.state is not None
    odd = Tudui("course").state_dict()
    odd["model.8.weight"] = torch.zeros(7, 64)
    other = checkpoints.read_upload(saved(odd))
    assert other.guessed is None and other.state is None and other.shapes["model.8.weight"] == (7, 64)
    assert checkpoints.mismatch(other.shapes, "course").params["found"] == "model.8: bias [10], weight [7, 64]"


def test_the_whole_model_refusal_shows_how_to_resave_it(tmp_path, monkeypatch):
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_state_dict(saved(Tudui("course")))
    assert err.value.params["global_name"] == "core.model.Tudui"
    torch.save(Tudui("relu"), tmp_path / "whole.pth")
    monkeypatch.chdir(tmp_path)
    code = codegen.resave("whole.pth", err.value.params["global_name"])
    assert "from core.model import Tudui" in code and "weights_only=False" in code and "map_location='cpu'" in code
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    codegen.run(code)
    state = torch.load(tmp_path / "whole_state_dict.pth", weights_only=True)
    assert checkpoints.guess_architecture(state) == "relu"
    assert "from model import Tudui" in codegen.resave("tudui.pth", "__main__.Tudui")


def test_seen_is_predict_and_the_feature_maps_as_arrays():
    model = Tudui("bn_relu").eval()
    batch = infer.prepare(images.sample("rocket")).batch
    result = infer.seen(model, batch)
    logits, probs = infer.predict(model, batch)
    assert np.array_equal(result.logits, logits.numpy()) and np.array_equal(result.probs, probs.numpy())
    assert [m.shape for *_, m in result.maps] == [tuple(m.shape) for *_, m in infer.feature_maps(model, batch)]
