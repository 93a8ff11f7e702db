"""Transforms step by step: the crops drawn are RandomCrop's, the stages are what Compose produces."""
import numpy as np
import pytest
import torch
from torchvision import transforms

from core import codegen, images
from core import transforms as T


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


@pytest.mark.parametrize("steps,reason", [
    ([{"name": "Normalize", "mean": [0.5] * 3, "std": [0.5] * 3}], "needs_tensor"),
    ([{"name": "ToTensor"}, {"name": "ToTensor"}], "needs_pil"),
    ([{"name": "RandomCrop", "size": 2000, "padding": 0, "fill": 0, "padding_mode": "constant"}], "crop_too_big"),
])
def test_orders_torchvision_rejects_are_explained(steps, reason):
    stages = T.run(images.sample("cat"), steps)
    assert stages[-1].error and T.explain(stages[-1].error) == reason


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
