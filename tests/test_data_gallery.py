"""Every page over a gallery of data directories: whatever the owner put there (or nothing), no page raises.

Each entry is a data directory as a learner or a teacher might leave it: empty, missing, a symlinked data
set, an empty class folder, a split missing, a corrupt JPEG, a damaged tensor cache, torchvision's
layout whole and with a damaged pickle, and both of the course's folder layouts. Every page in the app's
registry (ui.nav) is opened on its default view with DATA_DIR pointing there; the classify page's audit
tab, which reads a test split, is opened too. Data sets are a few images per class, so all of it stays fast.
"""
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from torchvision.datasets import CIFAR10

from core.data import download, sample, tensors
from ui.nav import HOME, SECTIONS

from conftest import CIFAR_CLASSES, make_cifar10, make_folder_dataset, make_label_files, share_derived
from pagetest import ROOT

PAGES = [HOME.slug] + [info.slug for _, infos in SECTIONS for info in infos]
SMALL = (4, 2)  # images per class in train/ and test/


def cifar_folder(data_dir: Path) -> Path:
    """A tiny folder copy of CIFAR-10 (its ten classes): the pages take it as their default data set."""
    return make_folder_dataset(data_dir / "cifar10-jpg", classes=CIFAR_CLASSES, per_class=SMALL)


def empty(base: Path) -> Path:
    (base / "data").mkdir()
    return base / "data"


def missing(base: Path) -> Path:
    return base / "no-such-folder"


def symlinked(base: Path) -> Path:
    (base / "data").mkdir()
    os.symlink(sample.SAMPLE, base / "data" / "cifar10-jpg")
    return base / "data"


def empty_class(base: Path) -> Path:
    for split in ("train", "test"):
        (cifar_folder(base / "data") / split / "zebra").mkdir()
    return base / "data"


def missing_split(base: Path) -> Path:
    shutil.rmtree(cifar_folder(base / "data") / "test")
    return base / "data"


def corrupt_jpeg(base: Path) -> Path:
    folder = cifar_folder(base / "data")
    for split in ("train", "test"):
        (folder / split / "cat" / "0000.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
        (folder / split / "dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a JPEG")
    return base / "data"


def broken_cache(base: Path) -> Path:
    folder = cifar_folder(base / "data")
    for split in ("train", "test"):
        tensors.load_split(folder, split)
    for cache in (folder / tensors.CACHE_DIR).glob("*.pt"):
        cache.write_bytes(cache.read_bytes()[:500])
    return base / "data"


def torchvision_layout(base: Path) -> Path:
    return make_cifar10(base / "data")


def torchvision_corrupt(base: Path) -> Path:
    root = make_cifar10(base / "data")
    batch = root / download.FOLDER / "test_batch"
    batch.write_bytes(batch.read_bytes()[:100])
    return root


def course_layouts(base: Path) -> Path:
    make_folder_dataset(base / "data" / "pets", per_class=SMALL)
    make_label_files(base / "data" / "hymenoptera")
    return base / "data"


GALLERY = [empty, missing, symlinked, empty_class, missing_split, corrupt_jpeg, broken_cache, torchvision_layout,
           torchvision_corrupt, course_layouts]


@pytest.fixture
def trusted_tiny_cifar(monkeypatch, tmp_path):
    """torchvision told the md5s of make_cifar10's files, as in conftest's tiny_cifar: the whole copy passes
    its check, the damaged one (another test_batch) still fails it."""
    folder = make_cifar10(tmp_path / "reference") / download.FOLDER
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{i}", download.md5(folder / f"data_batch_{i}")]
                                                for i in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", download.md5(folder / "test_batch")]])
    monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                          "md5": download.md5(folder / "batches.meta")})


def page_opener():
    """One session paging through the app, as a visitor clicks from page to page; the classify page is opened
    from a link to its audit tab (?view=audit) in a session of its own, since ``view`` is every page's tab."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()

    def open_page(slug: str) -> AppTest:
        if slug != "classify":
            at.switch_page(f"app_pages/{slug}.py").run()
            return at
        audit = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        audit.query_params.update({"lang": "en", "view": "audit"})
        audit.run()
        audit.switch_page("app_pages/classify.py").run()
        return audit
    return open_page


@pytest.mark.parametrize("make", GALLERY, ids=[g.__name__ for g in GALLERY])
def test_every_page_survives_the_data_directory(make, tmp_path, monkeypatch, trusted_tiny_cifar):
    monkeypatch.setenv("DATA_DIR", str(share_derived(make(tmp_path))))
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("CIFAR10_URL", "http://127.0.0.1:9/cifar-10-python.tar.gz")
    open_page = page_opener()
    failures = {}
    for slug in PAGES:
        at = open_page(slug)
        if at.exception:
            failures[slug] = at.exception[0].value.splitlines()[0]
        elif not at.title:
            failures[slug] = "the page stopped before its title"
        elif slug == "classify" and not (at.get("metric") or at.error):
            failures[slug] = "the audit shows neither an accuracy nor an error"
        shown = "\n".join(e.value for kind in ("error", "warning", "info", "caption", "markdown", "code")
                          for e in getattr(at, kind))
        if str(tmp_path) in shown or str(ROOT) in shown:
            failures[slug] = "shows a server path"
    assert not failures, failures
