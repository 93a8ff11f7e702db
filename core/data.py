"""Where data sets live, what the pages offer, and CIFAR-10-like data as one uint8 tensor for fast training.

The one name the pages, the trainer and the tests import, for four jobs that
each live in their own module:

- ``core.data_paths``: the data directory, the guard on names a page was given, paths as a user reads them;
- ``core.data_discovery``: the course's layouts found in the data directory, beside the bundled sample;
- ``core.data_sets``: the torch Datasets the data page opens, the course's way;
- ``core.data_tensors``: a whole split decoded once into a uint8 tensor and cached on disk for training.

Import from ``core.data``; which module behind it holds a name may change.
"""
from core.data_discovery import (
    SAMPLE,
    SAMPLE_LABELS,
    Found,
    Kind,
    class_folders,
    discover,
    has_test_split,
    is_cifar10,
    is_full_cifar10,
    label_pairs,
    location,
    offered,
    trainable,
)
from core.data_paths import IMAGE_SUFFIXES, REPO, UNREADABLE, DataError, data_root, inside, is_bundled, relative, shown
from core.data_sets import (
    ImageLabelFolders,
    LabelFolder,
    empty_classes,
    item_file,
    open_cifar10,
    open_dataset,
    per_class_datasets,
)
from core.data_tensors import CACHE_DIR, Progress, TensorSplit, load_split

__all__ = [
    "CACHE_DIR", "IMAGE_SUFFIXES", "REPO", "SAMPLE", "SAMPLE_LABELS", "UNREADABLE", "DataError", "Found",
    "ImageLabelFolders", "Kind", "LabelFolder", "Progress", "TensorSplit", "class_folders", "data_root",
    "discover", "empty_classes", "has_test_split", "inside", "is_bundled", "is_cifar10", "is_full_cifar10",
    "item_file", "label_pairs", "load_split", "location", "offered", "open_cifar10", "open_dataset",
    "per_class_datasets", "relative", "shown", "trainable",
]
