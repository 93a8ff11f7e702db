"""Running a page's snippet to show what it prints, when many learners share one server process.

Streamlit runs every session's script in its own thread of one process. The first
version captured a snippet's output with ``contextlib.redirect_stdout``, which swaps
``sys.stdout`` for the whole process: two snippets running at once wrote into each
other's output blocks and into the server log, and the process crashed. CPython 3.11's
``print()`` holds only a borrowed reference to ``sys.stdout`` while it formats its
arguments (a tensor's repr runs Python code, so another thread gets the GIL); when that
thread's ``redirect_stdout`` ended and its buffer was freed, the first ``print`` wrote
into freed memory (a segmentation fault in libpython, fixed upstream in 3.12+ by
gh-130163, not in 3.11). tests/test_isolation.py runs eight threads of snippets at once.

Here ``sys.stdout`` is never touched: the snippet's namespace has its own ``print``,
bound to its own buffer. Paths the snippet opens are passed as variables: a string
literal that is exactly ``repr(path)`` (as codegen writes paths) becomes a name bound in
the namespace to the file the page really used, so no file name enters the code text.
Found token by token, not through ``ast``: in 3.11,
``ast.parse`` and ``compile`` of a syntax tree share one recursion counter between
threads and fail with "AST constructor recursion depth mismatch" when two run at once
(the stress test hit it). Snippets that seed torch's global generator (the course writes
``torch.manual_seed(0)``) run one at a time and leave that generator as they found it.
"""
from __future__ import annotations

import builtins
import functools
import io
import threading
import tokenize
from collections.abc import Mapping

_GLOBAL_RNG = threading.Lock()  # torch's default generator is the one process-wide thing a snippet may change


def _with_files(code: str, files: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """``code`` with each string literal ``repr(shown)`` replaced by a name, and {name: real path}."""
    names = {repr(shown): f"__file_{i}__" for i, shown in enumerate(files)}
    tokens = [tok._replace(string=names.get(tok.string, tok.string)) if tok.type == tokenize.STRING else tok
              for tok in tokenize.generate_tokens(io.StringIO(code).readline)]
    return tokenize.untokenize(tokens), {names[repr(shown)]: str(real) for shown, real in files.items()}


def run(code: str, files: Mapping[str, str] | None = None) -> str:
    """What ``code`` prints, run in a fresh namespace with its own ``print``.

    files: {path as the snippet writes it: path of the file to open instead}.
    """
    code, variables = _with_files(code, files or {})
    runnable = compile(code, "<snippet>", "exec")
    out = io.StringIO()
    namespace = {"__name__": "__snippet__", "print": functools.partial(builtins.print, file=out), **variables}
    import torch  # here, not at import: the first page draws before torch is loaded (core/preload.py)

    with _GLOBAL_RNG, torch.random.fork_rng(devices=[]):
        exec(runnable, namespace)  # noqa: S102 - our own generated code
    return out.getvalue().rstrip("\n")
