"""Transforms step by step: the crops drawn are RandomCrop's, the stages are what Compose produces."""
import numpy as np
import pytest
import torch
from torchvision import transforms

from core import errors, i18n
from core.basics import codegen
from core.data import images
from core.data import transforms as T


@pytest.mark.parametrize("size,padding,mode", [(64, 0, "constant"), (200, 16, "reflect"), (32, 4, "edge")])
def test_the_boxes_drawn_are_the_crops_randomcrop_returns(size, padding, mode):
    photo = images.sample("coffee")
    padded, boxes, crops = T.random_crops(photo, size, padding, 0, mode, 5, seed=3)
    assert padded.size == (photo.width + 2 * padding, photo.height + 2 * padding)
    torch.manual_seed(3)
    real = transforms.RandomCrop(size, padding=padding or None, padding_mode=mode)
    for (top, left, h, w), crop in zip(boxes, crops):
        expected = real(photo)
        assert (h, w) == (size, size)
        assert np.array_equal(np.asarray(crop), np.asarray(expected))
        assert np.array_equal(np.asarray(padded.crop((left, top, left + w, top + h))), np.asarray(expected))


def test_stages_report_type_and_shape_after_each_step():
    steps = [{"name": "Resize", "size": 256, "interpolation": "bilinear"}, {"name": "ToTensor"},
             {"name": "Normalize", "mean": [0.5] * 3, "std": [0.5] * 3}]
    stages = T.run(images.sample("cat"), steps)
    # Resize(256) matches the shorter side: 451 × 256 / 300 = 384.85, which torchvision truncates to 384
    assert [(s.kind, s.shape) for s in stages] == [("PIL", (451, 300)), ("PIL", (384, 256)),
                                                    ("Tensor", (3, 256, 384)), ("Tensor", (3, 256, 384))]
    assert stages[2].low >= 0 and stages[2].high <= 1 and stages[3].low >= -1 and stages[3].low < 0


@pytest.mark.parametrize("steps,code", [
    ([{"name": "Normalize", "mean": [0.5] * 3, "std": [0.5] * 3}], "step_needs_tensor"),
    ([{"name": "ToTensor"}, {"name": "ToTensor"}], "step_needs_pil"),
    ([{"name": "RandomCrop", "size": 2000, "padding": 0, "fill": 0, "padding_mode": "constant"}], "step_crop_too_big"),
])
def test_orders_torchvision_rejects_are_explained(steps, code):
    stages = T.run(images.sample("cat"), steps)
    error = stages[-1].error
    assert error.code == code and error.params["step"] == stages[-1].expression
    for lang in i18n.LANGUAGES:  # PyTorch's own message, then why, in the learner's language
        message = errors.explain(error, lang)
        shown = errors.quoted(i18n.t(error.key, lang), error.params)["error"]   # as Markdown, escaped
        assert shown in message and message != i18n.t("tf.step_failed", lang, **error.params)


def test_pipeline_code_prints_the_last_stage(tmp_path, monkeypatch):
    photo = images.sample("rocket")
    photo.save(tmp_path / "rocket.png")
    monkeypatch.chdir(tmp_path)
    steps = [{"name": "RandomCrop", "size": 300, "padding": 8, "fill": 0, "padding_mode": "reflect"},
             {"name": "RandomHorizontalFlip", "p": 0.5}, {"name": "Resize", "size": [64, 48], "interpolation": "nearest"},
             {"name": "ToTensor"}, {"name": "Normalize", "mean": [0.4914, 0.4822, 0.4465], "std": [0.247, 0.2435, 0.2616]}]
    last = T.run(photo, steps, seed=11)[-1]
    assert codegen.run(T.code(steps, 11, "rocket.png")) == f"Tensor {torch.Size(last.shape)}"


def test_denormalize_inverts_normalize():
    x = torch.rand(3, 8, 8)
    mean, std = [0.4, 0.5, 0.6], [0.2, 0.3, 0.4]
    assert torch.allclose(T.denormalize(T.build({"name": "Normalize", "mean": mean, "std": std})(x), mean, std), x,
                          atol=1e-6)


def test_random_steps_equal_torchvision_under_the_same_seed_without_touching_the_global_rng():
    """The page draws from its own generator; the learner's snippet seeds torch: both must give the same pictures."""
    photo = images.sample("coffee")
    steps = [{"name": "RandomCrop", "size": 120, "padding": 8, "fill": 0, "padding_mode": "reflect"},
             {"name": "RandomHorizontalFlip", "p": 0.5},
             {"name": "ColorJitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
             {"name": "ToTensor"}]
    torch.manual_seed(12345)
    before = torch.get_rng_state()
    for seed in (0, 1, 7):
        ours = T.run(photo, steps, seed)[-1].value
        assert torch.equal(torch.get_rng_state(), before), "the page must not seed or draw from torch's global RNG"
        torch.manual_seed(seed)
        theirs = transforms.Compose([T.build(s) for s in steps])(photo)
        assert torch.equal(ours, theirs)
        torch.set_rng_state(before)


def test_a_pipeline_travels_in_the_url():
    steps = [{"name": "Resize", "size": 512, "interpolation": "bilinear"}, {"name": "ToTensor"},
             {"name": "Normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
             {"name": "RandomCrop", "size": 100, "padding": 4, "fill": 0, "padding_mode": "reflect"},
             {"name": "Resize", "size": [64, 48], "interpolation": "nearest"}]
    text = T.to_query(steps)
    assert text == ("Resize(size=512);ToTensor;Normalize(preset=imagenet);"
                    "RandomCrop(size=100,padding=4,padding_mode=reflect);Resize(size=64x48,interpolation=nearest)")
    assert T.from_query(text) == steps
    # the course's default pipeline keeps its Resize(512): it does not turn into Resize(256)
    assert [T.expression(s) for s in T.from_query(T.DEFAULT_PIPELINE)][0] == "transforms.Resize(512)"


@pytest.mark.parametrize("text, code", [("Rotate(90)", "unknown_step"), ("Resize(size=9999)", "bad_step_value"),
                                        ("Resize(sized=5)", "bad_step_value"), ("Resize(interpolation=lanczos)",
                                                                                 "bad_step_value"),
                                        (";".join(["ToTensor"] * 13), "too_many_steps"), ("Resize(size=5", "unknown_step")])
def test_bad_pipelines_are_named(text, code):
    from core.query import QueryError

    with pytest.raises(QueryError) as err:
        T.from_query(text)
    assert err.value.code == code


@pytest.mark.parametrize("size", [(1, 1), (1, 1024), (1024, 1), (3, 700)])
def test_odd_sizes_run_or_are_explained(size):
    from PIL import Image

    photo = Image.new("RGB", size, (200, 10, 10))
    stages = T.run(photo, T.from_query("Resize(size=256);CenterCrop;ToTensor;Normalize"))
    assert stages[-1].error is None or isinstance(stages[-1].error, T.TooBig)
    if max(size) / min(size) > 400:
        assert stages[-1].error.code == "step_too_big" and stages[-1].error.params["size"] == stages[-2].shape
        w, h = size   # Resize(256) sets the shorter side to 256: the message names the picture it would make
        wanted = (256, round(256 * h / w)) if w < h else (round(256 * w / h), 256)
        assert f"{wanted[0]} × {wanted[1]}" in errors.explain(stages[-1].error, "en")


def random_pipeline(rng) -> list[dict]:
    """A pipeline as the editor can make one: any steps, any values its widgets and presets offer."""
    choices = {"size": lambda: rng.choice([rng.randint(8, 512), [rng.randint(8, 512), rng.randint(8, 512)]]),
               "interpolation": lambda: rng.choice(T.INTERPOLATIONS), "padding": lambda: rng.choice([0, 4, 64]),
               "fill": lambda: rng.choice([0, 255]), "padding_mode": lambda: rng.choice(T.PADDING_MODES),
               "p": lambda: rng.choice([0.0, 0.5, 0.75]), "hue": lambda: rng.choice([0.0, 0.1, 0.5])}
    steps = []
    for name in rng.choices(T.STEPS, k=rng.randint(1, 6)):
        step = T.KINDS[name].new()
        for key in step.keys() - {"name", "mean", "std"}:
            step[key] = choices.get(key, lambda: rng.choice([0.0, 0.4, 1.0]))()
        if name == "Normalize":
            step["mean"], step["std"] = (list(v) for v in rng.choice(list(T.NORMALIZE_PRESETS.values())))
        if name == "CenterCrop":
            step["size"] = rng.randint(8, 512)
        steps.append(step)
    return steps


def settings(transform) -> dict:
    """What a transform was built with (its public attributes: RandomCrop's repr leaves out fill and padding_mode)."""
    return {k: v for k, v in vars(transform).items() if not k.startswith("_")}


def test_every_pipeline_comes_back_from_its_link_and_its_code_builds_the_same_transforms():
    import random

    from torchvision.transforms import InterpolationMode

    rng = random.Random(0)
    for _ in range(300):
        steps = random_pipeline(rng)
        assert T.from_query(T.to_query(steps)) == steps
        code = T.code(steps, 0, "x.png")
        for step in steps:
            written = eval(T.expression(step), {"transforms": transforms, "InterpolationMode": InterpolationMode})
            assert settings(written) == settings(T.build(step)), T.expression(step)
            assert T.expression(step) in code
        assert ("import InterpolationMode" in code) == ("InterpolationMode." in code)
