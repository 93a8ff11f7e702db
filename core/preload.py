"""Import PyTorch once per server process, in the background, from the first request on.

`import torch` takes 3–30 s on a cold machine. Started here, it runs while the
first page draws its title, intro and controls (none of which need torch);
the page waits on it only where a figure will come, behind a visible
"loading PyTorch…" note. The thread is not a daemon: stopping the server
mid-import waits for the import to end instead of tearing an interpreter
down under native code.
"""
from __future__ import annotations

import importlib
import threading

MODULES = ("torch", "torch.nn.functional", "torchvision.transforms", "plotly.graph_objects", "plotly.subplots")
_done = threading.Event()


def _load() -> None:
    try:
        for name in MODULES:
            importlib.import_module(name)
    finally:
        _done.set()  # a failed import is raised again, with its message, where the page imports the module


def ready() -> bool:
    """Whether PyTorch and the figure library are imported."""
    return _done.is_set()


def wait() -> None:
    """Block until the background import has finished."""
    _done.wait()


threading.Thread(target=_load, name="preload-torch").start()
