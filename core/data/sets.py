"""The torch Datasets the data page opens, built the way the course builds them.

The page shows the course's own code beside what it computes, so each layout
opens through the class the course uses: torchvision's CIFAR10 and
ImageFolder, and the course's MyData (``LabelFolder``, ``ImageLabelFolders``).
Damaged or missing files become a ``DataError`` the page translates.
"""
from __future__ import annotations

import bisect
import pickle
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core.data.discovery import Found, Kind, class_folders, label_pairs, location
from core.data.paths import IMAGE_SUFFIXES, DataError, inside, shown


def open_cifar10(base: Path, train: bool, transform=None):
    """torchvision's CIFAR10 (its md5 check included); damaged or altered files are a DataError."""
    import torchvision  # the package whole, then its datasets (core.preload.parents_first says why)

    try:
        return torchvision.datasets.CIFAR10(str(base), train=train, transform=transform, download=False)
    except (RuntimeError, OSError, EOFError, pickle.UnpicklingError, KeyError, ValueError) as err:
        raise DataError("cifar_corrupt", path=shown(base)) from err


class LabelFolder(torch.utils.data.Dataset):
    """The course's MyData: every image in root_dir/label_dir, labelled with the folder's name."""

    def __init__(self, root_dir: str | Path, label_dir: str, transform=None) -> None:
        self.path = Path(root_dir) / label_dir
        self.label_dir = label_dir
        self.img_path = sorted(f.name for f in self.path.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        self.transform = transform

    def file(self, idx: int) -> Path:
        return self.path / self.img_path[idx]

    def __getitem__(self, idx: int):
        with Image.open(self.file(idx)) as im:
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

    def file(self, idx: int) -> Path:
        return self.image_dir / self.img_path[idx]

    def label(self, idx: int) -> str:
        txt = self.label_dir / (Path(self.img_path[idx]).stem + ".txt")
        return txt.read_text(encoding="utf-8").strip() if txt.is_file() else ""

    def __getitem__(self, idx: int):
        with Image.open(self.file(idx)) as im:
            img = im.convert("RGB")
        return (self.transform(img) if self.transform else img), self.label(idx)

    def __len__(self) -> int:
        return len(self.img_path)


def open_dataset(root: Path, found: Found, split: str, transform=None) -> torch.utils.data.Dataset:
    """The torch Dataset for one split, built the way the course builds it.

    CIFAR-10: torchvision.datasets.CIFAR10 (its md5 check included). A folder of
    class folders: torchvision.datasets.ImageFolder, which gives integer targets
    and .classes; an empty class folder stays a class with no samples
    (``empty_classes`` names them). Label files: one ImageLabelFolders per class,
    concatenated.
    """
    from torchvision import datasets

    base = location(root, found)
    if found.kind == Kind.CIFAR10:
        return open_cifar10(base, split == "train", transform)
    folder = inside(base, split)
    if found.kind == Kind.FOLDER:
        try:
            return datasets.ImageFolder(str(folder), transform=transform, allow_empty=True)
        except OSError as err:  # the folder went away, or holds no class folder at all
            raise DataError("no_split", path=shown(folder, root)) from err
    names = label_pairs(folder)
    if not names:
        raise DataError("no_split", path=shown(folder, root))
    return torch.utils.data.ConcatDataset([ImageLabelFolders(folder, name, transform) for name in names])


def per_class_datasets(root: Path, found: Found, split: str) -> list[LabelFolder]:
    """One course-style MyData per class folder, for the ants_dataset + bees_dataset demo."""
    folder = inside(location(root, found), split)
    return [LabelFolder(folder, name) for name in class_folders(folder)]


def empty_classes(dataset: torch.utils.data.Dataset) -> list[str]:
    """Classes of an ImageFolder whose folder holds no image (torchvision refuses them unless allow_empty=True)."""
    classes, targets = getattr(dataset, "classes", None), getattr(dataset, "targets", None)
    if not classes or targets is None or not hasattr(dataset, "samples"):
        return []
    counts = np.bincount(np.asarray(targets, dtype=np.int64), minlength=len(classes))
    return [name for name, count in zip(classes, counts) if count == 0]


def item_file(dataset: torch.utils.data.Dataset, index: int) -> str:
    """Which file sample ``index`` comes from, as "folder/file" (or "#index" for CIFAR-10's pickles)."""
    if isinstance(dataset, torch.utils.data.ConcatDataset):
        part = bisect.bisect_right(dataset.cumulative_sizes, index)
        start = dataset.cumulative_sizes[part - 1] if part else 0
        return item_file(dataset.datasets[part], index - start)
    if hasattr(dataset, "samples"):
        path = Path(dataset.samples[index][0])
    elif hasattr(dataset, "file"):
        path = dataset.file(index)
    else:
        return f"#{index}"
    return f"{path.parent.name}/{path.name}"
