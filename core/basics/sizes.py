"""Output sizes of convolution and pooling: PyTorch's formulas, the numbers plugged in as a learner writes them,
and the formulas as the pages typeset them.

All follow PyTorch's own rules, including the one that surprises learners: ``ceil_mode`` may add a window that
hangs over the edge, but PyTorch drops it when it would start in the right padding.
"""
from __future__ import annotations


def _raw_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    return (-(-span // s) if ceil_mode else span // s) + 1


def conv_output_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, the formula in the nn.Conv2d docs."""
    return _raw_size(n, k, s, p, d, ceil_mode=False)


def pool_output_size(n: int, k: int, s: int, p: int = 0, d: int = 1, ceil_mode: bool = False) -> int:
    """The nn.MaxPool2d formula, with PyTorch's rule for ceil_mode.

    With ceil_mode the last window may hang over the edge, but PyTorch drops it
    when it would start in the right padding: (out − 1)·s ≥ n + p.
    """
    out = _raw_size(n, k, s, p, d, ceil_mode)
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def last_window_dropped(n: int, k: int, s: int, p: int = 0, d: int = 1) -> bool:
    """True where ceil_mode's extra window would start in the right padding, so PyTorch drops it."""
    return pool_output_size(n, k, s, p, d, True) < _raw_size(n, k, s, p, d, True)


def size_formula(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> str:
    """The output-size formula with the numbers plugged in, as a learner would write it."""
    left, right = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    return f"{left}({n} + 2×{p} − {d}×({k}−1) − 1) / {s}{right} + 1 = {_raw_size(n, k, s, p, d, ceil_mode)}"


def size_lines(shape: tuple[int, int], kernel: tuple[int, int], s: int, p: int, d: int,
               ceil_mode: bool = False) -> tuple[tuple[str, str], ...]:
    """(axis, ``size_formula``) for the height and the width."""
    return tuple((axis, size_formula(n, k, s, p, d, ceil_mode)) for axis, n, k in zip("HW", shape, kernel))


def size_latex(ceil_mode: bool = False) -> str:
    """The output-size formula of nn.Conv2d's docs (nn.MaxPool2d's with ceil_mode's brackets)."""
    left, right = (r"\left\lceil", r"\right\rceil") if ceil_mode else (r"\left\lfloor", r"\right\rfloor")
    return rf"H_{{out}} = {left} \frac{{H_{{in}} + 2p - d\,(k-1) - 1}}{{s}} {right} + 1"
