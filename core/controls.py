"""A page's settings as one frozen dataclass whose fields say how each is drawn, without Streamlit.

A field is a setting with PyTorch's argument name (the URL's name too), its default and its control: a slider's
bounds, a choice's options. ``ui.urlstate.form`` draws every field of such a class, checks a link's values and
binds them to the URL; core functions take the same object. Adding a setting is one field here, nothing else in
between: the label is the locale key ``label`` (or the field's own name, PyTorch's, shown as is).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Widget(StrEnum):
    """How a setting is drawn: Streamlit's slider, number box, toggle, or one of its choice widgets."""

    SLIDER = "slider"
    NUMBER = "number"
    TOGGLE = "toggle"
    SEGMENTED = "segmented"
    SELECTBOX = "selectbox"
    SELECT_SLIDER = "select_slider"


@dataclass(frozen=True)
class Control:
    """One field's control.

    label: a locale key; empty for the field's own name (``kernel_size``, ``ceil_mode``: PyTorch's, as the course
    writes it). options: a choice's options, written in the URL as ``str(option)``; ``option_labels`` is the locale
    prefix of their labels (``pool.mode_`` + ``max``), ``none_label`` the label of a None option (PyTorch's
    ``stride=None``). only_when: (field, values): drawn greyed out unless that earlier field has one of those values.
    step: a slider's step where Streamlit's own (1 for whole numbers, 0.01 otherwise) is too fine.
    """

    widget: Widget
    label: str = ""
    low: float = 0
    high: float = 0
    options: tuple[Hashable, ...] = ()
    option_labels: str = ""
    none_label: str = ""
    only_when: tuple[str, tuple[Hashable, ...]] | None = None
    step: float | None = None


def _field(default: Any, control: Control) -> Any:
    return dataclasses.field(default=default, metadata={"control": control})


def slider(default: float, low: float, high: float, label: str = "",
           only_when: tuple[str, tuple[Hashable, ...]] | None = None, step: float | None = None) -> Any:
    """A field drawn as a slider from ``low`` to ``high``."""
    return _field(default, Control(Widget.SLIDER, label, low, high, only_when=only_when, step=step))


def number(default: float, low: float, high: float, label: str = "") -> Any:
    """A field drawn as a number box from ``low`` to ``high``."""
    return _field(default, Control(Widget.NUMBER, label, low, high))


def toggle(default: bool, label: str = "", only_when: tuple[str, tuple[Hashable, ...]] | None = None) -> Any:
    """A field drawn as a toggle (``?name=true|false``)."""
    return _field(default, Control(Widget.TOGGLE, label, only_when=only_when))


def choice(default: Hashable, options: tuple[Hashable, ...], label: str, widget: Widget = Widget.SEGMENTED,
           option_labels: str = "", none_label: str = "") -> Any:
    """A field drawn as a choice among ``options`` (a segmented control unless ``widget`` says otherwise)."""
    return _field(default, Control(widget, label, options=options, option_labels=option_labels,
                                   none_label=none_label))


def controls(settings: Any) -> Iterator[tuple[str, Control, Any]]:
    """(name, control, default) of each field of a settings class or object, in the order they are declared."""
    for f in dataclasses.fields(settings):
        yield f.name, f.metadata["control"], f.default
