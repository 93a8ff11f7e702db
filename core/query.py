"""Settings in the URL, without Streamlit: which query values a control accepts, and matrices as compact text.

Streamlit's ``bind="query-params"`` drops a value it cannot use without a word;
the page wants to say so ("stride=-3 is not possible here; using 1"). These
checks mirror what the binding accepts, so the note appears exactly when the
binding falls back to the default. Matrices have no native binding: they
travel as ``1,2,0;0,1,2`` (rows split by ``;``, values by ``,``), and a value
may be written as a fraction (``1/9``), as a learner would type a box blur.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from core.errors import CodedError, ErrorKind

DIGITS = 4           # the values the pages compute with, the code shows and the URL carries
LARGEST = 1_000_000  # no cell of a shared matrix beyond ±this: a link cannot ask for absurd numbers


class QueryError(CodedError, ValueError):
    """A query value the page cannot use: the code names the problem, the params fill the translated note."""

    kind = ErrorKind.QUERY


@dataclass(frozen=True)
class Numbers:
    """A slider or number box from ``low`` to ``high``: what Streamlit's binding keeps (a finite float in range)."""

    low: float
    high: float

    def accepts(self, raw: str) -> bool:
        try:
            value = float(raw)
        except ValueError:
            return False
        return math.isfinite(value) and self.low <= value <= self.high


@dataclass(frozen=True)
class Options:
    """A choice among ``options``, written in the URL as the option's stable name (never its translated label)."""

    options: tuple[str, ...]

    def accepts(self, raw: str) -> bool:
        return raw in self.options


@dataclass(frozen=True)
class Flag:
    """A toggle: ``true`` or ``false`` in any case, as Streamlit's binding reads it."""

    def accepts(self, raw: str) -> bool:
        return raw.lower() in ("true", "false")


Rule = Numbers | Options | Flag


def parse_number(text: str) -> float:
    """One matrix cell: ``2``, ``-0.5``, ``1/9``; rounded to the 4 decimals the pages compute with."""
    text = text.strip()
    try:
        value = float(Fraction(text)) if "/" in text else float(text)
    except (ValueError, ZeroDivisionError) as err:
        raise QueryError("not_a_number", value=text[:20]) from err
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise QueryError("number_too_big", value=text[:20], limit=LARGEST)
    return round(value, DIGITS)


def parse_matrix(text: str, shape_limits: tuple[int, int, int, int]) -> np.ndarray:
    """``1,2,0;0,1,2`` as a float matrix; QueryError when it is not a full rectangle within the limits.

    shape_limits: (fewest rows, most rows, fewest columns, most columns).
    """
    low_r, high_r, low_c, high_c = shape_limits
    rows = [row.split(",") for row in text.strip().strip(";").split(";")]
    if len(rows) > high_r or any(len(r) > high_c for r in rows):
        raise QueryError("matrix_too_big", rows=high_r, cols=high_c)
    if len({len(r) for r in rows}) != 1:
        raise QueryError("matrix_ragged")
    if len(rows) < low_r or len(rows[0]) < low_c:
        raise QueryError("matrix_too_small", rows=low_r, cols=low_c)
    return np.array([[parse_number(v) for v in r] for r in rows], dtype=float)


def format_number(value: float) -> str:
    """A cell as short as it can be: 2, -0.5, 0.1111 (never 2.0 or 1e-05)."""
    value = round(float(value), DIGITS)
    if value.is_integer():
        return str(int(value))
    return np.format_float_positional(value, precision=DIGITS, trim="-")


def format_matrix(m: np.ndarray | Sequence[Sequence[float]]) -> str:
    """The compact URL form of a matrix: rows split by ``;``, values by ``,``."""
    return ";".join(",".join(format_number(v) for v in row) for row in np.atleast_2d(np.asarray(m, dtype=float)))

