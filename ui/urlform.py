"""A page's settings, one frozen dataclass, drawn as a grid of controls bound to the URL, returned as one object.

The page declares its settings once (``core.controls``: each field with PyTorch's argument name, its default and
its control) and calls ``form(PoolSettings, scope="pool")``. Each field is drawn by ``ui.urlstate``'s slider,
toggle or choice, so every behaviour of those holds: defaults left out of the URL, a link's impossible value noted
(in one line above the controls, inside ``urlstate.notes_above``), a kept value moved into bounds. The same object
then goes to core and to the lesson; ``apply`` puts an object back into the controls: a reset is
``apply(PoolSettings(), "pool")``, a fix ``apply(replace(settings, padding=1), "pool")``. No page writes a widget
key by hand.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import streamlit as st

from core import i18n, query
from core.controls import Control, Widget, controls
from ui.language import lang, t
from ui.urlstate import choice, choice_key, number, slider, toggle

SettingsT = TypeVar("SettingsT")
_BOUND = (Widget.SLIDER, Widget.NUMBER, Widget.TOGGLE)  # Streamlit's own binding: the widget key is the name


def _label_of(control: Control) -> Callable[[Any], str]:
    """How a choice's options are shown: translated where the control names a locale prefix, else as written; in
    the language of this run (Streamlit may call a format_func outside it, as AppTest does)."""
    language = lang()

    def label(option: Any) -> str:
        if option is None:
            return i18n.t(control.none_label, language)
        return i18n.t(f"{control.option_labels}{option}", language) if control.option_labels else str(option)
    return label


def _draw(where, name: str, control: Control, default: Any, scope: str, disabled: bool) -> Any:
    label = t(control.label) if control.label else name
    if control.widget is Widget.SLIDER:
        return slider(label, control.low, control.high, default, name, control.step, where=where,
                      disabled=disabled)
    if control.widget is Widget.NUMBER:
        return number(label, control.low, control.high, default, name, where=where, disabled=disabled)
    if control.widget is Widget.TOGGLE:
        return toggle(label, default, name, where=where, disabled=disabled)
    return choice(label, control.options, default, name, scope=scope, kind=control.widget.value,
                  format_func=_label_of(control), where=where, disabled=disabled)


def form(settings: type[SettingsT], *, scope: str, cells: Sequence[Any] | None = None, columns: int = 4,
         options: Mapping[str, Sequence[Hashable]] | None = None, where=st) -> SettingsT:
    """Every field of ``settings`` (a frozen dataclass of ``core.controls`` fields) as its control, bound to the URL
    under the field's name, in ``cells`` (one container per field, in the order they are declared: the kernel's
    choice inside an expander) or else ``columns`` to a row. Inside ``urlstate.notes_above()`` what became of a
    link's values is said in one line above them all; otherwise above each control.

    scope: the page, which keeps its choices apart from another page's choice of the same name.
    options: for a choice whose options follow the data (a target class among however many logits the learner
    typed), the options this run offers in place of the declared ones; the default must be among them. A value
    kept or linked that is not falls back to the default, as any value a choice cannot take.
    """
    values: dict[str, Any] = {}
    for index, (name, control, default) in enumerate(controls(settings)):
        if options and name in options:
            control = replace(control, options=tuple(options[name]))
        if cells is not None:
            cell = cells[index]
        else:
            if index % columns == 0:
                row = where.columns(columns)
            cell = row[index % columns]
        disabled = control.only_when is not None and values[control.only_when[0]] not in control.only_when[1]
        values[name] = _draw(cell, name, control, default, scope, disabled)
    return settings(**values)


def apply(settings: Any, scope: str) -> None:
    """The controls drawn by ``form(type(settings), scope=scope)`` show ``settings`` from the next run on (a reset
    button's or a fix's on_click)."""
    for name, control, _ in controls(settings):
        key = name if control.widget in _BOUND else choice_key(scope, name)
        st.session_state[key] = getattr(settings, name)


def shown_choice(options: Sequence[Hashable], default: Hashable, name: str, *, scope: str) -> Any:
    """What ``choice`` with these arguments shows, read where it is not drawn (its tab is closed): the session's value,
    else the link's, else ``default``."""
    kept = st.session_state.get(choice_key(scope, name))
    if kept in options:
        return kept
    return {str(o): o for o in options}.get(st.query_params.get(name), default)


def shown_toggle(default: bool, name: str) -> bool:
    """What ``toggle`` shows, read where it is not drawn: the session's value, else the link's, else ``default``."""
    kept, raw = st.session_state.get(name), st.query_params.get(name)
    if isinstance(kept, bool):
        return kept
    return raw.lower() == "true" if raw is not None and query.Flag().accepts(raw) else default


def _shown_number(name: str, control: Control, default: float) -> float:
    """A slider's or number box's value, read where it is not drawn, as ``shown_toggle`` reads a toggle's."""
    kept, raw = st.session_state.get(name), st.query_params.get(name)
    if isinstance(kept, int | float) and not isinstance(kept, bool):
        return kept
    if raw is not None and query.Numbers(control.low, control.high).accepts(raw):
        return type(default)(float(raw))
    return default


def shown(settings: type[SettingsT], *, scope: str) -> SettingsT:
    """What ``form(settings, scope=scope)`` shows, read where its controls are not drawn (their tab is closed): each
    field's value kept in the session, else the link's, else its default."""
    values: dict[str, Any] = {}
    for name, control, default in controls(settings):
        if control.widget is Widget.TOGGLE:
            values[name] = shown_toggle(default, name)
        elif control.widget in _BOUND:
            values[name] = _shown_number(name, control, default)
        else:
            values[name] = shown_choice(control.options, default, name, scope=scope)
    return settings(**values)
