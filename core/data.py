"""Where data sets live, what the pages offer, and CIFAR-10-like data as one uint8 tensor for fast training.

The data directory (``data/`` in the repo, or ``$DATA_DIR``) belongs to whoever
runs the app: what they put there, symlinks included, is theirs to use, so
symlinks are followed. Visitors never type a path; the only names that come
from a request are data-set and split names, and ``inside`` refuses any of
them that is absolute or holds ``..``. Beside the data directory's own data
sets every page offers the bundled mini CIFAR-10 (``core.sample``), so the
app works offline from its first start. Paths shown to a user go through
``shown``: relative to the repo or the data directory, never the server's.

The fast training path wants a whole split decoded once into a
``[N, 3, H, W]`` uint8 tensor (50,000 CIFAR images are 150 MB), moved to the
device once. Decoding a folder of JPEGs takes seconds, so the tensor is
cached on disk (``core.cachedir``): written under a lock to a temporary name
and renamed into place, so a kill or a second process never leaves half a
file, and a damaged file is deleted and rebuilt.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core import cachedir, sample
from core.course import CIFAR10_CLASSES
from core.errors import CodedError, ErrorKind

REPO = Path(__file__).resolve().parent.parent
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"}
CACHE_DIR = cachedir.NAME
# What PIL raises for a file that is not an image, is cut short, or is damaged inside.
UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)
Progress = Callable[[int, int, bool], None]


class DataError(CodedError, ValueError):
    """A data set that cannot be used."""

    kind = ErrorKind.DATA


class Kind(StrEnum):
    """The layouts the course uses (the values are also the snippet generator's and the strings' keys)."""

    CIFAR10 = "cifar10"          # torchvision's root/cifar-10-batches-py/
    FOLDER = "folder"            # the folder name is the label (ImageFolder)
    LABEL_FILES = "label_files"  # x_image/ holds pictures, x_label/ a .txt per picture


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


def shown(path: Path, root: Path | None = None) -> str:
    """A path as a page shows it: relative to the repo, else to the data directory (named DATA_DIR when
    it is the directory itself), else its name alone. Never the server's absolute path."""
    root = root or data_root()
    in_repo = relative(path, REPO)
    if in_repo is not None:
        return in_repo
    in_root = relative(path, root)
    if in_root is not None:
        return "DATA_DIR" if in_root == "." else in_root
    return path.name


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


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """path.is_dir() / path.is_file() that answers False where the answer is unreadable (a folder its owner
    locked), instead of raising PermissionError."""
    try:
        return kind(path)
    except OSError:
        return False


def is_cifar10(path: Path) -> bool:
    """torchvision's layout: path/cifar-10-batches-py/ holding the pickled batches."""
    return _is(path / "cifar-10-batches-py" / "batches.meta", Path.is_file)


def class_folders(path: Path) -> list[str]:
    """Sub-folders holding at least one image: the "folder name is the label" layout."""
    return [d.name for d in _children(path) if _has_images(d)]


def _cifar10(base: Path, train: bool, transform=None):
    """torchvision's CIFAR10 (its md5 check included); damaged or altered files are a DataError."""
    import pickle

    from torchvision.datasets import CIFAR10

    try:
        return CIFAR10(str(base), train=train, transform=transform, download=False)
    except (RuntimeError, OSError, EOFError, pickle.UnpicklingError, KeyError, ValueError) as err:
        raise DataError("cifar_corrupt", path=shown(base)) from err


# One split as one uint8 tensor ---------------------------------------------------------------

@dataclass
class TensorSplit:
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


def is_bundled(path: Path) -> bool:
    """Whether path is (inside) the bundled sample, which the app never writes into."""
    here, bundled = path.resolve(), sample.SAMPLE.resolve()
    return here == bundled or bundled in here.parents


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
        cifar = _cifar10(source, split == "train")
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


# Data sets the pages offer -------------------------------------------------------------------

LABEL_SUFFIXES = ("_image", "_label")


@dataclass(frozen=True)
class Found:
    """A data set a page can offer. path is relative to the data directory (one folder name, "." for the
    directory itself); splits are sub-folders ("" = the folder itself). bundled: the app's own sample."""

    kind: Kind
    path: str
    splits: tuple[str, ...]
    bundled: bool = False

    @property
    def name(self) -> str:
        """How the data set is named where no translation is at hand (the pages translate the bundled ones)."""
        return "CIFAR-10" if self.kind == Kind.CIFAR10 and self.path == "." else self.path

    @property
    def id(self) -> str:
        """Unique among what a page offers, stable across languages: the URL's ``dataset=`` value.

        A discovered path is one folder name, so the ids holding "/" cannot collide with it.
        """
        base = f"bundled/{self.path}" if self.bundled else self.path
        return f"{base}/labels" if self.kind == Kind.LABEL_FILES else base


SAMPLE = Found(Kind.FOLDER, sample.SAMPLE.name, tuple(sample.PER_CLASS), bundled=True)
SAMPLE_LABELS = Found(Kind.LABEL_FILES, sample.SAMPLE.name, tuple(sample.PER_CLASS), bundled=True)


def label_pairs(folder: Path) -> list[str]:
    """Class names x with both x_image/ and x_label/ folders: the course's MyDataset case 2."""
    names = {d.name for d in _children(folder)}
    return sorted(n[: -len("_image")] for n in names if n.endswith("_image") and n[: -len("_image")] + "_label" in names)


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


def trainable(found: Found) -> bool:
    """The training engine takes CIFAR-10, or folder data sets with train/ and test/ splits."""
    return found.kind == Kind.CIFAR10 or (found.kind == Kind.FOLDER and {"train", "test"} <= set(found.splits))


def has_test_split(found: Found) -> bool:
    """The classify audit needs a test split in a layout load_split reads."""
    return found.kind == Kind.CIFAR10 or (found.kind == Kind.FOLDER and "test" in found.splits)


def location(root: Path, found: Found) -> Path:
    """Where a data set's files are: under the data directory, the bundled sample, or the sample's
    label-file layout (made once in a cache folder)."""
    if not found.bundled:
        return inside(root, found.path)
    if found.kind == Kind.FOLDER:
        return sample.SAMPLE
    cache = cachedir.writable(cachedir.shared_candidates(root))
    if cache is None:
        raise DataError("no_cache_dir")
    return sample.label_files(cache)


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
        return _cifar10(base, split == "train", transform)
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
