"""The course's last gaps: each snippet a page shows for them runs on its own and prints what the page shows."""
import numpy as np
import pytest
import torch
from torch import nn

from core import i18n, runner
from core.chapters import modes
from core.data import discovery, images, sample

from pagetest import open_page


def test_the_sample_label_layout_snippet_makes_the_folder_it_opens(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    at = open_page("data", "zh")
    at.session_state["view"] = "Dataset"
    at.run()
    at.selectbox(key="data_dataset").set_value(discovery.SAMPLE_LABELS.id).run()
    blocks = [c.value for c in at.code]
    i = next(i for i, code in enumerate(blocks) if "MyData(" in code)
    assert f"MyData('{sample.LABELS_NAME}/train', 'cat'" in blocks[i]
    monkeypatch.chdir(tmp_path)   # a learner's empty folder: only the repository's sample is there
    printed = runner.run(blocks[i], {"assets/cifar10-sample/train": str(sample.SAMPLE / "train")})
    assert printed == blocks[i + 1], "the snippet prints what the page shows"
    assert len(list((tmp_path / sample.LABELS_NAME / "train" / "cat_label").iterdir())) == 500
    at.session_state["view"] = "DataLoader"
    at.run()
    blocks = [c.value for c in at.code]
    i = next(i for i, code in enumerate(blocks) if "DataLoader(dataset=" in code)
    assert blocks[i].count("import os") == 1 and "shutil.copy" in blocks[i]
    assert runner.run(blocks[i], {"assets/cifar10-sample/train": str(sample.SAMPLE / "train")}) == blocks[i + 1]


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5, 0.8])
def test_the_dropout_drawn_with_a_local_generator_is_what_nn_dropout_gives_after_manual_seed(p):
    for seed in range(0, 400, 37):
        shown = modes.dropout(modes.DropoutSettings(p, seed))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            expected = nn.Dropout(p)(torch.ones(modes.DROPOUT_SHAPE))
        assert torch.equal(shown.train, expected) and torch.equal(shown.eval, torch.ones(modes.DROPOUT_SHAPE))


def test_the_modes_snippet_prints_the_pages_numbers():
    before = torch.get_rng_state()
    lines = runner.run(modes.snippet(modes.DropoutSettings(0.2, 7)))
    assert torch.equal(torch.get_rng_state(), before), "the page's seed never touches the process's generator"
    bn, (predicted, right) = modes.batchnorm(), modes.predictions()
    expected = [str(modes.dropout(modes.DropoutSettings(0.2, 7)).train), str(torch.ones(modes.DROPOUT_SHAPE)),
                str(bn.train.requires_grad_()).replace("requires_grad=True", "grad_fn=<NativeBatchNormBackward0>"),
                f"{bn.running_mean} {bn.running_var}",
                str(bn.eval.requires_grad_()).replace("requires_grad=True", "grad_fn=<NativeBatchNormBackward0>"),
                "True", "False", str(predicted), str(right)]
    assert lines == "\n".join(expected)
    assert predicted.tolist() == [1, 0, 2] and int(right) == 2


def test_the_module_page_shows_dropout_in_both_modes():
    lang = "en"   # the data page's test opens its page in 中文
    at = open_page("module", lang, p="0.8", manual_seed="5")
    shown = modes.dropout(modes.DropoutSettings(0.8, 5))
    said = i18n.t("gaps.dropout", lang, zeros=int((shown.train == 0).sum()), n=16, p=0.8, scale="5",
                  mean=f"{shown.train.mean().item():g}")
    assert said in [m.value for m in at.markdown]
    bn = modes.batchnorm()
    with torch.no_grad():
        layer = nn.BatchNorm1d(3)
        batch = torch.tensor(modes.BN_BATCH)
        trained, running, tested = layer(batch), layer.running_mean.clone(), layer.eval()(batch)
    assert torch.allclose(bn.train, trained) and torch.allclose(bn.eval, tested) and torch.equal(bn.running_mean, running)
    assert i18n.t("gaps.batchnorm", lang, train="[[-1.0000, -1.0000, -1.0000], [1.0000, 1.0000, 1.0000]]",
                  mean="[0.2000, 0.4000, 0.6000]", eval=modes.written(tested)) in [m.value for m in at.markdown]
    blocks = [c.value for c in at.code]
    i = next(i for i, code in enumerate(blocks) if "nn.Dropout(p=0.8)" in code and "torch.manual_seed(5)" in code)
    assert blocks[i + 1].startswith(str(shown.train))


@pytest.mark.parametrize("batch_size", [16, 64])
def test_the_reshape_snippet_prints_what_the_tensorboard_page_shows(batch_size, tmp_path, monkeypatch):
    from core.chapters import reshaping, tbcourse

    imgs = tbcourse.sample_batches(sample.SAMPLE / "test", batch_size, epochs=1)[0][0]
    shown = reshaping.course_reshape(imgs)
    assert torch.equal(shown.shown[1], shown.output[0, 3:]), "picture 1 is image 0's channels 3 to 5"
    monkeypatch.chdir(tmp_path)
    printed = runner.run(reshaping.snippet("assets/cifar10-sample/test", batch_size),
                         {"assets/cifar10-sample/test": str(sample.SAMPLE / "test")})
    assert printed == reshaping.printed(shown)
    assert printed.splitlines()[2] == f"torch.Size([{2 * batch_size}, 3, 30, 30])"
    assert "view size is not compatible" in printed and "Use .reshape(...) instead" in printed
    assert (tmp_path / "logs").is_dir(), "the snippet writes its TensorBoard log as the course's does"



@pytest.mark.parametrize("name", images.samples())
def test_the_pil_and_opencv_snippet_prints_what_the_transforms_page_computes(name, tmp_path):
    from core.chapters import imaging

    photo = images.sample(name)
    photo.save(tmp_path / "photo.png")
    r = imaging.read(photo)
    assert np.array_equal(r.bgr[..., 0], r.rgb[..., 2]) and np.array_equal(r.bgr[..., 2], r.rgb[..., 0])
    assert r.same and r.round_trip.size == photo.size
    path = f"assets/samples/{name}.jpg"
    assert runner.run(imaging.snippet(path), {path: str(tmp_path / "photo.png")}) == imaging.printed(r)
    assert runner.run(imaging.call_snippet()) == "__call__ Hello zhangsan\nhello lisi\nTrue True"


def test_the_transforms_page_shows_call_to_pil_and_bgr():
    from core.chapters import imaging

    at = open_page("transforms", "en")
    r = imaging.read(images.sample(images.samples()[0]))
    said = [m.value for m in at.markdown]
    assert i18n.t("gaps.cv2", "en", rgb=str(r.rgb[0, 0].tolist()), bgr=str(r.bgr[0, 0].tolist()),
                  shape=r.rgb.shape) in said
    codes = [c.value for c in at.code]
    assert "__call__ Hello zhangsan\nhello lisi\nTrue True" in codes and imaging.printed(r) in codes
    assert i18n.t("gaps.cv2_not_run", "en") in [c.value for c in at.caption]


def test_vgg16_is_described_as_torchvision_downloads_it_and_never_loaded_half(tmp_path, monkeypatch):
    import torchvision

    from core.chapters import pretrained

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    d = pretrained.download()
    with torch.device("meta"):
        assert d.params == sum(p.numel() for p in torchvision.models.vgg16(weights=None).parameters()) == 138357544
    assert d.url.endswith("/vgg16-397923af.pth") and round(d.mib) == 528 and d.found_mib is None
    assert pretrained.downloading(d).endswith("/vgg16-397923af.pth\n100%|██████████| 528M/528M")
    assert str(tmp_path) not in pretrained.downloading(d)
    d.file.parent.mkdir(parents=True)
    d.file.write_bytes(b"\0" * 4096)   # an unfinished download
    half = pretrained.download()
    assert half.found_mib == pytest.approx(4096 / 2 ** 20) and not pretrained.usable(half)
    with pytest.raises(FileNotFoundError):
        pretrained.load(half)


def test_vgg16s_top5_is_torchs_softmax_of_the_preprocessed_photo():
    import torchvision

    from core.chapters import pretrained

    model = nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(12, 1000))
    photo = images.sample("cat")
    weights = torchvision.models.VGG16_Weights.DEFAULT
    with torch.no_grad():
        expected = model(weights.transforms()(photo)[None]).softmax(1)[0].topk(5)
    found = pretrained.top5(model, photo)
    assert [name for name, _ in found] == [weights.meta["categories"][i] for i in expected.indices.tolist()]
    assert [p for _, p in found] == pytest.approx(expected.values.tolist(), abs=0)


def test_the_model_page_says_the_weights_are_absent_and_does_not_run_vgg16(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    at = open_page("model", "zh", vgg_photo="coffee")
    assert i18n.t("gaps.vgg_not_run", "zh") in [c.value for c in at.caption]
    assert any("Image.open('assets/samples/coffee.jpg')" in c.value for c in at.code)
    assert i18n.t("gaps.vgg_absent", "zh", file="vgg16-397923af.pth", mib="527.8") in [m.value for m in at.info]


def test_the_training_page_names_the_recipe_shown_and_opens_the_courses_loop_in_one_click(tmp_path, monkeypatch):
    from conftest import make_folder_dataset

    make_folder_dataset(tmp_path / "data" / "pets")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    at = open_page("train", "en", dataset="pets")
    shown = at.segmented_control(key="train_recipe").value
    assert shown != "course" and not at.code[0].value.startswith("# The course's train.py")
    recipe = i18n.t(f"train.recipe_{shown}", "en")
    assert i18n.t("gaps.train_shown", "en", recipe=recipe) in [i.value for i in at.info]
    at.button(key="train_to_course").click().run()
    assert at.segmented_control(key="train_recipe").value == "course" and at.query_params.get("recipe") in (
        "course", ["course"])
    assert at.code[0].value.startswith("# The course's train.py") and all(b.key != "train_to_course" for b in at.button)
    assert 'writer.add_scalar("total_test_loss", total_test_loss' in at.code[0].value
