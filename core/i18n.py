"""Every user-facing string, in 中文 and English.

The strings live in ``core/locales/<lang>.toml``; a TOML section becomes a key
prefix (``[conv] title = …`` is ``conv.title``). Keeping both languages in
parallel files lets a translator work on one file, and the tests check that
both files have the same keys and the same ``{placeholders}``.
"""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
_LOCALES = Path(__file__).with_name("locales")


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    """All strings of one language, keyed by dotted name."""
    with open(_LOCALES / f"{lang}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


def t(key: str, lang: str = DEFAULT, **params: object) -> str:
    """The string for ``key`` in ``lang``, with ``params`` filled in.

    An unknown language falls back to the default; an unknown key shows the key
    itself rather than breaking the page (the tests keep that from happening).
    """
    strings = catalog(lang if lang in LANGUAGES else DEFAULT)
    text = strings.get(key, key)
    return text.format(**params) if params else text


def normalize(lang: object) -> str:
    """A language code from a URL or widget; anything unknown becomes the default."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT
