"""A visitor's own small data set: a zip of a folder in one of the course's two layouts, kept in their session's
upload folder and found the way the data directory's sets are found (``discovery.discover``).

An upload's folder holds ``name.txt`` (the zip's name, which is how the pages name the set: never a server
path) and ``files/``, the zip unpacked (``zips.unpack`` with ``checks.images_and_labels``: images that decode
and label files only). A zip of one folder (``hymenoptera_data/train/ants/…``) is that folder's data set; a zip
of a folder's contents (``train/ants/…`` or ``ants/…``) is one data set named after the zip.
"""
from __future__ import annotations

import os
import re
import threading
import uuid
from dataclasses import replace
from pathlib import Path, PurePosixPath

from core.data import discovery
from core.uploads import checks, sessions, zips
from core.uploads.zips import MB, Limits, UploadError

LIMITS = Limits(max_bytes=20 * MB, max_unpacked=64 * MB, max_members=5_000)
PER_SESSION = 3      # a session's uploads kept; a fourth replaces its oldest
FILES = "files"
NAME = "name.txt"
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f]")
# Zips checked at once, whatever the number of sessions: each holds one member's bytes and one decoded image
# (up to checks.MAX_PIXELS), so a class uploading together waits a few seconds instead of multiplying the memory.
UNPACKERS = 2
_UNPACKING = threading.BoundedSemaphore(UNPACKERS)


def clean_name(filename: str) -> str:
    """The zip's name as the pages show it: its last part (a browser may send a whole Windows path), no control
    characters, at most 60 characters."""
    last = PurePosixPath(filename.replace("\\", "/")).name
    return _UNSHOWN.sub("", last)[:60] or "data.zip"


def find(item: Path) -> list[discovery.Found]:
    """The data sets in one upload's folder, named after its zip; none for a folder whose upload did not finish."""
    try:
        title = (item / NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    files = item / FILES
    tops = [p for p in _listing(files) if not p.name.startswith(".") and p.name not in zips.CLUTTER]
    top = tops[0].name if len(tops) == 1 and tops[0].is_dir() else None
    inner = discovery.discover(files) if top else []
    if inner:
        named = len(inner) > 1
        return [replace(f, path=f"{FILES}/{f.path}", upload=str(item),
                        title=f"{title} · {f.path}" if named else title) for f in inner]
    folder = f"{FILES}/{top}" if top else FILES
    if discovery.label_pairs(item / folder):  # x_image/ and x_label/ right in the zipped folder: one split
        return [discovery.Found(discovery.Kind.LABEL_FILES, folder, ("",), upload=str(item), title=title)]
    return [replace(f, upload=str(item), title=title) for f in discovery.discover(item) if f.path == FILES]


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def folder_name(found: discovery.Found) -> str:
    """The folder the learner zipped, as their own code names it: the set's folder, or the zip's name without
    ``.zip`` where they zipped its contents."""
    if found.path == FILES:
        return found.title.removesuffix(".zip").removesuffix(".ZIP") or "data"
    return PurePosixPath(found.path).name


def of_session(folders: sessions.SessionFolders, session_id: str) -> list[discovery.Found]:
    """The session's own data sets, oldest upload first."""
    return [found for item in folders.items(session_id) for found in find(item)]


def add(folders: sessions.SessionFolders, session_id: str, data: bytes, filename: str) -> list[discovery.Found]:
    """Check and unpack an uploaded zip into a new folder of the session: the data sets it holds.

    Refused (an ``UploadError``, nothing kept) when the zip is unsafe or holds anything but images and label
    files (``zips``, ``checks``), or holds no data set in the course's layouts (``no_dataset``). The session's
    oldest upload goes when it has PER_SESSION already; across sessions ``make_room`` keeps the disk bounded.
    """
    needed = sum(info.file_size for info, _ in zips.plan(data, LIMITS))
    kept = folders.items(session_id)
    for old in kept[: max(0, len(kept) - PER_SESSION + 1)]:
        sessions.remove(old)
    item = folders.new_item(session_id, needed)
    item.mkdir(parents=True)
    temporary = item / f".{NAME}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(clean_name(filename), encoding="utf-8")
    os.replace(temporary, item / NAME)
    try:
        with _UNPACKING:
            zips.unpack(data, item / FILES, LIMITS, checks.images_and_labels)
        found = find(item)
        if not found:
            raise UploadError("no_dataset")
    except BaseException:
        sessions.remove(item)
        raise
    return found
