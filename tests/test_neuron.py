"""A clicked neuron's hand-made total equals the network's own activation: conv1–conv3, the max-pool layers and
the Linear outputs, on several photos, for the shipped models (test_inside.py checks a run trained there too)."""
import numpy as np
import pytest
import torch

from core.inference import neuron, weights

from neuron_check import check_model


@pytest.mark.parametrize("name", ["course", "bn_relu"])  # no activation at all, and the best
def test_every_clicked_cell_of_a_shipped_model_adds_up_to_the_network_s_own(name):
    model, card = weights.load(name)
    check_model(model, card, np.random.default_rng(len(name)))


def test_a_layer_of_another_kind_is_refused():
    model, _ = weights.load("course")
    batch = torch.zeros(1, 3, 32, 32)
    with pytest.raises(ValueError):
        neuron.conv_neuron(model, batch, 1, 0, 0, 0)  # a MaxPool2d
    with pytest.raises(ValueError):
        neuron.pool_neuron(model, batch, 0, 0, 0, 0)
    with pytest.raises(ValueError):
        neuron.linear_neuron(model, batch, 0, 0)
