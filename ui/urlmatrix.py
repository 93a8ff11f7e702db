"""An editable matrix in the URL as ``x=1,2,0;0,1,2``: the input and kernel editors of the windowed pages.

Cells show the values the page computes with (``0.1111``) and accept fractions (``1/9``), as a learner types a box
blur. Like every control of ``ui.urlstate``, the URL decides the first time the editor is drawn in a session, then
the editor decides and writes itself back (left out while it equals its default); a link's matrix the editor
cannot take (ragged, 40×40, a word) falls back to the default with a translated note.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import query
from ui.language import t
from ui.urlstate import drawn_before, unreadable, write


def _state(scope: str, name: str) -> str:
    return f"{scope}_{name}_matrix"


def set_matrix(scope: str, name: str, value: np.ndarray) -> None:
    """Replace what the matrix editor ``name`` shows (for a button's on_click)."""
    current = st.session_state.get(_state(scope, name), {})
    st.session_state[_state(scope, name)] = {"origin": current.get("origin", ""), "value": np.asarray(value, float),
                                             "version": current.get("version", 0) + 1}


def shown_matrix(default: np.ndarray, name: str, *, scope: str, limits: tuple[int, int, int, int]) -> np.ndarray:
    """What ``matrix`` shows, read where it is not drawn (its tab is closed): the link's value (``matrix`` writes every
    edit there), else the session's, else ``default``."""
    raw = st.query_params.get(name)
    if raw is not None:
        try:
            return query.parse_matrix(raw, limits)
        except query.QueryError:
            pass
    kept = st.session_state.get(_state(scope, name))
    return kept["value"] if kept is not None else np.asarray(default, dtype=float)


def matrix(hint: str, default: np.ndarray, name: str, *, scope: str, limits: tuple[int, int, int, int],
           origin: str = "", where=st) -> np.ndarray:
    """An editable matrix in the URL as ``?name=1,2,0;0,1,2`` (left out while it equals ``default``).

    limits: (fewest rows, most rows, fewest columns, most columns) a link may ask for.
    Cells show the 4-decimal values the page computes with and take fractions (1/9); a cell that is no number
    counts as 0, with a note.
    """
    default = np.asarray(default, dtype=float)
    key = _state(scope, name)
    if not drawn_before(key):
        raw = st.query_params.get(name)
        if raw is not None:
            try:
                st.session_state[key] = {"origin": origin, "value": query.parse_matrix(raw, limits), "version": 0}
            except query.QueryError as err:
                unreadable(where, name, err)
    current = st.session_state.get(key)
    if current is None or current["origin"] != origin:
        version = current["version"] + 1 if current else 0
        current = st.session_state[key] = {"origin": origin, "value": default, "version": version}
    base = current["value"]
    import pandas as pd  # here, not at import: the page's title and sliders draw before pandas has loaded

    frame = pd.DataFrame([[query.format_number(v) for v in row] for row in base],
                         columns=[str(c) for c in range(base.shape[1])])
    edited = where.data_editor(frame, key=f"{key}_{current['version']}_{origin}", hide_index=True, width="content",
                               column_config={c: st.column_config.TextColumn(c, width=56) for c in frame.columns})
    value, bad = _cells(edited.to_numpy())
    where.caption(hint)
    if bad:
        where.caption(f":orange[:material/warning:] {t('url.bad_cell', value=bad[:20])}")
    same = value.shape == default.shape and np.array_equal(value, np.round(default, query.DIGITS))
    write(name, None if same else query.format_matrix(value))
    return value


def _cells(texts: np.ndarray) -> tuple[np.ndarray, str]:
    """The edited cells as numbers; an empty cell is 0, and the first cell that is no number is named (as 0)."""
    values, bad = np.zeros(texts.shape), ""
    for index, text in np.ndenumerate(texts):
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
        if not text:
            continue
        try:
            values[index] = query.parse_number(text)
        except query.QueryError:
            bad = bad or text
    return values, bad
