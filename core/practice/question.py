"""A practice question as every subject writes it and the page draws it.

A subject's generator draws its settings from a local ``random.Random(seed)`` (never the process's random
state: many learners share one server), computes the expected answer with PyTorch, and writes the worked
arithmetic with the same helpers its page's trace uses (``sizes.size_formula``, ``ops.window_formula`` …), so
the feedback shows the learner exactly the numbers the page shows.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.basics.ops import number
from core.practice.answers import parse_number, parse_shape

Cell = tuple[int, int]


class Form(StrEnum):
    """How the learner answers: a number, a shape typed in any common form, or one of several choices."""

    NUMBER = "number"
    SHAPE = "shape"
    CHOICE = "choice"


@dataclass(frozen=True)
class Line:
    """One line of the worked answer: arithmetic as written (``text``), or a translated sentence (``key``)."""

    text: str = ""
    key: str = ""
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """One choice of a multiple-choice question: what it says (code or a translated sentence), and why it is
    right or wrong (a translated sentence: every wrong choice is explained, not just marked)."""

    key: str
    why: str
    params: Mapping[str, object] = field(default_factory=dict)
    code: str = ""


@dataclass(frozen=True)
class Question:
    """What one seed (or the learner's own settings) asks, and everything needed to check and explain it.

    ``prompt`` / ``hint`` are keys in [practice], filled from ``params``. ``expected`` is a float for a
    number, a tuple for a shape and the right choice's index for a choice. ``grid`` is the padded input a
    learner may click, ``cells`` the grid cells the asked window reads. ``exact`` numbers (sizes, counts) must
    match; others may be rounded to two decimals.
    """

    prompt: str
    form: Form
    expected: float | tuple[int, ...] | int
    worked: tuple[Line, ...]
    hint: str
    params: Mapping[str, object] = field(default_factory=dict)
    code: str = ""
    choices: tuple[Choice, ...] = ()
    grid: tuple[tuple[float, ...], ...] = ()
    cells: frozenset[Cell] = frozenset()
    exact: bool = True
    topic: str = ""
    kind: str = ""
    seed: int | None = None

    def read(self, text: str) -> float | tuple[int, ...]:
        """What the learner typed as this question's kind of answer; AnswerError where it is none."""
        return parse_shape(text) if self.form is Form.SHAPE else parse_number(text)

    def accepts(self, given: float | tuple[int, ...] | int) -> bool:
        """Whether ``given`` (read, or a choice's index) is right. A shape [1, 1, H, W] may be given as [H, W]."""
        if self.form is Form.CHOICE:
            return given == self.expected
        if self.form is Form.SHAPE:
            expected = tuple(self.expected)
            return given == expected or (len(given) == 2 and set(expected[:-2]) <= {1} and given == expected[-2:])
        error = abs(float(given) - float(self.expected))
        return error < 1e-9 if self.exact else error <= 0.006 + 1e-4 * abs(float(self.expected))

    def answer_text(self) -> str:
        """The right answer as the page writes it: 10, 0.6667, [64, 32, 16, 16]."""
        if self.form is Form.SHAPE:
            return "[" + ", ".join(str(d) for d in self.expected) + "]"
        if self.form is Form.CHOICE:
            choice = self.choices[self.expected]
            return choice.code or choice.key
        return number(float(self.expected))
