"""The code block every page shows: the equivalent PyTorch code and what that very code prints."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st
from PIL import Image

from core.basics import codegen
from ui.language import t

File = Image.Image | bytes  # what a snippet opens: a photo (saved as PNG for it) or a file's bytes (weights)
PRINT_WIDTH = 80  # PyTorch prints tensors and modules in lines of at most this many characters
PHONE_CODE_CHARS = 42  # what a code box shows of a line on a 420 px phone


def _digest(content: File) -> str:
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    return hashlib.sha256(f"{content.mode}{content.size}".encode() + content.tobytes()).hexdigest()


@st.cache_data(max_entries=2000, show_spinner=False)
def _printed(code: str, digests: tuple[tuple[str, str], ...], _files: dict[str, File]) -> str:
    """What ``code`` prints on these files: run once for everyone, keyed by the code and the files' contents."""
    with tempfile.TemporaryDirectory() as folder:
        real = {}
        for i, (path, content) in enumerate(_files.items()):
            copy = Path(folder) / f"{i}{'.bin' if isinstance(content, bytes) else '.png'}"
            if isinstance(content, bytes):
                copy.write_bytes(content)
            else:
                content.save(copy)
            real[path] = str(copy)
        return codegen.run(code, real)


def show_code(code: str, files: dict[str, File] | None = None, output: str | None = None,
              language: str = "python", not_run: str | None = None) -> None:
    """The equivalent PyTorch code and, under it, what that very code prints.

    files: paths the snippet opens (as the learner would write them) and what
    the page really used there (an image, or a file's bytes such as weights);
    the snippet runs on those, saved to a temporary folder, so its output
    describes exactly what the page shows.
    output: what the snippet prints, computed by the page, for snippets too slow
    to run on every rerun (a DataLoader over a whole data set); a test runs
    such snippets on small data and checks they print the same.
    not_run: why the page shows this code without running it (a training run, a missing package), in the
    learner's language; None: it runs.
    """
    st.markdown(f"**{t('common.code')}**")
    st.code(code, language=language, wrap_lines=code_wraps(code))
    if not_run is not None:
        st.caption(not_run)
        return
    st.markdown(f"**{t('common.prints')}**")
    if output is None:
        files = files or {}
        output = _printed(code, tuple((path, _digest(content)) for path, content in files.items()), files)
    st.code(output, language=None, wrap_lines=wraps(output))


def code_wraps(code: str) -> bool:
    """Whether code wraps at the box's edge, so that a phone shows all of it: yes, unless a line inside a block
    (indented) is longer than a phone's box shows. Wrapped, such a line goes on at the left margin, and a loop's
    body no longer looks like one (the phone audit's training loops), so that code scrolls sideways in its box."""
    return not any(line[:1].isspace() and len(line) > PHONE_CODE_CHARS for line in code.splitlines())


def wraps(output: str) -> bool:
    """Whether the output should wrap at the box's edge, so that a phone shows all of it.

    PyTorch lays out a multi-line tensor or module as a table: its continuation lines are indented, and only those
    run past its print width. Such a table keeps its columns and scrolls sideways inside its box; anything else
    (a list, a few numbers, an error message) wraps.
    """
    lines = output.splitlines()
    table = any(line[:1].isspace() for line in lines)
    return not table or any(len(line) > PRINT_WIDTH and not line[:1].isspace() for line in lines)
