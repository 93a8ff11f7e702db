"""A whole split decoded once into one uint8 tensor, cached on disk, for the fast training path.

The fast recipes want a split as one ``[N, 3, H, W]`` uint8 tensor (50,000
CIFAR images are 150 MB), moved to the device once. Decoding a folder of JPEGs
takes seconds, so the tensor is cached on disk (``core.data.cachedir``), keyed by
the split's file listing: written under a lock to a temporary name and renamed
into place, so a kill or a second process never leaves half a file, and a
damaged file is deleted and rebuilt.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core.data import cachedir
from core.data.discovery import class_folders, is_cifar10
from core.data.paths import IMAGE_SUFFIXES, UNREADABLE, DataError, data_root, inside, is_bundled, shown
from core.data.sets import open_cifar10

CACHE_DIR = cachedir.NAME
Progress = Callable[[int, int, bool], None]


@dataclass
class TensorSplit:
    """One split as tensors, and what load_split had to work around to make them."""

    images: torch.Tensor   # uint8 [N, 3, H, W]
    labels: torch.Tensor   # int64 [N]
    classes: list[str]
    skipped: tuple[str, ...] = ()   # image files that could not be decoded (class/file), left out
    rebuilt: bool = False           # a damaged cache file was found, deleted and built again


def _decode(path: Path, size: int) -> torch.Tensor | None:
    """One image as uint8 [3, size, size]; None when the file cannot be read as an image."""
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            if im.size != (size, size):
                im = im.resize((size, size), Image.Resampling.BILINEAR)
            return torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1)
    except UNREADABLE:
        return None


def _listing(folder: Path, classes: list[str]) -> list[tuple[Path, int]]:
    return [(f, label) for label, name in enumerate(classes)
            for f in sorted((folder / name).iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]


def _decode_all(folder: Path, files: list[tuple[Path, int]], classes: list[str], size: int,
                progress: Progress) -> TensorSplit:
    decoded, labels, skipped = [], [], []
    progress(0, len(files), False)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        images = pool.map(lambda item: _decode(item[0], size), files, chunksize=256)
        for done, ((path, label), image) in enumerate(zip(files, images), start=1):
            if image is None:
                skipped.append(f"{path.parent.name}/{path.name}")
            else:
                decoded.append(image)
                labels.append(label)
            if done % 500 == 0:
                progress(done, len(files), False)
    progress(len(files), len(files), False)
    if not decoded:
        raise DataError("no_readable", path=shown(folder))
    return TensorSplit(torch.stack(decoded), torch.tensor(labels), classes, tuple(skipped))


def _read_cache(path: Path) -> TensorSplit:
    """A cache file, checked: anything torch.load refuses or that has the wrong shape raises."""
    saved = torch.load(path, weights_only=True)
    images, labels = saved["images"], saved["labels"]
    if images.dtype != torch.uint8 or images.dim() != 4 or len(images) != len(labels):
        raise ValueError("not a split")
    return TensorSplit(images, labels, list(saved["classes"]), tuple(saved["skipped"]))


def _write_cache(path: Path, split: TensorSplit) -> None:
    """Write to a temporary name, then rename: readers see the old file, no file, or the whole new one."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        torch.save({"images": split.images, "labels": split.labels, "classes": split.classes,
                    "skipped": list(split.skipped)}, tmp)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a full disk: decode again next time


def _cached(candidates: list[Path], family: str, stamp: str, build: Callable[[], TensorSplit]) -> TensorSplit:
    """The split from the first good cache file, else built (once, under a lock) and cached where writable.

    family names one split of one data set, stamp its current file listing: ``<family>-<stamp>.pt``. Writing a
    new version deletes the family's older ones, so a data set that changes keeps one cache file, not many.
    """
    name = f"{family}-{stamp}.pt"
    rebuilt = False
    for folder in candidates:
        path = folder / name
        if path.is_file():
            try:
                return _read_cache(path)
            except Exception:  # any damage at all (torch.load's errors vary): delete it and build again
                rebuilt = True
                path.unlink(missing_ok=True)
    folder = cachedir.writable(candidates)
    if folder is None:
        return replace(build(), rebuilt=rebuilt)
    path = folder / name
    with cachedir.locked(folder / family):
        if path.is_file():  # another process built it while this one waited for the lock
            try:
                return _read_cache(path)
            except Exception:  # damaged as it was written: build it again
                path.unlink(missing_ok=True)
        split = build()
        _write_cache(path, split)
        for older in folder.glob(f"{family}-*.pt"):
            if older != path:
                older.unlink(missing_ok=True)
    return replace(split, rebuilt=rebuilt)


def load_split(source: Path, split: str, size: int = 32, progress: Progress | None = None) -> TensorSplit:
    """A split ("train" / "test") as one uint8 tensor.

    source is either torchvision's CIFAR-10 root (holding cifar-10-batches-py;
    torchvision checks every file's md5) or a folder tree source/<split>/<class>/.
    Folder images are decoded once, resized to size × size where needed, and
    cached keyed by the file listing; images that cannot be decoded are left out
    and named in ``skipped``. progress(done, total, cached) is told how far
    decoding got (every 500 images), or once that the split came from a cache.
    """
    report = progress or (lambda done, total, cached: None)
    if is_cifar10(source):
        cifar = open_cifar10(source, split == "train")
        report(len(cifar.data), len(cifar.data), True)
        return TensorSplit(torch.from_numpy(cifar.data).permute(0, 3, 1, 2).contiguous(),
                           torch.tensor(cifar.targets), list(cifar.classes))
    folder = inside(source, split)
    classes = class_folders(folder)
    if not classes:
        raise DataError("no_split", path=shown(folder))
    files = _listing(folder, classes)
    family = f"{split}-{hashlib.sha1(f'{size}|{folder.resolve()}'.encode()).hexdigest()[:8]}"
    stamp = hashlib.sha1()
    for f, label in files:
        info = f.stat()
        stamp.update(f"{f.name}|{label}|{info.st_size}|{info.st_mtime_ns}".encode())
    candidates = cachedir.shared_candidates(data_root())
    if not is_bundled(source):
        candidates.insert(0, source / CACHE_DIR)
    built = False

    def build() -> TensorSplit:
        nonlocal built
        built = True
        return _decode_all(folder, files, classes, size, report)

    result = _cached(candidates, family, stamp.hexdigest()[:16], build)
    if not built:
        report(len(result.labels), len(result.labels), True)
    return result
