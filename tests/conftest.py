"""Shared fixtures: images made on the fly for the bad-input tests."""
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def share_derived(data_root: Path) -> Path:
    """``data_root`` with its cache folder linked to the one the app falls back to without a data directory.

    What the app derives from the bundled sample (the TensorBoard page's course logs for each batch size, the
    sample's decoded tensors) is the same for every data directory and named by its content; a fresh temporary data
    directory per test made each test write it again (~10 s of CPU for the TensorBoard logs, and their background
    warm-up). Linked, it is made once per machine. Nothing of the owner's data sets goes there.
    """
    from core.data import cachedir

    if data_root.is_dir() and not (data_root / cachedir.NAME).exists():
        shared = cachedir.shared_candidates(data_root / "no-such-folder")[-1]
        shared.mkdir(parents=True, exist_ok=True)
        (data_root / cachedir.NAME).symlink_to(shared, target_is_directory=True)
    return data_root


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


@pytest.fixture
def photo() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8))


def make_folder_dataset(root, classes=("cat", "dog", "ship"), per_class=(24, 8), size=32, seed=0):
    """A tiny learnable data set in the course's "folder name is the label" layout, train/ and test/.

    Each class has its own colour and stripe direction, so a few epochs separate them.
    """
    rng = np.random.default_rng(seed)
    for split, n in zip(("train", "test"), per_class):
        for c, name in enumerate(classes):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                base = np.zeros((size, size, 3), dtype=float)
                base[..., c % 3] = 180
                stripes = (np.arange(size) // 4 % 2) * 60.0
                base += stripes[:, None, None] if c % 2 else stripes[None, :, None]
                noisy = np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)
                Image.fromarray(noisy).save(folder / f"{i:04d}.png")
    return root


@pytest.fixture
def folder_dataset(tmp_path):
    return make_folder_dataset(tmp_path / "tiny")


CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def make_cifar10(root, n_train=60, n_test=30, seed=0):
    """A tiny CIFAR-10 in torchvision's on-disk layout (root/cifar-10-batches-py/, pickled batches).

    The first test image is a cat (target 3), as in the course's test_set[0].
    """
    import pickle

    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    def write(name, n, first_label=None):
        labels = rng.integers(0, 10, n).tolist()
        if first_label is not None:
            labels[0] = first_label
        with open(folder / name, "wb") as f:
            pickle.dump({"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "labels": labels}, f)

    for i in range(1, 6):
        write(f"data_batch_{i}", n_train // 5)
    write("test_batch", n_test, first_label=3)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": CIFAR_CLASSES}, f)
    return root


@pytest.fixture
def tiny_cifar(tmp_path, monkeypatch):
    """A data directory holding the tiny CIFAR-10, with torchvision told the md5s of these files.

    torchvision checks every file against the md5 of the real CIFAR-10. These files are made
    by the test, so the test registers their own md5s with torchvision; the app's code and its
    check stay exactly as strict as for real users (test_data.py shows the check still bites).
    """
    from torchvision.datasets import CIFAR10

    from core.data.download import md5

    root = make_cifar10(tmp_path / "data")
    folder = root / "cifar-10-batches-py"
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{i}", md5(folder / f"data_batch_{i}")] for i in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", md5(folder / "test_batch")]])
    monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                          "md5": md5(folder / "batches.meta")})
    return root


def make_label_files(root, names=("ants", "bees"), n=(5, 4)):
    """The course's second layout: train/ants_image/*.jpg with train/ants_label/*.txt naming the label."""
    rng = np.random.default_rng(1)
    for name, count in zip(names, n):
        images, labels = root / "train" / f"{name}_image", root / "train" / f"{name}_label"
        images.mkdir(parents=True, exist_ok=True)
        labels.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            size = (int(rng.integers(20, 60)), int(rng.integers(20, 60)))
            Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(images / f"{name}{i}.jpg")
            (labels / f"{name}{i}.txt").write_text(name)
    return root


# The JPEG copy of CIFAR-10 that sits beside the checkout (../shared/data/), or wherever $SHARED_DATA says.
SHARED = Path(os.environ.get("SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data") / "cifar10-jpg.tar.gz"


@pytest.fixture(scope="session")
def shared_cifar(tmp_path_factory) -> Iterator[Path]:
    """A folder holding the shared JPEG CIFAR-10 as ``cifar10-jpg/{train,test}``, unpacked once for the session by
    the system's tar (6 s for the 60,000 files; Python's tarfile took 30 s); skipped where the archive is not on
    this machine."""
    if not SHARED.exists():
        pytest.skip("the shared JPEG copy of CIFAR-10 is not on this machine")
    folder = tmp_path_factory.mktemp("shared") / "cifar10-jpg"
    folder.mkdir()
    subprocess.run(["tar", "-xzf", str(SHARED), "-C", str(folder)], check=True)
    yield folder.parent
    shutil.rmtree(folder)  # 60,000 files would otherwise stay in pytest's last three temporary folders


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A shipped-model folder holding one seeded course-architecture model and its card (the classify, inside and
    receptive-field page tests)."""
    import hashlib
    import json

    import torch

    from core.course import CIFAR10_CLASSES
    from core.inference import weights
    from core.model import Tudui

    folder = tmp_path / "models"
    folder.mkdir()
    torch.manual_seed(0)
    model = Tudui("course").eval()
    torch.save(model.state_dict(), folder / "course.pth")
    card = {"name": "course", "weights": "course.pth", "architecture": "course", "recipe": "improved", "epochs": 3,
            "test_acc": 0.5, "mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24, 0.26], "device": "cpu",
            "training_seconds": 60, "classes": list(CIFAR10_CLASSES),
            "sha256": hashlib.sha256((folder / "course.pth").read_bytes()).hexdigest()}
    (folder / "course.json").write_text(json.dumps(card))
    monkeypatch.setattr(weights, "MODELS", folder)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "no-data"))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    return model, weights.ModelCard.from_json(card)
