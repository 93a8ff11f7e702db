"""Which data sets the pages offer: the course's layouts found in the data directory, and the bundled sample.

Beside the data directory's own data sets every page offers the bundled mini
CIFAR-10 (``core.data.sample``), so the app works offline from its first start. A
``Found`` is what crosses to the pages: its kind, where it is (relative to the
data directory) and its splits; ``location`` turns it into the folder its files
are in. Listing never raises: a folder its owner locked is simply not there.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from core.course import CIFAR10_CLASSES
from core.data import cachedir, sample
from core.data.paths import IMAGE_SUFFIXES, DataError, inside


class Kind(StrEnum):
    """The layouts the course uses (the values are also the snippet generator's and the strings' keys)."""

    CIFAR10 = "cifar10"          # torchvision's root/cifar-10-batches-py/
    FOLDER = "folder"            # the folder name is the label (ImageFolder)
    LABEL_FILES = "label_files"  # x_image/ holds pictures, x_label/ a .txt per picture


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """path.is_dir() / path.is_file() that answers False where the answer is unreadable (a folder its owner
    locked), instead of raising PermissionError."""
    try:
        return kind(path)
    except OSError:
        return False


def _children(folder: Path) -> list[Path]:
    """Sub-folders not starting with ".", sorted; none for a folder that cannot be listed."""
    try:
        return sorted(d for d in folder.iterdir() if _is(d, Path.is_dir) and not d.name.startswith("."))
    except OSError:
        return []


def _has_images(folder: Path) -> bool:
    try:
        return any(f.suffix.lower() in IMAGE_SUFFIXES for f in folder.iterdir())
    except OSError:
        return False


def is_cifar10(path: Path) -> bool:
    """torchvision's layout: path/cifar-10-batches-py/ holding the pickled batches."""
    return _is(path / "cifar-10-batches-py" / "batches.meta", Path.is_file)


def class_folders(path: Path) -> list[str]:
    """Sub-folders holding at least one image: the "folder name is the label" layout."""
    return [d.name for d in _children(path) if _has_images(d)]


def label_pairs(folder: Path) -> list[str]:
    """Class names x with both x_image/ and x_label/ folders: the course's MyDataset case 2."""
    names = {d.name for d in _children(folder)}
    return sorted(n[: -len("_image")] for n in names if n.endswith("_image") and n[: -len("_image")] + "_label" in names)


@dataclass(frozen=True)
class Found:
    """A data set a page can offer. path is relative to the data directory (one folder name, "." for the
    directory itself); splits are sub-folders ("" = the folder itself). bundled: the app's own sample.
    upload: a visitor's own set (core/uploads/datasets.py), whose path is relative to that upload's folder
    instead; title: the name it was uploaded under (its zip's)."""

    kind: Kind
    path: str
    splits: tuple[str, ...]
    bundled: bool = False
    upload: str = ""
    title: str = ""

    @property
    def name(self) -> str:
        """How the data set is named where no translation is at hand (the pages translate the bundled ones)."""
        return self.title or ("CIFAR-10" if self.kind == Kind.CIFAR10 and self.path == "." else self.path)

    @property
    def id(self) -> str:
        """Unique among what a page offers, stable across languages: the URL's ``dataset=`` value.

        A discovered path is one folder name, so the ids holding "/" cannot collide with it.
        """
        base = f"bundled/{self.path}" if self.bundled else self.path
        if self.upload:
            base = f"upload/{Path(self.upload).name}/{self.path}"
        return f"{base}/labels" if self.kind == Kind.LABEL_FILES else base


SAMPLE = Found(Kind.FOLDER, sample.SAMPLE.name, tuple(sample.PER_CLASS), bundled=True)
SAMPLE_LABELS = Found(Kind.LABEL_FILES, sample.SAMPLE.name, tuple(sample.PER_CLASS), bundled=True)


def discover(root: Path) -> list[Found]:
    """The data sets directly in root or one folder down, in the layouts the course uses.

    Symlinked folders count as folders: the data directory's owner put them there.
    """
    if not _is(root, Path.is_dir):
        return []
    found = []
    for folder in [root, *_children(root)]:
        rel = "." if folder == root else folder.name
        if is_cifar10(folder):
            found.append(Found(Kind.CIFAR10, rel, ("train", "test")))
            continue
        if folder == root:
            continue
        if class_folders(folder) and not label_pairs(folder):
            found.append(Found(Kind.FOLDER, rel, ("",)))
            continue
        subs = [d.name for d in _children(folder)]
        pair_splits = tuple(s for s in subs if label_pairs(folder / s))
        splits = tuple(s for s in subs if class_folders(folder / s) and s not in pair_splits)
        if splits:
            found.append(Found(Kind.FOLDER, rel, splits))
        if pair_splits:
            found.append(Found(Kind.LABEL_FILES, rel, pair_splits))
    return found


def is_full_cifar10(root: Path, found: Found) -> bool:
    """torchvision's CIFAR-10, or a folder copy of it (train/ holding CIFAR-10's ten class folders)."""
    if found.kind == Kind.CIFAR10:
        return True
    return (found.kind == Kind.FOLDER and not found.bundled and "train" in found.splits
            and tuple(class_folders(inside(root, found.path) / "train")) == CIFAR10_CLASSES)


def offered(root: Path) -> list[Found]:
    """What a page offers, default first: a full CIFAR-10 if the data directory holds one, else the bundled
    sample; then the rest of the data directory; last the sample seen in the course's label-file layout."""
    found = discover(root)
    full = [f for f in found if is_full_cifar10(root, f)]
    return [*full, SAMPLE, *(f for f in found if f not in full), SAMPLE_LABELS]


def held_out(splits: Collection[str]) -> str:
    """The split a run tests on and Classify audits with: "test", or "val" where a set has val/ and no test/
    (the course's hymenoptera_data names its held-out split val)."""
    return "val" if "val" in splits and "test" not in splits else "test"


def held_out_in(data: Path) -> str:
    """held_out for a data set's folder (a run's data, an audit's source), whose sub-folders are its splits."""
    return "test" if is_cifar10(data) else held_out([d.name for d in _children(data)])


def trainable(found: Found) -> bool:
    """The training engine takes CIFAR-10, or folder data sets with train/ and a held-out split (test/ or val/)."""
    return found.kind == Kind.CIFAR10 or (found.kind == Kind.FOLDER
                                          and {"train", held_out(found.splits)} <= set(found.splits))


def has_test_split(found: Found) -> bool:
    """The classify audit needs a held-out split (test/ or val/) in a layout load_split reads."""
    return found.kind == Kind.CIFAR10 or (found.kind == Kind.FOLDER and held_out(found.splits) in found.splits)


def location(root: Path, found: Found) -> Path:
    """Where a data set's files are: under the data directory, the bundled sample, or the sample's
    label-file layout (made once in a cache folder), or a visitor's upload."""
    if found.upload:
        return inside(Path(found.upload), found.path)
    if not found.bundled:
        return inside(root, found.path)
    if found.kind == Kind.FOLDER:
        return sample.SAMPLE
    cache = cachedir.writable(cachedir.shared_candidates(root))
    if cache is None:
        raise DataError("no_cache_dir")
    return sample.label_files(cache)
