"""The bundled mini CIFAR-10: a fixed-seed sample the app ships so every page works offline.

500 training and 100 test images per class, picked from the JPEG copy of CIFAR-10
and kept as the same JPEG files in the course's "folder name is the label"
layout (``train/<class>/`` and ``test/<class>/``). It is always listed beside
whatever sits in the data directory. Rebuild it (the picks are fixed by the
seed) with::

    python -m core.sample path/to/cifar10-jpg.tar.gz
"""
from __future__ import annotations

import argparse
import random
import shutil
import tarfile
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "assets" / "cifar10-sample"
PER_CLASS = {"train": 500, "test": 100}
SEED = 0


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


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild assets/cifar10-sample from the JPEG copy of CIFAR-10.")
    parser.add_argument("archive", type=Path, help="cifar10-jpg.tar.gz (train/<class>/, test/<class>/)")
    build(parser.parse_args().archive)


if __name__ == "__main__":
    main()
