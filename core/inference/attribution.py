"""Where the network looked: Grad-CAM on the last conv block and integrated gradients on the input pixels.

Written here in a few lines rather than taken from captum, PyTorch's interpretability library: captum 0.9 is small
(4.5 MB) but needs matplotlib, which this app does not use otherwise (80 MB installed in all, +35 MB resident and
~4 s on import, per server process), for two methods that are each a forward and a backward pass.

Grad-CAM (Selvaraju et al. 2017): the gradient of the class's score with respect to each channel of the last conv
block's output, averaged over the map, weighs that channel; the weighted sum of the channels, negatives cut off, says
which 8×8 region raised the score. Integrated gradients (Sundararajan et al. 2017): the gradient with respect to
every input value, averaged along the straight path from a baseline (all inputs 0) to the photo, times the photo
minus the baseline; its values add up to score(photo) − score(baseline).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def last_block(model: nn.Module) -> int:
    """The index in model.model of the last conv block's output: the layer just before the last MaxPool2d (the
    conv itself in the course's network, its ReLU in the variants)."""
    pools = [i for i, layer in enumerate(model.model) if isinstance(layer, nn.MaxPool2d)]
    return pools[-1] - 1


@dataclass(frozen=True)
class GradCam:
    target: int
    coarse: np.ndarray      # [h, w]: ReLU(Σ_k α_k A_k) on the block's own grid (8×8 in CIFAR10-quick)
    weights: np.ndarray     # [K]: α_k, the mean gradient of channel k
    upsampled: np.ndarray   # [H, W]: ``coarse`` bilinearly resized to the input's size, to lay over the photo


def grad_cam(model: nn.Module, batch: torch.Tensor, target: int) -> GradCam:
    model.eval()
    index = last_block(model)
    layers = list(model.model)
    with torch.no_grad():
        features = nn.Sequential(*layers[: index + 1])(batch)
    features.requires_grad_(True)
    score = nn.Sequential(*layers[index + 1 :])(features)[0, target]
    (grad,) = torch.autograd.grad(score, features)
    weights = grad[0].mean(dim=(1, 2))
    coarse = F.relu((weights[:, None, None] * features[0]).sum(0)).detach()
    upsampled = F.interpolate(coarse[None, None], size=batch.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    return GradCam(target, coarse.numpy(), weights.numpy(), upsampled.numpy())


@dataclass(frozen=True)
class Integrated:
    target: int
    attribution: np.ndarray  # [C, H, W]: (x − baseline) × the mean gradient along the path
    gap: float               # score(photo) − score(baseline): what the attributions add up to, as steps grow

    @property
    def per_pixel(self) -> np.ndarray:
        """[H, W]: the channels' attributions summed, one value per pixel."""
        return self.attribution.sum(0)


def integrated_gradients(model: nn.Module, batch: torch.Tensor, target: int, steps: int = 64) -> Integrated:
    """The path integral by the midpoint rule in ``steps`` points, in one batch (64 images of 32×32: one pass)."""
    model.eval()
    x = batch[0]
    baseline = torch.zeros_like(x)
    alphas = (torch.arange(steps, dtype=x.dtype) + 0.5) / steps
    path = (baseline + alphas[:, None, None, None] * (x - baseline)).requires_grad_(True)
    scores = model(path)[:, target]
    (grads,) = torch.autograd.grad(scores.sum(), path)
    attribution = (x - baseline) * grads.mean(0)
    with torch.no_grad():
        ends = model(torch.stack([x, baseline]))[:, target]
    return Integrated(target, attribution.detach().numpy(), float(ends[0] - ends[1]))
