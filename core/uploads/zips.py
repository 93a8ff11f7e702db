"""Unpacking a visitor's zip without trusting it.

A zip names its own files, sizes and file types, and every one of them may lie: ``../../home/x`` or
``C:\\x`` or ``/etc/x`` climb out of the folder; a member marked as a symlink points anywhere once unpacked; a
42 KB zip can unpack to petabytes. So ``unpack`` refuses all of these from the central directory, then reads
every member once (counting the bytes it really gets, and handing each to ``check``, e.g. "is this an
image") before a single byte is written. Only then does it write, into a hidden temporary folder beside the
target that is renamed to the target at the end: a kill leaves a ``.part`` folder (``sessions`` sweeps them),
never a half-unpacked target. Every refusal is an ``UploadError`` whose code the page translates.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import stat
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import CodedError, ErrorKind

MB = 1024 * 1024
CHUNK = MB
# What a zip made on a Mac or in Windows' Explorer carries beside the learner's files: left out, never refused.
CLUTTER = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
BOMB_FLOOR = MB  # below this, a high ratio is a small text file, not a bomb
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PART = ".part-"  # the temporary folder's marker: "<.target>.part-<random>"


class UploadError(CodedError, ValueError):
    """An upload refused: its code names why (``uploads.error_<code>`` in core/locales)."""

    kind = ErrorKind.UPLOAD


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. ``ratio``: the most a member (or the whole zip) may unpack to per byte it takes
    in the zip; deflate reaches about 1,000 on zeros, photos stay near 1."""

    max_bytes: int = 20 * MB       # the zip itself
    max_unpacked: int = 60 * MB    # all members together, unpacked
    max_members: int = 2_000
    ratio: int = 100
    max_depth: int = 8             # folders inside folders


@dataclass(frozen=True)
class Unpacked:
    """What ``unpack`` wrote: the target folder, its files (relative, "/"-separated) and their bytes together."""

    folder: Path
    files: tuple[str, ...]
    size: int


Check = Callable[[PurePosixPath, bytes], None]


def safe_name(info: zipfile.ZipInfo) -> PurePosixPath:
    """A member's name as a relative path that stays inside the folder, or ``unsafe_name``.

    Read from the name as stored (``orig_filename``: zipfile cuts it at a NUL byte): absolute names, Windows
    drive letters and backslashes, ``..`` and ``.``, control characters, empty parts and overlong names are
    refused, not repaired: a zip holding them was not made by zipping a folder.
    """
    raw = info.orig_filename
    name = raw[:-1] if info.is_dir() and raw.endswith("/") else raw
    parts = name.split("/")
    bad = (not name or name.startswith("/") or "\\" in name or _DRIVE.match(name) or _CONTROL.search(name)
           or any(p in ("", ".", "..") or len(p.encode()) > 200 for p in parts))
    if bad:
        raise UploadError("unsafe_name", name=raw)
    return PurePosixPath(*parts)


def _file_type(info: zipfile.ZipInfo) -> int:
    """The Unix file type the zip claims for a member (0 when it claims none, as zips made on Windows do)."""
    return stat.S_IFMT(info.external_attr >> 16)


def plan(data: bytes, limits: Limits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The members to unpack with their checked names, from the zip's directory alone: nothing is decompressed.

    Refuses: not a zip, too large, too many members, encrypted members, links and other special files,
    unsafe or repeated names, too deep, more unpacked bytes than allowed, and bombs (a ratio above
    ``limits.ratio`` for a member or the whole).
    """
    if len(data) > limits.max_bytes:
        raise UploadError("too_large", mb=limits.max_bytes // MB)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        raise UploadError("not_zip") from None
    if len(infos) > limits.max_members:
        raise UploadError("too_many", count=len(infos), max=limits.max_members)
    members, seen, folders, total = [], set(), set(), 0
    for info in infos:
        name = safe_name(info)
        if _file_type(info) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UploadError("link", name=str(name))
        if info.flag_bits & 0x1:
            raise UploadError("encrypted", name=str(name))
        if len(name.parts) > limits.max_depth + 1:
            raise UploadError("too_deep", name=str(name), max=limits.max_depth)
        if CLUTTER & set(name.parts) or info.is_dir():
            continue
        if name in seen or name in folders or any(parent in seen for parent in name.parents):
            raise UploadError("duplicate", name=str(name))
        seen.add(name)
        folders.update(name.parents)
        total += info.file_size
        if total > limits.max_unpacked:
            raise UploadError("unpacked_too_large", mb=limits.max_unpacked // MB)
        if info.file_size > BOMB_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise UploadError("bomb", name=str(name))
        members.append((info, name))
    if total > BOMB_FLOOR and total > limits.ratio * len(data):
        raise UploadError("bomb_total", ratio=limits.ratio)
    if not members:
        raise UploadError("empty")
    return members


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: PurePosixPath, budget: int) -> bytes:
    """A member's bytes, refused as a bomb the moment they pass what its directory entry (or the budget) said."""
    allowed = min(info.file_size, budget)
    out = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                out += chunk
                if len(out) > allowed:
                    raise UploadError("bomb", name=str(name))
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        raise UploadError("damaged", name=str(name)) from None
    return bytes(out)


def unpack(data: bytes, target: Path, limits: Limits = Limits(), check: Check | None = None) -> Unpacked:
    """Unpack the zip ``data`` into the new folder ``target`` (which must not exist), all checked first.

    ``check(name, bytes)`` sees every member before anything is written and raises an ``UploadError`` to
    refuse the zip (a data set's "images only"). Clutter (``__MACOSX/``, ``.DS_Store``) is left out.
    """
    members = plan(data, limits)
    archive = zipfile.ZipFile(io.BytesIO(data))
    budget = limits.max_unpacked
    for info, name in members:
        content = _read(archive, info, name, budget)
        budget -= len(content)
        if check is not None:
            check(name, content)
    part = target.parent / f".{target.name}{PART}{uuid.uuid4().hex[:12]}"
    try:
        part.mkdir(parents=True)
        size = 0
        for info, name in members:
            content = _read(archive, info, name, limits.max_unpacked)
            path = part.joinpath(*name.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as out:
                out.write(content)
            size += len(content)
        os.rename(part, target)
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return Unpacked(target, tuple(str(name) for _, name in members), size)
