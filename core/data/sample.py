"""The bundled mini CIFAR-10: a fixed-seed sample the app ships so every page works offline.

500 training and 100 test images per class, picked from the JPEG copy of CIFAR-10
and kept as the same JPEG files in the course's "folder name is the label"
layout (``train/<class>/`` and ``test/<class>/``). It is always listed beside
whatever sits in the data directory. Rebuild it (the picks are fixed by the
seed) with::

    python -m core.data.sample path/to/cifar10-jpg.tar.gz

The course's second layout (``ants_image/`` with the pictures, ``ants_label/``
with one .txt per picture naming its label) is shown on two of its classes.
``label_files`` lays that out in a cache folder rather than in the repo: the
pages then open it with the very Dataset that opens an owner's label-file data
set, the course's MyData code runs on it unchanged, and no image is committed
twice (the image folders hold links to the sample's files where the file system
allows, copies otherwise).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import tarfile
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "cifar10-sample"
PER_CLASS = {"train": 500, "test": 100}
SEED = 0
LABEL_CLASSES = ("cat", "dog")
LABELS_NAME = "cifar10-sample-labels"


def build(archive: Path, out: Path = SAMPLE, seed: int = SEED) -> None:
    """Unpack ``archive`` to a temporary folder and copy a fixed-seed pick of each class into ``out``."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        source = Path(tmp)
        if out.exists():
            shutil.rmtree(out)
        for split, n in PER_CLASS.items():
            for folder in sorted((source / split).iterdir()):
                picks = sorted(rng.sample(sorted(f.name for f in folder.iterdir()), n))
                target = out / split / folder.name
                target.mkdir(parents=True)
                for name in picks:
                    shutil.copyfile(folder / name, target / name)


def _link(source: Path, target: Path) -> None:
    """target as a hard link to source; a symlink across file systems; a copy where neither is allowed."""
    for make in (os.link, os.symlink, shutil.copyfile):
        try:
            make(source.resolve(), target)
            return
        except OSError:
            continue
    raise OSError(f"cannot place {target.name}")


def label_files(cache: Path, source: Path = SAMPLE) -> Path:
    """The sample's LABEL_CLASSES in the course's label-file layout, under cache; made once.

    <split>/<class>_image/<file>.jpg and <split>/<class>_label/<file>.txt (holding the class
    name). Built in a temporary folder and renamed into place, so a kill or a second process
    never leaves half a layout behind.
    """
    target = cache / LABELS_NAME
    if target.is_dir():
        return target
    building = Path(tempfile.mkdtemp(dir=cache, prefix=f".{LABELS_NAME}-"))
    for split in PER_CLASS:
        for name in LABEL_CLASSES:
            images, labels = building / split / f"{name}_image", building / split / f"{name}_label"
            images.mkdir(parents=True)
            labels.mkdir()
            for picture in sorted((source / split / name).iterdir()):
                _link(picture, images / picture.name)
                (labels / f"{picture.stem}.txt").write_text(name, encoding="utf-8")
    try:
        building.rename(target)
    except OSError:  # another process renamed its copy into place first
        shutil.rmtree(building, ignore_errors=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild assets/cifar10-sample from the JPEG copy of CIFAR-10.")
    parser.add_argument("archive", type=Path, help="cifar10-jpg.tar.gz (train/<class>/, test/<class>/)")
    build(parser.parse_args().archive)


if __name__ == "__main__":
    main()
