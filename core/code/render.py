"""One way to write the standalone PyTorch code a page shows: a Jinja template filled in with values.

A template is the code as a learner reads it (``templates/<name>.py.tmpl``), with
``{{ value }}`` where a setting goes and ``{{ _("key") }}`` where a comment or a
printed label goes. That text comes from the ``[code]`` tables of core/locales, in
the learner's language, as the course writes its comments in Chinese; identifiers
stay as the course writes them. Values are numbers, fixed names and ``repr``'d
paths, never free text a visitor typed. Jinja2 comes with Streamlit (through Altair).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from core import i18n

TEMPLATES = Path(__file__).with_name("templates")
SUFFIX = ".py.tmpl"


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True, autoescape=False)
    environment.filters["quoted"] = _quoted
    return environment


def _quoted(text: str) -> str:
    """A string literal in double quotes, as the course writes them, its Chinese kept readable (not \\u escapes)."""
    return json.dumps(text, ensure_ascii=False)


def names() -> list[str]:
    """Every template, by the name ``render`` takes."""
    return sorted(p.name.removesuffix(SUFFIX) for p in TEMPLATES.glob(f"*{SUFFIX}"))


def comment(key: str, lang: str, **params: object) -> str:
    """The text ``code.<key>`` in ``lang``; a missing key is an error, so a test that renders every template finds it."""
    full = f"code.{key}"
    if full not in i18n.catalog(i18n.normalize(lang)):
        raise KeyError(full)
    return i18n.t(full, i18n.normalize(lang), **params)


def render(name: str, lang: str, /, **values: object) -> str:
    """Template ``name`` filled in with ``values``, its comments and printed labels in ``lang``; like a file,
    it ends with one newline."""
    def say(key: str, **params: object) -> str:
        return comment(key, lang, **params)

    return _environment().get_template(name + SUFFIX).render(_=say, **values).rstrip() + "\n"


def tudui_class(arch: str) -> str:
    """The course's Tudui class with this architecture's layers (the model, classify, chapter and training code)."""
    from core.model import skeleton  # here: the first page draws before torch is loaded

    return network_class(skeleton(arch).model)


def network_class(layers: Sequence) -> str:
    """The course's Tudui class holding these layers in self.model: an architecture's, or a learner's own variation
    rebuilt from their file."""
    from core.model import constructor

    return render("tudui_class", i18n.DEFAULT, layers=[constructor(layer) for layer in layers]).rstrip()
