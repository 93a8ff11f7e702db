"""Layer questions: ReLU and Sigmoid of a value; L1, MSE and CrossEntropy of given outputs and targets.

The answers come from core.basics.layers, the very torch modules the layers page runs, in float32 like the
course; the worked lines write out the same differences, squares and softmax terms the page shows. ``mine``: the
layers page's own values, whichever tab is open: ``input`` (the activation tab's matrix), ``inputs`` and
``targets`` (the loss pair), ``logits`` and ``target`` (CrossEntropy's output and class).
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping

import numpy as np

from core.basics import layers
from core.basics.ops import number
from core.practice.question import Form, Line, Question


def _list(values) -> str:
    return f"[{', '.join(number(float(v)) for v in values)}]"


def activation(rng: random.Random, mine: Mapping | None = None) -> Question:
    """nn.ReLU() or nn.Sigmoid() of one value (with ``mine``: one of the page's matrix, a negative one if any, where
    ReLU and Sigmoid differ most from doing nothing)."""
    if mine is not None:
        values = [float(v) for v in np.ravel(mine["input"])]
        v = rng.choice([x for x in values if x < 0] or values)
    else:
        v = round(rng.uniform(-4, 4), 1)
    name = rng.choice(("relu", "sigmoid"))
    got = float(layers.activations(np.array([[v]]))[name][0, 0])
    formula = (f"ReLU({number(v)}) = max(0, {number(v)}) = {number(got)}" if name == "relu"
               else f"Sigmoid({number(v)}) = 1 / (1 + e^({number(-v)})) = 1 / (1 + {number(math.exp(-v))}) = {number(got)}")
    return Question("activation", Form.NUMBER, got, (Line(formula),), f"hint_{name}",
                    {"layer": "nn.ReLU()" if name == "relu" else "nn.Sigmoid()", "value": number(v)}, exact=False)


def loss(rng: random.Random, mine: Mapping | None = None) -> Question:
    """nn.L1Loss(), nn.MSELoss() or nn.CrossEntropyLoss() for a few numbers (``mine``: the page's own)."""
    name = rng.choice(("l1", "mse", "cross_entropy"))
    if name == "cross_entropy":
        if mine is not None:
            logits, target = [float(v) for v in mine["logits"]], int(mine["target"])
        else:
            logits = [round(rng.uniform(-1, 2), 1) for _ in range(3)]
            target = rng.randrange(3)
        steps = layers.cross_entropy_steps(np.array(logits), target)
        terms = " + ".join(f"e^{number(v)}" for v in logits)
        worked = (Line(f"loss = −x[{target}] + log({terms})"),
                  Line(f"     = −{number(logits[target])} + log({number(float(steps['sum_exp']))})"
                       f" = {number(float(steps['loss']))}"))
        return Question("loss_cross_entropy", Form.NUMBER, float(steps["loss"]), worked, "hint_cross_entropy",
                        {"output": _list(logits), "target": target}, exact=False)
    if mine is not None:
        inputs, targets = [float(v) for v in mine["inputs"]], [float(v) for v in mine["targets"]]
    else:
        inputs = [rng.randint(0, 5) for _ in range(3)]
        targets = [rng.randint(0, 5) for _ in range(3)]
    result = layers.regression_losses(np.array(inputs), np.array(targets))
    if name == "l1":
        terms = " + ".join(f"|{number(a)}−{number(b)}|" for a, b in zip(inputs, targets))
        got = float(result["l1_mean"])
    else:
        terms = " + ".join(f"({number(a)}−{number(b)})²" for a, b in zip(inputs, targets))
        got = float(result["mse_mean"])
    worked = (Line(f"({terms}) / {len(inputs)} = {number(got)}"),)
    return Question(f"loss_{name}", Form.NUMBER, got, worked, f"hint_{name}",
                    {"inputs": _list(inputs), "targets": _list(targets)}, exact=False)
