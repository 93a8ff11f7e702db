"""A clicked neuron checked against the network: each hand-made total equals the network's own activation, for
conv1–conv3, the max-pool layers and the Linear outputs of a model, on several photos (shipped models and runs)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.data import images
from core.inference import infer, neuron

PHOTOS = ("cat", "rocket")


def batches(card):
    return [infer.prepare(images.sample(name), card.mean, card.std).batch for name in PHOTOS]


def cells(rng, model, batch, index, n=4):
    """n random (channel, row, column) cells of layer ``index``'s output, corners included."""
    c, h, w = neuron.layer_io(model, batch, index)[1].shape
    picked = [(0, 0, 0), (c - 1, h - 1, w - 1)]
    return picked + [(int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))) for _ in range(n - 2)]


def check_model(model, card, rng):
    layers = list(model.model)
    convs = [i for i, m in enumerate(layers) if isinstance(m, nn.Conv2d)]
    pools = [i for i, m in enumerate(layers) if isinstance(m, nn.MaxPool2d)]
    linears = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    assert len(convs) == 3 and len(pools) == 3 and len(linears) == 2
    for batch in batches(card):
        with torch.no_grad():
            logits = model.eval()(batch)[0]
        for index in convs:
            for channel, r, c in cells(rng, model, batch, index):
                n = neuron.conv_neuron(model, batch, index, channel, r, c)
                assert n.total == pytest.approx(n.activation, abs=1e-4, rel=1e-5)
                assert n.running[-1] + n.bias == pytest.approx(n.total)
                assert len(n.partials) == model.model[index].in_channels  # 3 for conv1, 32 for conv2 and conv3
                # each partial sum is that one channel's convolution, as F.conv2d computes it
                one = int(rng.integers(len(n.partials)))
                padded = torch.from_numpy(n.maps[one]).float()[None, None]
                alone = F.conv2d(padded, model.model[index].weight[channel, one].detach()[None, None])[0, 0, r, c]
                assert n.partials[one] == pytest.approx(float(alone), abs=1e-4)
        for index in pools:
            for channel, r, c in cells(rng, model, batch, index, n=2):
                p = neuron.pool_neuron(model, batch, index, channel, r, c)
                assert p.value == pytest.approx(p.activation, abs=1e-6)
                assert p.window.max() == p.value and p.window.shape == (2, 2)
                x = neuron.layer_input(model, batch, index)[channel]
                assert float(x[p.winner]) == p.value
        for unit in (0, int(logits.argmax()), 9):
            lin = neuron.linear_neuron(model, batch, linears[-1], unit)
            assert lin.total == pytest.approx(lin.activation, abs=1e-4) == pytest.approx(float(logits[unit]), abs=1e-4)
            shown, rest = lin.top(5)
            assert sum(lin.contributions[shown]) + rest + lin.bias == pytest.approx(lin.total)
            assert abs(lin.contributions[shown[0]]) == pytest.approx(np.abs(lin.contributions).max())
