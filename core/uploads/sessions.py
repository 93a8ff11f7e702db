"""One folder per browser session for what it uploads, the disk they use together bounded.

Everything lives under one root in the system's temp folder: ``<root>/<session key>/<item>/``, one item per
upload. The session key is a hash of Streamlit's session id, so no name that came from a request becomes a
path. Which sessions are still open is Streamlit's to know (ui/session_files.py asks and calls ``prune``);
here: make room for a new item by removing the oldest items of any session first (``make_room``), remove the
folders of sessions that are gone, and sweep what a killed unpack left (``.part`` folders). A folder is
renamed to a hidden name before it is deleted, so a page never reads a half-deleted one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.disk import size_of
from core.uploads.zips import PART

ROOT = Path(tempfile.gettempdir()) / "pytorch-visual-companion-uploads"
MAX_TOTAL = 1024 * 1024 * 1024  # every session's uploads together
STALE_PART_S = 15 * 60          # an unpack's temporary folder this old was left by a kill
GRACE_S = 60.0                  # a session folder this young is kept: its session may have started after the listing
TRASH = ".trash-"
_LOCK = threading.Lock()        # one server's sessions make room one at a time


def key(session_id: str) -> str:
    """The folder name of a session: a hash of its id."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


def remove(folder: Path) -> None:
    """Delete a folder: first renamed to a hidden name beside it (one atomic step), then its files."""
    trash = folder.with_name(f"{TRASH}{uuid.uuid4().hex[:12]}")
    try:
        os.rename(folder, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return []


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


@dataclass(frozen=True)
class SessionFolders:
    """The per-session upload folders under ``root``, at most ``max_total`` bytes in all."""

    root: Path = ROOT
    max_total: int = MAX_TOTAL

    def folder(self, session_id: str) -> Path:
        """The session's folder (made if missing)."""
        path = self.root / key(session_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def items(self, session_id: str) -> list[Path]:
        """The session's finished uploads, oldest first (a hidden or temporary folder is not one)."""
        found = [p for p in _entries(self.root / key(session_id)) if not p.name.startswith(".")]
        return sorted(found, key=lambda p: (-_age(p), p.name))

    def new_item(self, session_id: str, needed: int) -> Path:
        """A fresh path for an upload of ``needed`` bytes in the session's folder (not made: ``zips.unpack``
        makes it), after making room for it."""
        self.make_room(needed)
        return self.folder(session_id) / uuid.uuid4().hex[:16]

    def make_room(self, needed: int) -> None:
        """Remove the oldest items of any session until ``needed`` more bytes fit under ``max_total``; sweep
        temporary folders a killed unpack left."""
        with _LOCK:
            self._sweep()
            items = [item for session in _entries(self.root) for item in _entries(session)
                     if not item.name.startswith(".")]
            sizes = {item: size_of(item) for item in items}
            total = sum(sizes.values())
            for item in sorted(items, key=_age, reverse=True):
                if total + needed <= self.max_total:
                    break
                remove(item)
                total -= sizes[item]

    def prune(self, live: Iterable[str]) -> int:
        """Remove the folders of sessions not in ``live`` (Streamlit's session ids, listed just before), unless
        touched in the last GRACE_S seconds; how many were removed."""
        keep = {key(session_id) for session_id in live}
        gone = [s for s in _entries(self.root) if not s.name.startswith(".") and s.name not in keep
                and _age(s) > GRACE_S]
        for session in gone:
            remove(session)
        with _LOCK:
            self._sweep()
        return len(gone)

    def _sweep(self) -> None:
        """Leftovers: a trash folder whose deletion was cut short, an unpack's folder older than STALE_PART_S."""
        for session in _entries(self.root):
            for entry in [session, *_entries(session)]:
                if entry.name.startswith(TRASH) or (PART in entry.name and _age(entry) > STALE_PART_S):
                    shutil.rmtree(entry, ignore_errors=True)
