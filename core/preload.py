"""Import PyTorch once per server process, in the background, from the first request on.

`import torch` takes 3–30 s on a cold machine, and while it loads its native
libraries it holds the interpreter lock for up to several hundred
milliseconds at a time: a page drawing its title in the same moment would
stall. So the import starts when the first page has drawn its title, intro and
controls (``begin``, called where the page first needs torch) or after
``HEADSTART_S`` seconds, whichever comes first; the page waits on it only where
a figure will come, behind a visible "loading PyTorch…" note. The thread is not
a daemon: stopping the server mid-import waits for the import to end instead of
tearing an interpreter down under native code.
"""
from __future__ import annotations

import importlib
import threading

MODULES = ("torch", "torch.nn.functional", "pandas", "plotly.graph_objects", "plotly.subplots")  # a figure's needs (core/viz)
LATER = ("torchvision.transforms",)  # 5 s more (its package imports every model): only some pages need it
HEADSTART_S = 1.0
_go = threading.Event()
_done = threading.Event()
_started = threading.Lock()


def parents_first(name: str) -> None:
    """Import a dotted module the way ``from a import b`` does: the whole package ``a`` first, then ``a.b``.

    ``import_module("a.b")`` takes ``a.b``'s import lock before it imports ``a``. If a page's thread is
    meanwhile initialising ``a``, whose ``__init__`` imports ``a.b`` (torchvision's does), each thread
    waits on a lock the other holds; Python breaks the tie by handing one of them the half-initialised
    module, and a learner's first visit failed with "cannot import name 'InterpolationMode' from
    partially initialized module 'torchvision.transforms'" (3 of 12 fresh servers).
    """
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        importlib.import_module(".".join(parts[:end]))


def _load() -> None:
    _go.wait(HEADSTART_S)
    try:
        for name in MODULES:
            parents_first(name)
    finally:
        _done.set()  # a failed import is raised again, with its message, where the page imports the module
    for name in LATER:  # a page that needs it meanwhile waits on the import lock, not on a second import
        parents_first(name)


def start() -> None:
    """Start the background import, once per process (later calls do nothing)."""
    if _started.acquire(blocking=False):
        threading.Thread(target=_load, name="preload-torch").start()


def begin() -> None:
    """The page's header is on screen: import now, without waiting out the head start."""
    _go.set()


def ready() -> bool:
    """Whether PyTorch and the figure library are imported (torchvision may still be on its way)."""
    return _done.is_set()


def wait() -> None:
    """Block until the background import has finished (starting it now if nothing has)."""
    start()
    begin()
    _done.wait()
