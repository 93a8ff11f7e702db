"""Convolution questions: the output size, one output cell's value, and how many windows read an input cell.

Settings come from the seed's ``random.Random`` or from the page (``mine``: ``x``, ``weight``, ``stride``,
``padding``, ``dilation``); the answer from ``F.conv2d``; the worked lines from the page's own trace.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F

from core.basics import ops, sizes
from core.basics.codegen import integral, literal
from core.practice.question import Form, Line, Question


def _settings(rng: random.Random, mine: Mapping | None, small: bool) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """(x, weight, stride, padding, dilation) that F.conv2d accepts: the page's, or drawn until they fit."""
    if mine is not None:
        x, weight = np.asarray(mine["x"], dtype=float), np.asarray(mine["weight"], dtype=float)
        ops.check_conv(x.shape, weight.shape, int(mine["stride"]), int(mine["padding"]), int(mine["dilation"]))
        return x, weight, int(mine["stride"]), int(mine["padding"]), int(mine["dilation"])
    while True:
        h, w = (rng.randint(4, 6), rng.randint(4, 6)) if small else (rng.randint(4, 32), rng.randint(4, 32))
        k = rng.choice((2, 3)) if small else rng.choice((1, 2, 3, 5, 7))
        stride, padding = rng.randint(1, 2 if small else 3), rng.randint(0, 1 if small else 3)
        dilation = 1 if small else rng.choice((1, 1, 2))
        x = np.array([[rng.randint(0, 3) for _ in range(w)] for _ in range(h)], dtype=float)
        weight = np.array([[rng.randint(-1, 2) for _ in range(k)] for _ in range(k)], dtype=float)
        try:
            ops.check_conv(x.shape, weight.shape, stride, padding, dilation)
        except ops.SettingsError:
            continue
        return x, weight, stride, padding, dilation


def _torch(x: np.ndarray, weight: np.ndarray, stride: int, padding: int, dilation: int) -> torch.Tensor:
    return F.conv2d(torch.tensor(x, dtype=torch.float64)[None, None], torch.tensor(weight, dtype=torch.float64)[None, None],
                    stride=stride, padding=padding, dilation=dilation)[0, 0]


def _params(x: np.ndarray, weight: np.ndarray, stride: int, padding: int, dilation: int) -> dict[str, object]:
    """The prompt's values, and the matrices themselves (``x``, ``weight``: what the question is about)."""
    return {"h": x.shape[0], "w": x.shape[1], "kh": weight.shape[0], "kw": weight.shape[1], "stride": stride,
            "padding": padding, "dilation": dilation, "x": x.tolist(), "weight": weight.tolist()}


def output_size(rng: random.Random, mine: Mapping | None = None) -> Question:
    """F.conv2d's output shape for an input [1, 1, H, W] and a kernel [1, 1, kH, kW]."""
    x, weight, stride, padding, dilation = _settings(rng, mine, small=False)
    out = _torch(np.zeros(x.shape), np.zeros(weight.shape), stride, padding, dilation)
    worked = tuple(Line(f"{axis}_out = {sizes.size_formula(n, k, stride, padding, dilation)}")
                   for axis, n, k in (("H", x.shape[0], weight.shape[0]), ("W", x.shape[1], weight.shape[1])))
    return Question("conv_size", Form.SHAPE, (1, 1, *out.shape), worked, "hint_conv_size",
                    _params(x, weight, stride, padding, dilation))


def value(rng: random.Random, mine: Mapping | None = None) -> Question:
    """One output cell of F.conv2d: click the input cells its window covers, then type the sum of products."""
    x, weight, stride, padding, dilation = _settings(rng, mine, small=True)
    trace = ops.conv2d_trace(x, weight, ops.ConvSettings(stride, padding, dilation))
    window = trace.windows[rng.randrange(len(trace.windows))]
    expected = float(_torch(x, weight, stride, padding, dilation)[window.out])
    return Question("conv_value", Form.NUMBER, expected, (Line(ops.window_formula(window)),), "hint_conv_value",
                    {**_params(x, weight, stride, padding, dilation), "row": window.out[0], "col": window.out[1]},
                    code=f"kernel = {literal(weight, 9, True)}", grid=tuple(map(tuple, trace.grid.tolist())),
                    cells=frozenset(window.cells), exact=integral(x, weight))


def readers(rng: random.Random, mine: Mapping | None = None) -> Question:
    """How many windows read one input cell: border cells are read by fewer windows unless padding helps."""
    x, weight, stride, padding, dilation = _settings(rng, mine, small=True)
    trace = ops.conv2d_trace(x, weight, ops.ConvSettings(stride, padding, dilation))
    r, c = rng.randrange(x.shape[0]), rng.randrange(x.shape[1])
    one_hot = np.zeros(x.shape)
    one_hot[r, c] = 1
    expected = float(_torch(one_hot, np.ones(weight.shape), stride, padding, dilation).sum())
    outputs = [trace.windows[k].out for k in trace.readers((r + padding, c + padding))]
    cells = ", ".join(f"({i}, {j})" for i, j in outputs) or "—"
    return Question("conv_readers", Form.NUMBER, expected, (Line(key="worked_readers", params={
        "cells": cells, "count": len(outputs)}),), "hint_conv_readers",
        {**_params(x, weight, stride, padding, dilation), "row": r, "col": c})
