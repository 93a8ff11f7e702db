"""Where the app may write what it derives from data: decoded tensors, the sample's label-file layout.

A folder data set's cache lives beside it when its owner lets the app write
there. The bundled sample's never does: ``assets/`` may be read-only in a
deployment and must stay clean in a checkout. Those go to the data directory's
``.tensor-cache`` when that directory exists, else to a per-user folder in the
system's temporary directory. When nothing is writable there is no cache and
the data are decoded again: slower, never broken.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; os.replace still keeps every file whole
    fcntl = None

NAME = ".tensor-cache"


def shared_candidates(data_root: Path) -> list[Path]:
    """Folders for caches that belong to no data set of the owner's (the bundled sample's), best first."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    fallback = Path(tempfile.gettempdir()) / f"pytorch-visual-companion-{uid}" / NAME
    try:
        here = [data_root / NAME] if data_root.is_dir() else []
    except OSError:  # a data directory the app may not even look into
        here = []
    return here + [fallback]


def writable(candidates: list[Path]) -> Path | None:
    """The first candidate that exists or can be made, and takes a file; None when none does."""
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
                return folder
        except OSError:
            continue
    return None


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on path + ".lock" (blocking): two processes building the same file take turns."""
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
