"""Pooling questions: the output size with ceil_mode on or off (and PyTorch's rule that drops a last window
starting in the right padding), and the value of one max- or avg-pool cell.

Settings come from the seed or from the page (``mine``: ``x``, ``kernel_size``, ``stride``, ``padding``,
``dilation``, ``ceil_mode``, ``mode``); the answer from ``F.max_pool2d`` / ``F.avg_pool2d``.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F

from core.basics import ops, sizes
from core.practice.question import Form, Line, Question


def _settings(rng: random.Random, mine: Mapping | None, small: bool) -> dict:
    """The page's settings, or drawn ones that PyTorch accepts (avg pooling has no dilation)."""
    if mine is not None:
        s = {"x": np.asarray(mine["x"], dtype=float), "kernel_size": int(mine["kernel_size"]),
             "stride": int(mine["stride"]), "padding": int(mine["padding"]), "dilation": int(mine["dilation"]),
             "ceil_mode": bool(mine["ceil_mode"]), "mode": mine["mode"]}
        if s["mode"] == "avg" and s["dilation"] != 1:
            raise ops.SettingsError("avg_no_dilation")   # nn.AvgPool2d has no dilation: the page says so
        ops.check_pool(s["x"].shape, s["kernel_size"], s["stride"], s["padding"], s["dilation"], s["ceil_mode"])
        return s
    while True:
        h, w = (rng.randint(4, 6), rng.randint(4, 6)) if small else (rng.randint(3, 32), rng.randint(3, 32))
        k = rng.randint(2, 3) if small else rng.randint(2, 5)
        mode = rng.choice(("max", "avg"))
        s = {"x": np.array([[rng.randint(0, 9) for _ in range(w)] for _ in range(h)], dtype=float), "kernel_size": k,
             "stride": rng.randint(1, k), "padding": rng.randint(0, k // 2),
             "dilation": 1 if small or mode == "avg" else rng.choice((1, 1, 2)), "ceil_mode": rng.random() < 0.6,
             "mode": mode}
        try:
            ops.check_pool(s["x"].shape, k, s["stride"], s["padding"], s["dilation"], s["ceil_mode"])
        except ops.SettingsError:
            continue
        return s


def _torch(s: dict) -> torch.Tensor:
    x = torch.tensor(s["x"], dtype=torch.float64)[None, None]
    if s["mode"] == "max":
        return F.max_pool2d(x, s["kernel_size"], s["stride"], s["padding"], s["dilation"], s["ceil_mode"])[0, 0]
    return F.avg_pool2d(x, s["kernel_size"], s["stride"], s["padding"], s["ceil_mode"])[0, 0]


def _params(s: dict) -> dict[str, object]:
    """The prompt's values, and the input itself (``x``) and the mode."""
    return {"h": s["x"].shape[0], "w": s["x"].shape[1], "layer": "MaxPool2d" if s["mode"] == "max" else "AvgPool2d",
            **{k: s[k] for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "mode")},
            "dilation_arg": f", dilation={s['dilation']}" if s["mode"] == "max" else "",  # AvgPool2d has none
            "x": s["x"].tolist()}


def output_size(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The pooled shape of [1, 1, H, W]; with ceil_mode, the formula rounds up, then a last window that would
    start in the right padding is dropped (the page's "dropped" note says which)."""
    s = _settings(rng, mine, small=False)
    k, stride, padding, dilation, ceil = (s[n] for n in ("kernel_size", "stride", "padding", "dilation", "ceil_mode"))
    out = _torch({**s, "x": np.zeros(s["x"].shape)})
    worked = []
    for axis, n in (("H", s["x"].shape[0]), ("W", s["x"].shape[1])):
        worked.append(Line(f"{axis}_out = {sizes.size_formula(n, k, stride, padding, dilation, ceil)}"))
        if ceil and sizes.last_window_dropped(n, k, stride, padding, dilation):
            kept = sizes.pool_output_size(n, k, stride, padding, dilation, True)
            worked.append(Line(key="pool.dropped", params={"axis": axis, "start": kept * stride, "limit": n + padding,
                                                           "out": kept}))
    return Question("pool_size", Form.SHAPE, (1, 1, *out.shape), tuple(worked), "hint_pool_size", _params(s))


def value(rng: random.Random, mine: Mapping | None = None) -> Question:
    """One output cell of max or avg pooling: click the cells its window covers, then type its value."""
    s = _settings(rng, mine, small=True)
    trace = ops.pool2d_trace(s["x"], ops.PoolSettings(s["kernel_size"], s["stride"], s["padding"], s["dilation"],
                                                      s["mode"], s["ceil_mode"]))
    window = trace.windows[rng.randrange(len(trace.windows))]
    expected = float(_torch(s)[window.out])
    grid = tuple(tuple(0.0 if np.isnan(v) else v for v in row) for row in trace.grid[:trace.in_shape[0] + 2 * s["padding"],
                                                                                     :trace.in_shape[1] + 2 * s["padding"]])
    return Question("pool_value", Form.NUMBER, expected, (Line(ops.window_formula(window)),),
                    f"hint_pool_value_{s['mode']}", {**_params(s), "row": window.out[0], "col": window.out[1]},
                    grid=grid, cells=frozenset(window.cells), exact=s["mode"] == "max")
