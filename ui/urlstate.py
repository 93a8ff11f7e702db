"""Every setting in the URL: widgets whose values a link reproduces, with a note when a link asked for the impossible.

A teacher sets stride 2 and padding 1, copies the address, and a student who
opens it sees the same view; a reload changes nothing. The query parameter is
named after PyTorch's own argument wherever there is one (``stride``,
``kernel_size``, ``ceil_mode``, ``batch_size``).

API (``from ui import urlstate``; every function takes ``where``, the container to draw in, default ``st``):

- ``ui.urlform.form(Settings, scope=…)``: a page's settings as one frozen dataclass, each field drawn by one of the
  functions below.
- ``slider(label, low, high, default, name, step=None, fits=False)``, ``number(…, fits=False)``,
  ``toggle(label, default, name)``: Streamlit's own ``bind="query-params"``; the widget key *is* the query name
  (``st.session_state["stride"]``). Defaults are left out of the URL; page switches keep each page's own values
  (the same name on two pages, e.g. ``stride`` on conv and pool, stays two separate settings).
  A value kept from earlier data that the bounds no longer hold (``crop_size=256``, then a 64×48 photo) moves to
  the nearest bound with a note; ``fits=True`` (bounds that follow data: a photo's size, a data set's length) does
  the same for a link's number. A slider whose bounds leave one value is drawn as a line.
- ``keep_within(key, low, high, name=…)``: that move, for a number widget not bound to the URL (a run's epoch).
- ``resend_kept(on)``: after a run that drew none of the controls below a photo picker (an upload being replaced),
  the controls drawn next send their kept values to the browser again, which would otherwise show their defaults.
- ``choice(label, options, default, name, scope=…, kind="segmented" | "selectbox" | "radio" | "select_slider",
  format_func=…)``: a choice whose URL value is the option's stable name (``kernel=box_blur``), never its
  translated label (Streamlit's binding would write the label: ``kernel=均值模糊``). Widget key:
  ``f"{scope}_{name}"``.
- ``tabs(labels, name, scope=…)``: ``st.tabs`` that only computes the open tab, the open tab in the URL by a stable
  id (``view=photo``); ``labels`` maps id -> translated label. Returns ``(open id, {id: tab})``.
- ``ui.urlmatrix``: an editable matrix in the URL (``x=1,2,0;0,1,2``), built on ``write`` and the notes here.
- ``ui.share.copy_link()``: the button that copies the page's address, settings included.
- ``custom(name, key, parse)`` + ``write(name, text)``: any other value with its own URL form (the Compose
  pipeline: ``compose=Resize(size=512);ToTensor``): parsed into ``st.session_state[key]`` on the first draw.
- ``with notes_above(): …``: the notes of the controls drawn inside (a collapsed expander) go above it.

A query value the control cannot take (``stride=-3``, ``kernel_size=x``, a 40×40 matrix) falls back to the
default, and a short translated note under the control says so, once. Checks and matrix parsing live in
``core.query`` (plain Python, unit-tested).

Manual bindings (choice, tabs, custom, the matrix) follow the same rule as Streamlit's: the URL decides the first time
the control is drawn in a session; after that the control decides and writes itself back to the URL.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from core import query
from ui.language import explain, t

_SEEDED = "_urlstate_seeded"


def drawn_before(state_key: str) -> bool:
    """Whether this control was drawn earlier in the session (the URL no longer decides its value)."""
    seeded = st.session_state.setdefault(_SEEDED, set())
    if state_key in seeded:
        return True
    seeded.add(state_key)
    return False


_NOTES: ContextVar[Any] = ContextVar("urlstate_notes", default=None)  # per script thread, never shared


@contextmanager
def notes_above(where=st) -> Iterator[None]:
    """Controls drawn inside (a collapsed expander) say what became of a link's value in a container placed here,
    where the learner sees it, not beside themselves."""
    token = _NOTES.set(where.container())
    try:
        yield
    finally:
        _NOTES.reset(token)


def _say(where, icon: str, text: str) -> None:
    (_NOTES.get() or where).caption(f":orange[:material/{icon}:] {text}")


def _note(where, name: str, raw: str, default: object) -> None:
    _say(where, "link_off", t("url.bad_value", name=name, value=raw[:40], default=default))


def unreadable(where, name: str, err: query.QueryError) -> None:
    _say(where, "link_off", t("url.unreadable", name=name, reason=explain(err)))


def _check(where, name: str, rule: query.Rule, default: object) -> None:
    """Before a natively bound widget first appears: say so if the link's value for it will be dropped."""
    raw = st.query_params.get(name)  # Streamlit removes a value it dropped, so this speaks once
    if raw is not None and not rule.accepts(raw):
        _note(where, name, raw, default)


def _moved(where, name: str, value: float, used: float, low: float, high: float) -> None:
    numbers = {k: query.format_number(v) for k, v in (("value", value), ("low", low), ("high", high), ("used", used))}
    _say(where, "straighten", t("bounds.moved", name=name, **numbers))


def keep_within(key: str, low: float, high: float, *, name: str | None = None, where=st) -> None:
    """Before a number widget whose bounds follow data (a photo's size, a data set's length, a run's epochs) is
    drawn: a value kept from other data that the new bounds no longer hold moves to the nearest bound, with a note.

    Streamlit would raise StreamlitValueAboveMaxError for a slider, or quietly reset a number box to its default.
    ``name`` is the setting as the note names it (the query name; the widget key by default).
    """
    kept = st.session_state.get(key)
    if isinstance(kept, bool) or not isinstance(kept, int | float) or low <= kept <= high:
        return
    used = min(max(kept, low), high)
    st.session_state[key] = used
    _moved(where, name or key, kept, used, low, high)


_RESEND = "_urlstate_resend"


def resend_kept(on: bool) -> None:
    """``on``: the controls drawn from here on in this run send their kept values to the browser again.

    For a run that follows one that drew none of them (an upload being replaced: the uploader holds no file for one
    run). The browser forgets a control's value when a run ends without it, but its next request, sent before that
    run ended, still carried the value, so Streamlit believes the browser has it and the browser draws the control
    at its default (crop_size 65 became 16). Assigning the kept value makes Streamlit send it.
    """
    st.session_state[_RESEND] = on


def _resend(key: str) -> None:
    if st.session_state.get(_RESEND) and key in st.session_state:
        st.session_state[key] = st.session_state[key]


def _fit_link(where, name: str, low: float, high: float) -> bool:
    """A link's number beyond bounds that follow data (``crop_size=256`` for a 64×48 photo) is moved to the nearest
    bound, with a note, rather than dropped: the link was made on other data and meant as much as fits here."""
    raw = st.query_params.get(name)
    try:
        value = float(raw) if raw is not None and name not in st.session_state else math.nan
    except ValueError:
        return False
    if not math.isfinite(value) or low <= value <= high:
        return False
    used = min(max(value, low), high)
    st.session_state[name] = type(low)(used)
    _moved(where, name, value, used, low, high)
    return True


def custom(name: str, key: str, parse: Callable[[str], Any], where=st) -> None:
    """A value with its own URL form (a Compose pipeline): the first time ``key`` is drawn in a session,
    ``st.session_state[key] = parse(?name=…)``; a value ``parse`` rejects (QueryError) gets a note. Pair with ``write``."""
    if drawn_before(key):
        return
    raw = st.query_params.get(name)
    if raw is None:
        return
    try:
        st.session_state[key] = parse(raw)
    except query.QueryError as err:
        unreadable(where, name, err)


def write(name: str, value: str | None) -> None:
    """The URL holds ``value`` for ``name`` (or nothing when it is the default); unchanged URLs send nothing."""
    try:
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
    except StreamlitAPIException:
        # the name is still bound to another page's widget (``stride`` on conv, then pool's own ``stride``):
        # Streamlit drops that binding at the end of this run, and the next run writes the value
        pass


def _bounded(where, name: str, low: float, high: float, default: float | None, fits: bool) -> float | None:
    """Before a bound number widget is drawn: its default, a kept value and (``fits``) a link's value within
    ``low``…``high``; a link's value the control cannot take gets the fallback note."""
    default = default if default is None else type(default)(min(max(default, low), high))
    if not (fits and _fit_link(where, name, low, high)):
        _check(where, name, query.Numbers(low, high), default)
    keep_within(name, low, high, where=where)
    _resend(name)
    return default


def slider(label: str, low: float, high: float, default: float, name: str, step: float | None = None,
           where=st, fits: bool = False, **options: Any) -> Any:
    """``st.slider`` bound to ``?name=``.

    fits: the bounds follow data (a photo's size, a data set's length): a link's value beyond them moves to the
    nearest bound instead of the default. Bounds that leave one value draw it as a line (Streamlit's slider
    refuses equal bounds).
    """
    if high <= low:
        where.caption(f"{label}: {query.format_number(low)}")
        write(name, None)
        return type(default)(low)
    default = _bounded(where, name, low, high, default, fits)
    return where.slider(label, low, high, default, step, key=name, bind="query-params", persist_state="session",
                        **options)


def number(label: str, low: float, high: float, default: float | None, name: str, step: float | None = None,
           where=st, fits: bool = False, **options: Any) -> Any:
    """``st.number_input`` bound to ``?name=``; ``fits`` as for ``slider``."""
    default = _bounded(where, name, low, high, default, fits)
    return where.number_input(label, low, high, default, step, key=name, bind="query-params",
                              persist_state="session", **options)


def toggle(label: str, default: bool, name: str, where=st, **options: Any) -> bool:
    """``st.toggle`` bound to ``?name=true|false``."""
    _check(where, name, query.Flag(), str(default).lower())
    _resend(name)
    return where.toggle(label, default, key=name, bind="query-params", persist_state="session", **options)


def choice_key(scope: str, name: str) -> str:
    """A choice's widget key: the scope keeps two pages' ``mode`` apart (natively bound widgets use the name)."""
    return f"{scope}_{name}"


_DEFAULT_ARGUMENT = {"segmented": "default", "selectbox": "index", "radio": "index", "select_slider": "value"}


def choice(label: str, options: Sequence[Hashable], default: Hashable, name: str, *, scope: str,
           kind: str = "segmented", format_func: Callable[[Any], str] = str, where=st, **extra: Any) -> Any:
    """A choice among ``options`` in the URL as ``?name=<str(option)>``; the widget shows ``format_func(option)``."""
    key = choice_key(scope, name)
    names = {str(o): o for o in options}
    if not drawn_before(key):
        raw = st.query_params.get(name)
        if raw in names:
            st.session_state[key] = names[raw]
        elif raw is not None:
            _note(where, name, raw, format_func(default))
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    _resend(key)
    initial = {}
    if key not in st.session_state:
        argument = _DEFAULT_ARGUMENT[kind]
        initial[argument] = list(options).index(default) if argument == "index" else default
    if kind == "segmented":
        value = where.segmented_control(label, options, format_func=format_func, required=True, key=key,
                                        persist_state="session", **initial, **extra)
    elif kind == "select_slider":
        value = where.select_slider(label, options, format_func=format_func, key=key, persist_state="session",
                                    **initial, **extra)
    else:
        widget = where.selectbox if kind == "selectbox" else where.radio
        value = widget(label, options, format_func=format_func, key=key, persist_state="session", **initial, **extra)
    write(name, None if value == default else str(value))
    return value


def tabs(labels: dict[str, str], name: str, *, scope: str, where=st) -> tuple[str, dict[str, Any]]:
    """Tabs in the URL as ``?name=<id>`` (the first id is the default); only the open one should be computed.

    The widget key carries the language: the labels change with it, the id in the URL does not.
    """
    ids = list(labels)
    key = f"{scope}_{name}_{'_'.join(labels.values())}"[:200]
    kept = f"{scope}_{name}_open"  # the open tab through runs that draw no tabs (an upload's empty picker)
    if not drawn_before(key):
        raw = st.query_params.get(name)
        if raw in labels:
            st.session_state[key] = labels[raw]
        elif raw is not None:
            _note(where, name, raw, ids[0])
    elif key not in st.session_state and st.session_state.get(kept) in labels:
        st.session_state[key] = labels[st.session_state[kept]]
    containers = where.tabs(list(labels.values()), key=key, on_change="rerun")
    by_id = dict(zip(ids, containers))
    open_id = next((i for i, tab in by_id.items() if tab.open), ids[0])
    st.session_state[kept] = open_id
    write(name, None if open_id == ids[0] else open_id)
    return open_id, by_id
