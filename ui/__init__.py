"""Streamlit-side helpers shared by the pages: the language, translated strings, common blocks.

core/ never imports streamlit; everything that needs it and is used by more
than one page lives here.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from core import codegen, i18n, images
from core.errors import CodedError


def lang() -> str:
    """The current language: the sidebar switch, which is bound to ``?lang=`` in the URL."""
    return i18n.normalize(st.session_state.get("lang"))


def t(key: str, **params: object) -> str:
    """The string ``key`` in the current language."""
    return i18n.t(key, lang(), **params)


def labels(prefix: str) -> Callable[[object], str]:
    """A format_func showing option ``x`` as the string ``prefix + x``, in the language of this run.

    The language is fixed when the widget is built: Streamlit may call a
    format_func outside the script run (AppTest does), where the session is gone.
    """
    current = lang()
    return lambda option: i18n.t(f"{prefix}{option}", current)


def language_switch() -> None:
    """中文 / English in the sidebar, kept in the URL as ?lang=zh / ?lang=en so a shared link opens in the same language.

    The URL decides on a session's first run; after that the switch does, and
    writes its choice back to the URL (page switches drop query parameters).
    """
    if "lang" not in st.session_state:
        st.session_state.lang = i18n.normalize(st.query_params.get("lang"))
    st.sidebar.segmented_control("语言 / Language", options=list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                                 required=True, key="lang")
    st.query_params["lang"] = lang()


def show_code(code: str, files: dict[str, Image.Image | bytes] | None = None, output: str | None = None,
              language: str = "python", runs: bool = True) -> None:
    """The equivalent PyTorch code and, under it, what that very code prints.

    files: paths the snippet opens (as the learner would write them) and what
    the page really used there (an image, or a file's bytes such as weights);
    the snippet runs on those, saved to a temporary folder, so its output
    describes exactly what the page shows.
    output: what the snippet prints, computed by the page, for snippets too slow
    to run on every rerun (a DataLoader over a whole data set); a test runs
    such snippets on small data and checks they print the same.
    runs: False for code that does real work (a training run): shown, not run here.
    """
    st.markdown(f"**{t('common.code')}**")
    st.code(code, language=language, wrap_lines=True)
    if not runs:
        st.caption(t("common.not_run"))
        return
    st.markdown(f"**{t('common.prints')}**")
    if output is not None:
        st.code(output, language=None)
        return
    with tempfile.TemporaryDirectory() as folder:
        runnable = code
        for i, (path, content) in enumerate((files or {}).items()):
            copy = Path(folder) / f"{i}{'.bin' if isinstance(content, bytes) else '.png'}"
            if isinstance(content, bytes):
                copy.write_bytes(content)
            else:
                content.save(copy)
            runnable = runnable.replace(repr(path), repr(str(copy)))
        st.code(codegen.run(runnable), language=None)


def matrix_editor(base: np.ndarray, key: str, label: str) -> np.ndarray:
    """An editable matrix; emptied cells count as 0 and values keep 4 decimals (what the code shows).

    To replace what is shown (reset, random, preset), pass a new ``key``.
    """
    frame = pd.DataFrame(np.asarray(base, dtype=float), columns=[str(c) for c in range(np.shape(base)[1])])
    edited = st.data_editor(frame, key=key, hide_index=True, width="content",
                            column_config={c: st.column_config.NumberColumn(c, format="%g", width=52)
                                           for c in frame.columns})
    st.caption(label)
    return np.round(np.nan_to_num(edited.to_numpy(dtype=float)), 4)


def animation_labels() -> dict[str, str]:
    """Translated labels for viz.window_animation."""
    keys = ("input", "kernel", "output", "play", "pause", "step", "back", "forward")
    return {k: t(f"anim.{k}") for k in keys}


SPEEDS = {"slow": 1400, "normal": 700, "fast": 250}


def speed_control(key: str) -> int:
    """Animation speed as milliseconds per step."""
    speed = st.select_slider(t("anim.speed"), options=list(SPEEDS), value="normal",
                             format_func=labels("anim.speed_"), key=key)
    return SPEEDS[speed]


def settings_problem(error: CodedError, fixes: list[tuple[str, dict]], key: str) -> None:
    """PyTorch would refuse these settings: say why in the learner's language and offer a way out.

    fixes: (button label, {session_state key: value}) pairs; each button applies its values.
    """
    st.error(t(f"problem.{error.code}", **error.params), icon=":material/block:")
    columns = st.columns(len(fixes) or 1)
    for column, (label, values) in zip(columns, fixes):
        column.button(label, key=f"{key}_{label}", on_click=st.session_state.update, args=(values,))


def tensor_shape(*dims: int) -> str:
    """A shape as PyTorch prints it, in code style: `torch.Size([1, 3, 32, 32])`."""
    return f"`torch.Size([{', '.join(str(int(d)) for d in dims)}])`"


@st.cache_data(max_entries=8, show_spinner=False)
def _open_upload(data: bytes) -> images.Loaded:
    return images.open_image(data)


def photo_picker(key: str, longest: int | None = None, camera: bool = False) -> Image.Image | None:
    """A bundled sample photo or the learner's own upload (or camera shot), as RGB.

    Bad files get a translated message and None; conversions (animated GIF,
    CMYK, 16-bit, alpha, EXIF rotation) get a visible note.
    """
    sources = ["sample", "upload"] + (["camera"] if camera else [])
    source = st.segmented_control(t("photo.source"), sources, format_func=labels("photo."),
                                  default="sample", required=True, key=f"{key}_source", persist_state="session")
    if source == "sample":
        name = st.selectbox(t("photo.sample"), images.samples(), format_func=labels("samples."),
                            key=f"{key}_sample", persist_state="session")
        photo = images.sample(name)
    else:
        widget = st.camera_input if source == "camera" else st.file_uploader
        options = {} if source == "camera" else {"type": list(images.UPLOAD_TYPES)}
        file = widget(t(f"photo.{source}_label"), key=f"{key}_{source}", **options)
        if file is None:
            st.info(t(f"photo.{source}_hint"))
            return None
        try:
            loaded = _open_upload(file.getvalue())
        except images.ImageError as err:
            st.error(t(f"image_error.{err.code}", **err.params), icon=":material/broken_image:")
            return None
        for code, params in loaded.notes:
            st.info(t(f"image_note.{code}", **params), icon=":material/info:")
        photo = loaded.image
    return images.fit(photo, longest) if longest else photo


def photo_source(key: str) -> str:
    """The path the learner would open in Python for the photo picked under ``key`` (for code snippets)."""
    source = st.session_state.get(f"{key}_source", "sample")
    if source == "sample":
        return f"assets/samples/{st.session_state.get(f'{key}_sample', images.samples()[0])}.jpg"
    upload = st.session_state.get(f"{key}_{source}")  # the upload, or the camera's shot
    return getattr(upload, "name", None) or "your_photo.jpg"
