"""The looks a sliding-window animation can show, and a swatch of each for its legend.

A legend that lists every look an operation could have explains grey padding under a figure without any, so the
figure reports the looks it actually draws (``window_looks``) and the legend lists those, each beside a swatch
drawn with the figure's own colours.
"""
from __future__ import annotations

from enum import StrEnum

from core.viz import base


class Look(StrEnum):
    """One thing a reader sees in the animation; legend order."""

    INPUT = "input"            # pale blue: input cells outside the window
    READ = "read"              # orange: the cells the window reads now
    WEIGHT = "weight"          # small ×w under a read cell's value
    KERNEL = "kernel"          # the kernel panel, orange too
    SKIPPED = "skipped"        # a dilation gap inside the window
    PADDING = "padding"        # grey padding holding zeros
    PADDING_NEG_INF = "padding_neg_inf"  # grey padding holding −∞ (max pooling)
    OUTSIDE = "outside"        # pale pink overhang beyond the padding (ceil_mode)
    PARTIAL = "partial"        # a dashed window: ceil_mode's partial window
    WINDOW = "window"          # the window's orange box and the arrow to its output
    EMPTY = "empty"            # outputs still to come
    DONE = "done"              # outputs already computed
    CURRENT = "current"        # the output this step computes
    PICKED = "picked"          # a clicked cell and the outputs whose windows read it
    INDICES = "indices"        # max pooling's return_indices, a panel beside the output


CATEGORY_LOOK = {base.INPUT: Look.INPUT, base.PADDING: Look.PADDING, base.OUTSIDE: Look.OUTSIDE, base.READ: Look.READ,
                 base.EMPTY: Look.EMPTY, base.DONE: Look.DONE, base.CURRENT: Look.CURRENT, base.SKIPPED: Look.SKIPPED}


def _cell(background: str, border: str = "transparent", style: str = "solid", text: str = "") -> str:
    return (f"<span style='display:inline-block;min-width:1.3em;height:1.3em;line-height:1.3em;text-align:center;"
            f"vertical-align:middle;font-size:75%;color:#1f1f1f;background:{background};"
            f"border:2px {style} {border};border-radius:2px'>{text}</span>")


SWATCH = {
    Look.INPUT: _cell(base.CELL_COLOURS[base.INPUT]),
    Look.READ: _cell(base.CELL_COLOURS[base.READ]),
    Look.WEIGHT: _cell(base.CELL_COLOURS[base.READ], text="×w"),
    Look.KERNEL: _cell(base.CELL_COLOURS[base.READ], text="w"),
    Look.SKIPPED: _cell(base.CELL_COLOURS[base.SKIPPED]),
    Look.PADDING: _cell(base.CELL_COLOURS[base.PADDING], text="0"),
    Look.PADDING_NEG_INF: _cell(base.CELL_COLOURS[base.PADDING], text="−∞"),
    Look.OUTSIDE: _cell(base.CELL_COLOURS[base.OUTSIDE]),
    Look.PARTIAL: _cell("transparent", base.WINDOW, "dashed"),
    Look.WINDOW: _cell("transparent", base.WINDOW, text=f"<span style='color:{base.WINDOW}'>→</span>"),
    Look.EMPTY: _cell(base.CELL_COLOURS[base.EMPTY]),
    Look.DONE: _cell(base.CELL_COLOURS[base.DONE]),
    Look.CURRENT: _cell(base.CELL_COLOURS[base.CURRENT], base.TARGET),
    Look.PICKED: _cell("transparent", base.PICKED),
    Look.INDICES: _cell(base.CELL_COLOURS[base.DONE], text="i"),
}
