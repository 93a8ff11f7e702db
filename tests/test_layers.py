"""The layers page's numbers: the course's values and the identities they come from."""
import numpy as np
import pytest
import torch

from core import course, model
from core.basics import layers


def test_relu_and_sigmoid_on_the_course_matrix():
    out = layers.activations(course.ACTIVATION_INPUT)
    assert out["relu"].tolist() == [[1, 0], [0, 3]]
    assert out["sigmoid"].numpy() == pytest.approx(1 / (1 + np.exp(-course.ACTIVATION_INPUT)), abs=1e-6)


def test_course_losses():
    r = layers.regression_losses(course.LOSS_INPUT, course.LOSS_TARGET)
    assert round(float(r["l1_mean"]), 4) == 0.6667 and float(r["l1_sum"]) == 2
    assert round(float(r["mse_mean"]), 4) == 1.3333 and float(r["mse_sum"]) == 4


@pytest.mark.parametrize("logits,target", [(course.CROSS_ENTROPY_LOGITS, 1), ([2.0, -1.0, 0.5, 3.0], 3), ([0, 0], 0)])
def test_cross_entropy_steps_add_up(logits, target):
    ce = layers.cross_entropy_steps(logits, target)
    x = torch.tensor(logits, dtype=torch.float32)
    assert float(ce["softmax"].sum()) == pytest.approx(1)
    assert float(ce["loss"]) == pytest.approx(-float(x[target]) + float(ce["log_sum_exp"]), abs=1e-6)
    assert float(ce["loss"]) == pytest.approx(-np.log(float(ce["softmax"][target])), abs=1e-6)
    onehot = torch.nn.functional.one_hot(torch.tensor(target), len(logits))
    assert torch.allclose(ce["grad"], ce["softmax"] - onehot, atol=1e-6)
    if logits == course.CROSS_ENTROPY_LOGITS:
        assert round(float(ce["loss"]), 4) == 1.1019


def test_flattening_the_whole_batch_breaks_on_the_last_batch():
    settings = layers.FlattenSettings()   # the course's: 10,000 test images, batches of 64 of 3×32×32
    assert (settings.full_batches, settings.last_batch) == (156, 10000 % 64)
    paths = layers.flatten_paths(settings)
    whole, keep = paths["whole"], paths["keep"]
    assert [s.shape for s in whole[:3]] == [(196608,), (10,), (49152,)]
    assert whole[3].shape is None and "cannot be multiplied (1x49152 and 196608x10)" in whole[3].error
    assert [s.shape for s in keep] == [(64, 3072), (64, 10), (16, 3072), (16, 10)]


def test_cifar10_quick_flattens_to_1024():
    rows = model.layer_table("course", (64, 3, 32, 32))
    assert [r.shape for r in rows if "Flatten" in r.layer] == [(64, 1024)]
    assert rows[-1].shape == (64, 10)
