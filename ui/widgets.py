"""Small blocks several pages draw: animation controls, a settings problem, shapes, charts."""
from __future__ import annotations

from typing import Any

import streamlit as st

from core.errors import CodedError
from ui.language import explain, labels, t
from ui.urlform import apply

CHART = {"displayModeBar": False}  # st.plotly_chart(..., config=CHART): no Plotly toolbar over the figures


def animation_labels() -> dict[str, str]:
    """Translated labels for viz.window_animation."""
    keys = ("input", "kernel", "output", "play", "pause", "step", "back", "forward")
    return {k: t(f"anim.{k}") for k in keys}


def screen_px(share: float = 1.0) -> int:
    """The width the learner's figure is drawn for: a phone's or a desktop's plot (core.viz.base), of which a
    column holding it takes ``share`` (on a phone, columns stack, each the whole width).

    Streamlit does not tell the server a window's width; a phone's browser says "Mobi" in its User-Agent (MDN's
    advice for telling one), and a grid figure's height follows its cells' size at that width.
    """
    from core.viz import base  # here: core.viz loads Plotly, which the first page's title does not wait for

    if "Mobi" in (st.context.headers.get("User-Agent") or ""):
        return base.PHONE_PX
    return round(base.DESKTOP_PX * share)


SPEEDS = {"slow": 1400, "normal": 700, "fast": 250}


def speed_control(key: str) -> int:
    """Animation speed as milliseconds per step."""
    speed = st.select_slider(t("anim.speed"), options=list(SPEEDS), value="normal",
                             format_func=labels("anim.speed_"), key=key)
    return SPEEDS[speed]


def settings_problem(error: CodedError, fixes: list[tuple[str, Any]], scope: str, key: str) -> None:
    """PyTorch would refuse these settings: say why in the learner's language and offer a way out.

    fixes: (button label, settings object) pairs; each button puts its settings into the page's controls
    (``ui.urlform.apply`` for the page's ``scope``).
    """
    st.error(explain(error), icon=":material/block:")
    columns = st.columns(len(fixes) or 1)
    for column, (label, settings) in zip(columns, fixes):
        column.button(label, key=f"{key}_{label}", on_click=apply, args=(settings, scope))


def tensor_shape(*dims: int) -> str:
    """A shape as PyTorch prints it, in code style: `torch.Size([1, 3, 32, 32])`."""
    return f"`torch.Size([{', '.join(str(int(d)) for d in dims)}])`"
