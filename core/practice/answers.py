"""What a learner typed, read as an answer: a number, or a tensor's shape written any common way.

A learner writes ``10``, ``-0.5``, ``1/9`` or ``0.6667`` for a number, and ``[64, 32, 16, 16]``,
``(64,32,16,16)``, ``64x32x16x16`` or ``torch.Size([64, 32, 16, 16])`` for a shape, often with a Chinese
keyboard's full-width commas and brackets. Anything else is not an answer: an AnswerError whose code names
the translated hint (``practice.bad_number`` …), so a page never shows a traceback for ``abc`` or ``3.5.1``.
"""
from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from core.errors import CodedError, ErrorKind

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*(\d+)")
_SHAPE_SPLIT = re.compile(r"\s*(?:,|x|\*|×|\s)\s*")
MAX_DIMS = 8


class AnswerError(CodedError, ValueError):
    """Input that is no answer at all (empty, ``abc``, ``3.5.1``): its code is the hint's key in [practice]."""

    kind = ErrorKind.PRACTICE


def _clean(text: str) -> str:
    """Full-width digits and punctuation as ASCII, the typographic minus as '-', no spaces at the ends."""
    return unicodedata.normalize("NFKC", text).replace("−", "-").strip().lower()


def parse_number(text: str) -> float:
    """``text`` as a number (a fraction such as ``1/9`` too); AnswerError where it is none."""
    cleaned = _clean(text)
    if not cleaned:
        raise AnswerError("empty")
    if _NUMBER.fullmatch(cleaned):
        return float(cleaned)
    fraction = _FRACTION.fullmatch(cleaned)
    if fraction and int(fraction.group(2)) != 0:
        return float(Fraction(int(fraction.group(1)), int(fraction.group(2))))
    raise AnswerError("bad_number", text=text.strip()[:20])


def parse_shape(text: str) -> tuple[int, ...]:
    """``text`` as a shape: whole numbers ≥ 0 in brackets or not, split by commas, spaces, x, × or *."""
    cleaned = _clean(text)
    if not cleaned:
        raise AnswerError("empty")
    inner = cleaned.removeprefix("torch.size").strip()
    while len(inner) >= 2 and inner[0] in "([" and inner[-1] in ")]":
        inner = inner[1:-1].strip()
    parts = [p for p in _SHAPE_SPLIT.split(inner) if p]
    if not parts or len(parts) > MAX_DIMS or not all(p.isdigit() for p in parts):
        raise AnswerError("bad_shape", text=text.strip()[:20])
    return tuple(int(p) for p in parts)
