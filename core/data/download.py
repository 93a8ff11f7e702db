"""Getting CIFAR-10 into the data directory: download with progress, or an archive the learner put there.

torchvision's own download=True can hang on a network that drops packets and
shows no progress a page can draw. This one fails within ``timeout`` seconds
when the server is unreachable, reports every chunk, can be stopped, checks
the archive's md5 (the one torchvision checks) and extracts it safely.
"""
from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.errors import CodedError, ErrorKind

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"


class DownloadError(CodedError, RuntimeError):
    """A download or unpacking that failed: unwritable, offline, bad_archive or stopped."""

    kind = ErrorKind.DOWNLOAD


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def url() -> str:
    """Where CIFAR-10 comes from: $CIFAR10_URL (a mirror) or the official address."""
    return os.environ.get("CIFAR10_URL") or CIFAR10_URL


def extract(root: Path, archive: Path | None = None) -> Path:
    """Check the archive's md5 and unpack it into root/cifar-10-batches-py (no member may land outside root)."""
    archive = archive or root / ARCHIVE
    if md5(archive) != CIFAR10_MD5:
        raise DownloadError("bad_archive", path=archive.name)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(root, filter="data")
    except (tarfile.TarError, OSError) as err:
        raise DownloadError("bad_archive", path=archive.name) from err
    return root / FOLDER


def download(root: Path, source: str | None = None, timeout: float = 5.0,
             on_progress: Callable[[int, int], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Path:
    """Download the archive into root (a .part file until complete), then extract it."""
    source = source or url()
    part = root / (ARCHIVE + ".part")
    try:
        root.mkdir(parents=True, exist_ok=True)
        target = part.open("wb")
    except OSError as err:  # a read-only or full data directory: said without the server's path
        raise DownloadError("unwritable", reason=err.strerror or type(err).__name__) from err
    try:
        with target as f, urllib.request.urlopen(source, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            for chunk in iter(lambda: response.read(1 << 20), b""):
                if should_stop and should_stop():
                    raise DownloadError("stopped")
                f.write(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done, total)
    except OSError as err:  # URLError, timeouts, refused connections, DNS failures
        part.unlink(missing_ok=True)
        raise DownloadError("offline", url=source, reason=str(getattr(err, "reason", err))) from err
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    archive = part.replace(root / ARCHIVE)
    return extract(root, archive)
