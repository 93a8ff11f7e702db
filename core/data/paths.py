"""Where data sets live, and how a path is named to a user.

The data directory (``data/`` in the repo, or ``$DATA_DIR``) belongs to whoever
runs the app: what they put there, symlinks included, is theirs to use, so
symlinks are followed. Visitors never type a path; the only names that come
from a request are data-set and split names, and ``inside`` refuses any of
them that is absolute or holds ``..``. Paths shown to a user go through
``shown``: relative to the repo or the data directory, never the server's.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from PIL import Image

from core.data import sample
from core.errors import CodedError, ErrorKind

REPO = Path(__file__).resolve().parents[2]
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"}
# What PIL raises for a file that is not an image, is cut short, or is damaged inside.
UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)


class DataError(CodedError, ValueError):
    """A data set that cannot be used."""

    kind = ErrorKind.DATA


def data_root() -> Path:
    """The data directory: $DATA_DIR, or data/ in the repo."""
    return Path(os.environ.get("DATA_DIR") or REPO / "data").resolve()


def inside(root: Path, relative: str | Path) -> Path:
    """root / relative for a name a page was given, refused when it is absolute or climbs out with "..".

    The result is not resolved: a symlink the owner put into the data directory is theirs to use.
    """
    rel = Path(relative)
    if rel.is_absolute() or rel.drive or ".." in rel.parts:
        raise DataError("outside_data_dir", path=str(relative))
    return root / rel


def relative(path: Path, root: Path) -> str | None:
    """path relative to root as a user reads it ("." for root itself), None when it is not under root."""
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return None


def shown(path: Path, root: Path | None = None, named: str | None = None) -> str:
    """A path as a page, a message or a model card shows it: relative to the repo, else to ``root`` (the data
    directory unless told) as ``named/…`` (the data directory's own files without a prefix, itself as
    DATA_DIR), else its name alone. Never the server's absolute path. A relative path counts from the working
    directory; symlinks are not followed (a data set the owner linked into the data directory is named where
    it is linked)."""
    path, root = Path(os.path.abspath(path)), root or data_root()
    in_repo = relative(path, REPO)
    if in_repo is not None:
        return in_repo
    in_root = relative(path, root)
    if in_root is not None and named:
        return PurePosixPath(named, in_root).as_posix()
    if in_root is not None:
        return "DATA_DIR" if in_root == "." else in_root
    return path.name


def is_bundled(path: Path) -> bool:
    """Whether path is (inside) the bundled sample, which the app never writes into."""
    here, bundled = path.resolve(), sample.SAMPLE.resolve()
    return here == bundled or bundled in here.parents
