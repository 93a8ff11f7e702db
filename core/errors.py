"""One shape for every error a page explains to the learner, and one way to explain it."""
from __future__ import annotations

import re
import string
from enum import StrEnum
from typing import ClassVar

from core import i18n


class ErrorKind(StrEnum):
    """Which family of messages an error's code belongs to: the value is its keys' prefix in core/locales."""

    SETTINGS = "problem."
    IMAGE = "image_error."
    DATA = "data.error_"
    DOWNLOAD = "data.download_"
    TRAINING = "train.error_"
    CHECKPOINT = "cls.error_"
    WHOLE_MODEL = "ckpt.error_"
    QUERY = "url."
    TRANSFORM = "tf."
    PRACTICE = "practice."
    REMOTE = "jobs_redis.error_"
    UPLOAD = "uploads.error_"
    TBLOGS = "tblogs.error_"


class CodedError(Exception):
    """An error with a message code and the values that fill it: the page translates, never shows a traceback.

    Each module subclasses it (DataError, ImageError, …) and names its ``kind``, so its codes keep their own
    namespace of messages and ``explain`` finds them without the page knowing which module raised.
    """

    kind: ClassVar[ErrorKind]

    def __init_subclass__(cls, **options: object) -> None:
        super().__init_subclass__(**options)
        if not isinstance(getattr(cls, "kind", None), ErrorKind):
            raise TypeError(f"{cls.__name__} must name its kind: an ErrorKind")

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params

    def bare(self) -> CodedError:
        """This error without its traceback and context, to keep (a cached verdict): a traceback holds every
        frame of the run that raised it, and with them the upload's bytes and the page's locals."""
        self.__traceback__ = self.__context__ = self.__cause__ = None
        return self

    @property
    def key(self) -> str:
        """The message's key in core/locales."""
        return f"{self.kind}{self.code}"


def explain(error: CodedError, lang: str, **params: object) -> str:
    """The error's message in ``lang``; ``params`` add to (or override) the values the error carries.

    The message is Markdown and its values are not: each text value is escaped for where the message puts it.
    """
    template = i18n.t(error.key, lang)
    return i18n.t(error.key, lang, **quoted(template, {**error.params, **params}))


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#+\-!|~$])")


def quoted(template: str, params: dict[str, object]) -> dict[str, object]:
    """``params`` with each text value escaped for its place in the Markdown ``template``.

    Outside a `code span`, Markdown would read the ``__main__`` of a quoted PyTorch message as bold "main" and
    a lone backtick as the start of code: there every Markdown character is escaped. Inside a span, escapes show
    as written and only a backtick can end it early: it becomes a quote.
    """
    safe, inside = dict(params), False
    for literal, field, _, _ in string.Formatter().parse(template):
        inside ^= literal.count("`") % 2 == 1
        value = params.get(field) if field else None
        if isinstance(value, str):
            safe[field] = value.replace("`", "'") if inside else _MARKDOWN.sub(r"\\\1", value)
    return safe


_PATH = re.compile(r"(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/:]+[\\/])+([^\s'\"\\/:]*)")


def without_paths(text: str) -> str:
    """``text`` with every absolute file path cut to its last part (its file's name): an unforeseen error's words
    may help a learner, its server's folders must not be shown."""
    return _PATH.sub(lambda m: m.group(1) or "…", text)
