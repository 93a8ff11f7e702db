"""Where data sets live, and CIFAR-10-like data as one uint8 tensor for fast training.

Everything the app opens lies under one data directory: ``data/`` in the repo,
or ``$DATA_DIR``. ``inside`` refuses any path that leaves it (``..``, absolute
paths, symlinks pointing out), so a public deployment never reads other
server paths.

The fast training path wants the whole split decoded once into a
``[N, 3, H, W]`` uint8 tensor (50,000 CIFAR images are 150 MB), moved to the
device once, with no per-image Python work afterwards. Decoding a folder of
JPEGs takes seconds, so the tensor is cached on disk beside the folder.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core.errors import CodedError

REPO = Path(__file__).resolve().parent.parent
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"}
CACHE_DIR = ".tensor-cache"


class DataError(CodedError, ValueError):
    """A data set that cannot be used."""


def data_root() -> Path:
    """The data directory: $DATA_DIR, or data/ in the repo."""
    return Path(os.environ.get("DATA_DIR") or REPO / "data").resolve()


def inside(root: Path, relative: str | Path) -> Path:
    """root / relative, refusing anything that resolves outside root (.., absolute paths, symlinks out)."""
    root = root.resolve()
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        raise DataError("outside_data_dir", path=str(relative))
    return candidate


def is_cifar10(path: Path) -> bool:
    """torchvision's layout: path/cifar-10-batches-py/ holding the pickled batches."""
    return (path / "cifar-10-batches-py" / "batches.meta").is_file()


def class_folders(path: Path) -> list[str]:
    """Sub-folders holding at least one image: the "folder name is the label" layout."""
    if not path.is_dir():
        return []
    return sorted(d.name for d in path.iterdir()
                  if d.is_dir() and not d.name.startswith(".")
                  and any(f.suffix.lower() in IMAGE_SUFFIXES for f in d.iterdir()))


@dataclass
class TensorSplit:
    images: torch.Tensor   # uint8 [N, 3, H, W]
    labels: torch.Tensor   # int64 [N]
    classes: list[str]


def _decode(path: Path, size: int) -> torch.Tensor:
    with Image.open(path) as im:
        im = im.convert("RGB")
        if im.size != (size, size):
            im = im.resize((size, size), Image.Resampling.BILINEAR)
        return torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1)


def _listing(folder: Path, classes: list[str]) -> list[tuple[Path, int]]:
    return [(f, label) for label, name in enumerate(classes)
            for f in sorted((folder / name).iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]


def load_split(source: Path, split: str, size: int = 32) -> TensorSplit:
    """A split ("train" / "test") as one uint8 tensor.

    source is either torchvision's CIFAR-10 root (holding cifar-10-batches-py;
    torchvision checks every file's md5) or a folder tree source/<split>/<class>/.
    Folder images are decoded once, resized to size × size where needed, and
    cached in source/.tensor-cache/ keyed by the file listing.
    """
    if is_cifar10(source):
        from torchvision.datasets import CIFAR10

        try:
            cifar = CIFAR10(str(source), train=split == "train", download=False)
        except RuntimeError as err:
            raise DataError("cifar_corrupt", path=str(source)) from err
        return TensorSplit(torch.from_numpy(cifar.data).permute(0, 3, 1, 2).contiguous(),
                           torch.tensor(cifar.targets), list(cifar.classes))
    folder = source / split
    classes = class_folders(folder)
    if not classes:
        raise DataError("no_split", path=str(folder))
    files = _listing(folder, classes)
    stamp = hashlib.sha1(f"{size}|{folder.resolve()}".encode())
    for f, label in files:
        info = f.stat()
        stamp.update(f"{f.name}|{label}|{info.st_size}|{info.st_mtime_ns}".encode())
    cache = source / CACHE_DIR / f"{split}-{stamp.hexdigest()[:16]}.pt"
    if cache.is_file():
        saved = torch.load(cache, weights_only=True)
        return TensorSplit(saved["images"], saved["labels"], saved["classes"])
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        images = torch.stack(list(pool.map(lambda item: _decode(item[0], size), files, chunksize=256)))
    split_data = TensorSplit(images, torch.tensor([label for _, label in files]), classes)
    try:
        cache.parent.mkdir(exist_ok=True)
        torch.save({"images": split_data.images, "labels": split_data.labels, "classes": classes}, cache)
    except OSError:
        pass  # a read-only data directory: decode again next time
    return split_data


# Data sets the browser can open -------------------------------------------------------------

LABEL_SUFFIXES = ("_image", "_label")


@dataclass(frozen=True)
class Found:
    """A data set under the data directory. path is relative to it; splits are sub-folders ("" = the folder itself)."""

    kind: str                 # "cifar10" | "folder" | "label_files"
    path: str
    splits: tuple[str, ...]

    @property
    def name(self) -> str:
        return "CIFAR-10" if self.kind == "cifar10" else (self.path if self.path != "." else "data")


def label_pairs(folder: Path) -> list[str]:
    """Class names x with both x_image/ and x_label/ folders: the course's MyDataset case 2."""
    if not folder.is_dir():
        return []
    names = {d.name for d in folder.iterdir() if d.is_dir()}
    return sorted(n[: -len("_image")] for n in names if n.endswith("_image") and n[: -len("_image")] + "_label" in names)


def discover(root: Path) -> list[Found]:
    """The data sets directly in root or one folder down, in the layouts the course uses."""
    found = []
    for folder in [root, *sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))]:
        rel = "." if folder == root else folder.name
        if is_cifar10(folder):
            found.append(Found("cifar10", rel, ("train", "test")))
            continue
        if folder == root:
            continue
        if class_folders(folder) and not label_pairs(folder):
            found.append(Found("folder", rel, ("",)))
            continue
        subs = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
        pair_splits = tuple(s for s in subs if label_pairs(folder / s))
        splits = tuple(s for s in subs if class_folders(folder / s) and s not in pair_splits)
        if splits:
            found.append(Found("folder", rel, splits))
        if pair_splits:
            found.append(Found("label_files", rel, pair_splits))
    return found


class LabelFolder(torch.utils.data.Dataset):
    """The course's MyData: every image in root_dir/label_dir, labelled with the folder's name."""

    def __init__(self, root_dir: str | Path, label_dir: str, transform=None) -> None:
        self.path = Path(root_dir) / label_dir
        self.label_dir = label_dir
        self.img_path = sorted(f.name for f in self.path.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        self.transform = transform

    def __getitem__(self, idx: int):
        with Image.open(self.path / self.img_path[idx]) as im:
            img = im.convert("RGB")
        return (self.transform(img) if self.transform else img), self.label_dir

    def __len__(self) -> int:
        return len(self.img_path)


class ImageLabelFolders(torch.utils.data.Dataset):
    """The course's second layout: x_image/ holds pictures, x_label/ a .txt per picture naming its label."""

    def __init__(self, root_dir: str | Path, name: str, transform=None) -> None:
        self.image_dir = Path(root_dir) / f"{name}_image"
        self.label_dir = Path(root_dir) / f"{name}_label"
        self.img_path = sorted(f.name for f in self.image_dir.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        self.transform = transform

    def label(self, idx: int) -> str:
        txt = self.label_dir / (Path(self.img_path[idx]).stem + ".txt")
        return txt.read_text(encoding="utf-8").strip() if txt.is_file() else ""

    def __getitem__(self, idx: int):
        with Image.open(self.image_dir / self.img_path[idx]) as im:
            img = im.convert("RGB")
        return (self.transform(img) if self.transform else img), self.label(idx)

    def __len__(self) -> int:
        return len(self.img_path)


def open_dataset(root: Path, found: Found, split: str, transform=None) -> torch.utils.data.Dataset:
    """The torch Dataset for one split, built the way the course builds it.

    CIFAR-10: torchvision.datasets.CIFAR10 (its md5 check included). A folder of
    class folders: torchvision.datasets.ImageFolder, which gives integer targets
    and .classes. Label files: one ImageLabelFolders per class, concatenated.
    """
    from torchvision import datasets

    base = inside(root, found.path)
    if found.kind == "cifar10":
        try:
            return datasets.CIFAR10(str(base), train=split == "train", transform=transform, download=False)
        except RuntimeError as err:
            raise DataError("cifar_corrupt", path=found.path) from err
    folder = inside(root, Path(found.path) / split) if split else base
    if found.kind == "folder":
        return datasets.ImageFolder(str(folder), transform=transform)
    parts = [ImageLabelFolders(folder, name, transform) for name in label_pairs(folder)]
    return torch.utils.data.ConcatDataset(parts)


def per_class_datasets(root: Path, found: Found, split: str) -> list[LabelFolder]:
    """One course-style MyData per class folder, for the ants_dataset + bees_dataset demo."""
    folder = inside(root, Path(found.path) / split) if split else inside(root, found.path)
    return [LabelFolder(folder, name) for name in class_folders(folder)]
