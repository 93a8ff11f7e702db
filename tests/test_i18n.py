"""Both languages have every string, with the same placeholders."""
import importlib
import re
import string
from pathlib import Path

import pytest

from core import errors, i18n
from core.errors import CodedError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "streamlit_app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py")]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_both_languages():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert sorted(set(zh) - set(en)) == [], "keys only in 中文"
    assert sorted(set(en) - set(zh)) == [], "keys only in English"


@pytest.mark.parametrize("key", sorted(i18n.catalog("zh")))
def test_same_placeholders_and_no_empty_text(key):
    zh, en = i18n.catalog("zh")[key], i18n.catalog("en")[key]
    assert zh.strip() and en.strip()
    assert placeholders(zh) == placeholders(en)


def test_every_literal_key_used_in_the_app_exists():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_0-9.]+)"', path.read_text()))
    assert used, "no t(...) calls found: the pattern is out of date"
    assert sorted(used - set(i18n.catalog("en"))) == []


def test_unknown_language_falls_back_to_chinese():
    assert i18n.normalize("fr") == "zh" and i18n.normalize(None) == "zh" and i18n.normalize("en") == "en"
    assert i18n.t("conv.title", "fr") == i18n.t("conv.title", "zh") == "卷积"
    assert i18n.t("conv.title", "en") == "Convolution"


def coded_errors() -> list[type[CodedError]]:
    """Every CodedError subclass in core/ (the modules imported first, so each has registered)."""
    for path in (ROOT / "core").rglob("*.py"):
        importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"))
    found, todo = [], [CodedError]
    while todo:
        subclasses = todo.pop().__subclasses__()
        found += subclasses
        todo += subclasses
    return found


def test_every_dynamic_key_exists():
    from core.basics import kernels
    from core.data import images
    from ui import SPEEDS
    from ui.nav import HOME, SECTIONS

    core_text = "\n".join(p.read_text() for p in (ROOT / "core").rglob("*.py"))
    keys = {f"kernels.{p}" for p in kernels.PRESETS}
    keys |= {f"samples.{s}" for s in images.samples()}
    keys |= {f"anim.speed_{s}" for s in SPEEDS}
    for error in coded_errors():  # each error's codes, under its own kind's prefix
        keys |= {f"{error.kind}{c}" for c in re.findall(rf'\b{error.__name__}\("(\w+)"', core_text)}
    keys |= {f"image_note.{c}" for c in re.findall(r'notes\.append\(\("(\w+)"', core_text)}
    keys |= {f"train.recipe_{r}" for r in __import__("core.training.train", fromlist=["RECIPES"]).RECIPES}
    keys |= {f"arch.{a}" for a in __import__("core.model", fromlist=["ARCHITECTURES"]).ARCHITECTURES}
    keys |= {f"photo.{s}{suffix}" for s in ("upload", "camera") for suffix in ("", "_label", "_hint")}
    keys |= {f"{HOME.slug}.title"}
    for section, infos in SECTIONS:
        keys.add(section)
        for info in infos:
            keys |= {f"{info.slug}.title", f"{info.slug}.summary"} | {f"chapters.{c}" for c in info.chapters}
    assert len(keys) > 30
    assert sorted(keys - set(i18n.catalog("en"))) == []


def test_explain_translates_any_coded_error_by_its_kind():
    kinds = {error.kind for error in coded_errors()}
    assert kinds == set(errors.ErrorKind)  # every kind is used, and every error names one
    from core.data.images import ImageError

    error = ImageError("too_many_pixels", limit=50)
    assert errors.explain(error, "en") == i18n.t("image_error.too_many_pixels", "en", limit=50)
    assert "50" in errors.explain(error, "zh") and errors.explain(error, "zh") != error.key
    with pytest.raises(TypeError):
        type("Unnamed", (CodedError,), {})  # an error without a kind is refused when it is defined


def test_a_kept_error_holds_no_frames():
    from core.data.images import ImageError

    def fail(data: bytes) -> None:
        raise ImageError("not_image")

    try:
        try:
            fail(b"x" * 1000)
        except ImageError as err:
            raise ImageError("truncated") from err
    except ImageError as err:
        kept = err.bare()
    assert kept.__traceback__ is None and kept.__cause__ is None and kept.__context__ is None
    assert errors.explain(kept, "en") == i18n.t("image_error.truncated", "en")


def test_an_unforeseen_error_s_words_keep_no_server_path():
    without_paths = errors.without_paths
    assert without_paths("[Errno 2] No such file or directory: '/srv/app/data/cifar/train/cat/1.png'") == \
        "[Errno 2] No such file or directory: '1.png'"
    assert without_paths("cannot identify image file /tmp/x/y.jpg") == "cannot identify image file y.jpg"
    assert without_paths(r"C:\Users\me\a.png is locked") == "a.png is locked"
    for kept in ("mat1 and mat2 shapes cannot be multiplied (1x49152 and 196608x10)", "lr 1/2",
                 "CUDA out of memory. Tried to allocate 20.00 MiB"):
        assert without_paths(kept) == kept


def test_a_quoted_value_inside_a_code_span_keeps_its_text_and_cannot_end_the_span():
    values = errors.quoted("`{step}` failed: {error}", {"step": "Resize(a_b)`", "error": "**x** `y", "n": 3})
    assert values == {"step": "Resize(a_b)'", "error": r"\*\*x\*\* \`y", "n": 3}

