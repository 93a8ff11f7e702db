"""Grad-CAM and integrated gradients equal a direct computation on tiny networks, and behave on the shipped ones."""
import numpy as np
import pytest
import torch
from torch import nn

from core.data import images
from core.inference import attribution, infer, weights


class Tiny(nn.Module):
    """A conv block, 2×2 max pooling and a Linear head, laid out as CIFAR10-quick is (``self.model``)."""

    def __init__(self, generator: torch.Generator, head: int = 4) -> None:
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, head))
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator))

    def forward(self, x):
        return self.model(x)


@pytest.mark.parametrize("seed", range(6))
def test_grad_cam_equals_the_gradient_worked_out_by_hand(seed):
    g = torch.Generator().manual_seed(seed)
    net, x = Tiny(g), torch.randn(1, 2, 4, 4, generator=g)
    target = seed % 4
    with torch.no_grad():
        a = net.model[0](x)[0].numpy()                       # [3, 4, 4]: the conv block's maps
    w = net.model[3].weight[target].detach().numpy().reshape(3, 2, 2)  # Flatten's order: channel, row, column
    grad = np.zeros_like(a)  # d score / d A: the Linear weight lands on each pool window's largest cell, 0 elsewhere
    for k in range(3):
        for i in range(2):
            for j in range(2):
                window = a[k, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
                r, c = np.unravel_index(window.argmax(), (2, 2))
                grad[k, 2 * i + r, 2 * j + c] = w[k, i, j]
    alpha = grad.mean(axis=(1, 2))
    expected = np.maximum((alpha[:, None, None] * a).sum(0), 0)
    cam = attribution.grad_cam(net, x, target)
    assert np.allclose(cam.weights, alpha, atol=1e-6)
    assert np.allclose(cam.coarse, expected, atol=1e-5)
    assert cam.upsampled.shape == (4, 4)


def test_integrated_gradients_of_a_linear_model_are_input_times_weight():
    g = torch.Generator().manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(48, 3))
    x = torch.randn(1, 3, 4, 4, generator=g)
    for target in range(3):
        ig = attribution.integrated_gradients(net, x, target, steps=8)
        expected = x[0].numpy() * net[1].weight[target].detach().numpy().reshape(3, 4, 4)
        assert np.allclose(ig.attribution, expected, atol=1e-6)
        assert ig.per_pixel.sum() == pytest.approx(ig.gap, abs=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_integrated_gradients_add_up_to_the_score_change_on_a_tiny_conv_net(seed):
    g = torch.Generator().manual_seed(seed)
    net, x = Tiny(g), torch.randn(1, 2, 4, 4, generator=g)
    ig = attribution.integrated_gradients(net, x, 1, steps=512)
    # the midpoint rule against the same path integral in 4,096 points, worked out with the gradient of each point
    alphas = (torch.arange(4096) + 0.5) / 4096
    path = (alphas[:, None, None, None] * x[0]).requires_grad_(True)
    (grads,) = torch.autograd.grad(net(path)[:, 1].sum(), path)
    fine = (x[0] * grads.mean(0)).numpy()
    assert np.allclose(ig.attribution, fine, atol=2e-2 * np.abs(fine).max())
    assert ig.attribution.sum() == pytest.approx(ig.gap, rel=2e-2, abs=1e-2)


@pytest.mark.parametrize("name", ["course", "bn_relu"])
def test_on_a_shipped_model_the_maps_cover_the_photo(name):
    model, card = weights.load(name)
    batch = infer.prepare(images.sample("cat"), card.mean, card.std).batch
    with torch.no_grad():
        best = int(model(batch)[0].argmax())
    cam = attribution.grad_cam(model, batch, best)
    assert cam.coarse.shape == (8, 8) and cam.upsampled.shape == (32, 32) and cam.coarse.max() > 0
    ig = attribution.integrated_gradients(model, batch, best)
    assert ig.per_pixel.shape == (32, 32)
    assert ig.attribution.sum() == pytest.approx(ig.gap, rel=0.1)  # completeness, to the 64-point rule's accuracy
    assert not any(p.grad is not None for p in model.parameters())  # the shared model's parameters are left alone
