"""One neuron of the trained network, computed by hand from what its layer reads, on the learner's photo.

A conv cell is the sum, over every input channel, of the window of that channel's map times the learned kernel
slice for it (one partial sum per channel), plus the output channel's bias: the conv page's multi-channel
arithmetic, now with the previous layer's maps (3 for conv1, 32 for conv2 and conv3) and the trained weights. A
max-pool cell is the largest of its 2×2 window; a Linear output is the sum of weight × input over its inputs plus
its bias. Each record keeps the network's own value beside the hand-made total; the tests hold them equal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@torch.no_grad()
def layer_input(model: nn.Module, batch: torch.Tensor, index: int) -> torch.Tensor:
    """What layer ``index`` of ``model.model`` reads for this photo: the output of every layer before it (eval mode,
    as the page predicts), [C, H, W] or [features]."""
    model.eval()
    x = batch
    for layer in list(model.model)[:index]:
        x = layer(x)
    return x[0]


@torch.no_grad()
def layer_io(model: nn.Module, batch: torch.Tensor, index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(what layer ``index`` reads, what it makes of it: the network's own values) for this photo."""
    x = layer_input(model, batch, index)
    return x, model.model[index](x[None])[0]


@dataclass(frozen=True)
class ConvNeuron:
    """Output cell ``cell`` of channel ``channel`` of a Conv2d, channel by channel."""

    layer: int                   # index in model.model
    channel: int
    cell: tuple[int, int]
    maps: np.ndarray             # [C_in, H + 2p, W + 2p]: the previous layer's maps, zero-padded as the layer reads them
    padding: int
    origin: tuple[int, int]      # the windows' top-left cell on the padded maps
    weight: np.ndarray           # [C_in, k, k]: this output channel's learned kernel, one slice per input channel
    partials: np.ndarray         # [C_in]: Σ window × slice, per input channel
    bias: float
    total: float                 # Σ partials + bias, worked out here
    activation: float            # the same cell as the network computes it

    @property
    def windows(self) -> np.ndarray:
        """[C_in, k, k]: what each channel's window reads."""
        k = self.weight.shape[-1]
        r0, c0 = self.origin
        return self.maps[:, r0 : r0 + k, c0 : c0 + k]

    @property
    def running(self) -> np.ndarray:
        """[C_in]: the sum of the partial sums of channels 0 … c (the animation's output cell after channel c)."""
        return np.cumsum(self.partials)


def conv_neuron(model: nn.Module, batch: torch.Tensor, index: int, channel: int, row: int, col: int) -> ConvNeuron:
    """Cell (row, col) of output channel ``channel`` of the Conv2d at ``index``, from the maps it reads.

    Worked out in float64 from the float32 maps and weights; the network's float32 sum differs by rounding alone.
    """
    conv = model.model[index]
    if not isinstance(conv, nn.Conv2d) or conv.groups != 1 or conv.dilation != (1, 1):
        raise ValueError(f"layer {index} is not a plain Conv2d")
    x, y = layer_io(model, batch, index)
    p, s = conv.padding[0], conv.stride[0]
    maps = np.pad(x.double().numpy(), ((0, 0), (p, p), (p, p)))
    weight = conv.weight[channel].detach().double().numpy()
    k = weight.shape[-1]
    r0, c0 = row * s, col * s
    partials = (maps[:, r0 : r0 + k, c0 : c0 + k] * weight).sum(axis=(1, 2))
    bias = float(conv.bias[channel].detach()) if conv.bias is not None else 0.0
    return ConvNeuron(index, channel, (row, col), maps, p, (r0, c0), weight, partials, bias,
                      float(partials.sum() + bias), float(y[channel, row, col]))


@dataclass(frozen=True)
class PoolNeuron:
    """Output cell ``cell`` of channel ``channel`` of a MaxPool2d: the largest value of its window."""

    layer: int
    channel: int
    cell: tuple[int, int]
    origin: tuple[int, int]      # the window's top-left cell on the previous layer's map
    window: np.ndarray           # [k, k]
    winner: tuple[int, int]      # the cell of the previous map that won
    value: float                 # the window's largest value, picked here
    activation: float            # the network's own


def pool_neuron(model: nn.Module, batch: torch.Tensor, index: int, channel: int, row: int, col: int) -> PoolNeuron:
    pool = model.model[index]
    if not isinstance(pool, nn.MaxPool2d) or pool.padding or pool.dilation != 1:
        raise ValueError(f"layer {index} is not a plain MaxPool2d")
    k, s = pool.kernel_size, pool.stride
    x, y = layer_io(model, batch, index)
    x = x[channel].double().numpy()
    r0, c0 = row * s, col * s
    window = x[r0 : r0 + k, c0 : c0 + k]
    a, b = np.unravel_index(int(np.argmax(window)), window.shape)
    return PoolNeuron(index, channel, (row, col), (r0, c0), window, (r0 + int(a), c0 + int(b)), float(window[a, b]),
                      float(y[channel, row, col]))


@dataclass(frozen=True)
class LinearNeuron:
    """Output ``unit`` of a Linear layer: Σ weight × input + bias, its largest terms first."""

    layer: int
    unit: int
    inputs: np.ndarray           # [in_features]
    weights: np.ndarray          # [in_features]: the layer's row for this output
    order: np.ndarray            # input indices, the largest |weight × input| first
    bias: float
    total: float
    activation: float

    @property
    def contributions(self) -> np.ndarray:
        """[in_features]: weight × input, each input's share of the output."""
        return self.weights * self.inputs

    def top(self, n: int) -> tuple[list[int], float]:
        """The ``n`` largest contributions' inputs, and the sum of all the others."""
        shown = [int(i) for i in self.order[:n]]
        return shown, float(self.contributions[self.order[n:]].sum())


def linear_neuron(model: nn.Module, batch: torch.Tensor, index: int, unit: int) -> LinearNeuron:
    linear = model.model[index]
    if not isinstance(linear, nn.Linear):
        raise ValueError(f"layer {index} is not a Linear")
    x, y = layer_io(model, batch, index)
    inputs = x.double().numpy()
    weights = linear.weight[unit].detach().double().numpy()
    terms = weights * inputs
    bias = float(linear.bias[unit].detach()) if linear.bias is not None else 0.0
    return LinearNeuron(index, unit, inputs, weights, np.argsort(-np.abs(terms), kind="stable"), bias,
                        float(terms.sum() + bias), float(y[unit]))
