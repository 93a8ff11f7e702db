"""The learner's language and translated strings, for every page."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core import errors, i18n
from core.course import CIFAR10_CLASSES


def lang() -> str:
    """The current language: the switch at the top of the page, which is bound to ``?lang=`` in the URL."""
    return i18n.normalize(st.session_state.get("lang"))


def t(key: str, **params: object) -> str:
    """The string ``key`` in the current language."""
    return i18n.t(key, lang(), **params)


def explain(error: BaseException, **params: object) -> str:
    """Any CodedError as the learner reads it, in the current language (``params`` add to or override the error's).

    Any other error is a bug the page did not foresee: it is named by its type alone, since its text may
    hold a server path or a file's contents."""
    if not isinstance(error, errors.CodedError):
        return t("problem.unexpected", error=type(error).__name__)
    return errors.explain(error, lang(), **params)


def labels(prefix: str) -> Callable[[object], str]:
    """A format_func showing option ``x`` as the string ``prefix + x``, in the language of this run.

    The language is fixed when the widget is built: Streamlit may call a
    format_func outside the script run (AppTest does), where the session is gone.
    """
    current = lang()
    return lambda option: i18n.t(f"{prefix}{option}", current)


def class_label(name: str) -> str:
    """A class name, translated where it is one of CIFAR-10's (a folder data set's own names stay as they are)."""
    return t(f"classes.{name}") if name in CIFAR10_CLASSES else name


def language_switch() -> None:
    """中文 / English at the top right of every page's main area, kept in the URL as ?lang=zh / ?lang=en so a shared
    link opens in the same language.

    Not in the sidebar: a phone folds the sidebar away behind », where a learner who reads only English would never
    find it. The URL decides on a session's first run; after that the switch does, and writes its choice back to
    the URL (page switches drop query parameters).
    """
    if "lang" not in st.session_state:
        st.session_state.lang = i18n.normalize(st.query_params.get("lang"))
    with st.container(horizontal=True, horizontal_alignment="right", key="language"):
        st.segmented_control("语言 / Language", options=list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                             required=True, key="lang", label_visibility="collapsed")
    st.query_params["lang"] = lang()
