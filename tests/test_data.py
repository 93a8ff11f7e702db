"""Data sets under the data directory: the course's layouts, the guard, DataLoader arithmetic and batches."""
import os
import shutil
import tarfile
import time
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from core import codegen, data, download, loader

from conftest import make_folder_dataset, make_label_files

# The JPEG copy of CIFAR-10 that sits beside the checkout (../shared/data/), or wherever $SHARED_DATA says.
SHARED = Path(os.environ.get("SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data") / "cifar10-jpg.tar.gz"


def test_tiny_cifar10_opens_through_torchvision(tiny_cifar):
    found = data.discover(tiny_cifar)
    assert [f.kind for f in found] == ["cifar10"] and found[0].path == "."
    test_set = data.open_dataset(tiny_cifar, found[0], "test")
    img, target = test_set[0]
    assert len(test_set) == 30 and target == 3 and test_set.classes[target] == "cat"
    assert len(data.open_dataset(tiny_cifar, found[0], "train")) == 60


def test_a_tampered_cifar10_file_is_refused(tmp_path):
    from conftest import make_cifar10

    root = make_cifar10(tmp_path / "data")  # no md5s registered: torchvision compares with the real CIFAR-10's
    with pytest.raises(data.DataError) as err:
        data.open_dataset(root, data.Found("cifar10", ".", ("train", "test")), "test")
    assert err.value.code == "cifar_corrupt"


def test_both_folder_layouts_and_the_concatenation(tmp_path):
    make_folder_dataset(tmp_path / "pets")
    make_label_files(tmp_path / "hymenoptera")
    (tmp_path / "empty").mkdir()
    found = {f.path: f for f in data.discover(tmp_path)}
    assert len(found) == 2, "a label-file layout is not also a folder data set"
    assert found["pets"].kind == "folder" and found["pets"].splits == ("test", "train")
    assert found["hymenoptera"].kind == "label_files" and found["hymenoptera"].splits == ("train",)
    assert "empty" not in found
    pets = data.open_dataset(tmp_path, found["pets"], "train")
    assert len(pets) == 72 and pets.classes == ["cat", "dog", "ship"] and pets[30][1] == 1
    pairs = data.open_dataset(tmp_path, found["hymenoptera"], "train")
    assert len(pairs) == 9 and pairs[0][1] == "ants" and pairs[5][1] == "bees"
    parts = data.per_class_datasets(tmp_path, found["pets"], "train")
    total = parts[0] + parts[1]  # the course's ants_dataset + bees_dataset
    assert [len(p) for p in parts] == [24, 24, 24] and len(total) == 48
    assert total[23][1] == "cat" and total[24][1] == "dog"


@pytest.mark.parametrize("bad", ["..", "../etc", "/etc", "pets/../../x"])
def test_nothing_outside_the_data_directory_opens(tmp_path, bad):
    (tmp_path / "root" / "pets").mkdir(parents=True)
    with pytest.raises(data.DataError) as err:
        data.inside(tmp_path / "root", bad)
    assert err.value.code == "outside_data_dir"
    assert data.inside(tmp_path / "root", "pets") == (tmp_path / "root" / "pets").resolve()


def test_a_symlink_out_of_the_data_directory_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", tmp_path / "root" / "link")
    with pytest.raises(data.DataError):
        data.inside(tmp_path / "root", "link")
    with pytest.raises(data.DataError):
        data.open_dataset(tmp_path / "root", data.Found("folder", "link", ("",)), "")


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert data.data_root() == tmp_path.resolve()
    monkeypatch.delenv("DATA_DIR")
    assert data.data_root() == data.REPO / "data"


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 500), batch_size=st.integers(1, 130), drop_last=st.booleans())
def test_batch_arithmetic_matches_dataloader(n, batch_size, drop_last):
    count = loader.count_batches(n, batch_size, drop_last)
    sizes = [len(b) for b in DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)]
    assert count.batches == len(sizes) == len(DataLoader(range(n), batch_size=batch_size, drop_last=drop_last))
    assert sizes.count(batch_size) == count.full and (count.last == 0 or sizes[-1] == count.last)


def test_course_test_set_arithmetic():
    assert loader.count_batches(10000, 64, False) == loader.BatchCount(156, 16, 157)
    assert loader.count_batches(10000, 64, True) == loader.BatchCount(156, 0, 156)


@pytest.mark.parametrize("shuffle,drop_last,seed", [(True, False, 0), (True, True, 7), (False, False, 3)])
def test_any_batch_of_any_epoch_is_the_dataloaders(shuffle, drop_last, seed):
    dataset = TensorDataset(torch.arange(103) * 10, torch.arange(103) % 7)
    real = DataLoader(dataset, batch_size=16, shuffle=shuffle, drop_last=drop_last,
                      generator=torch.Generator().manual_seed(seed))
    for epoch, batches in enumerate([list(real) for _ in range(3)], start=1):
        order = loader.epoch_batches(103, 16, shuffle, drop_last, seed, epoch)
        assert len(order) == len(batches)
        for indices, (x, y) in zip(order, batches):
            got_x, got_y = loader.load_batch(dataset, indices)
            assert torch.equal(got_x, x) and torch.equal(got_y, y)


def test_dataloader_snippet_prints_what_the_page_shows(tiny_cifar, monkeypatch):
    monkeypatch.chdir(tiny_cifar)
    found = data.discover(tiny_cifar)[0]
    dataset = data.open_dataset(tiny_cifar, found, "test", __import__("torchvision").transforms.ToTensor())
    order = loader.epoch_batches(len(dataset), 8, True, False, 5, 2)
    imgs, targets = loader.load_batch(dataset, order[1])
    count = loader.count_batches(len(dataset), 8, False)
    page = f"{len(dataset)} {count.batches}\n{imgs.shape}\n{targets}"
    snippet = codegen.dataloader("cifar10", ".", "test", [], None, 8, True, False, 0, 5, 2, 1)
    assert codegen.run(snippet) == page


def test_label_file_snippet_runs_as_pasted(tmp_path, monkeypatch):
    make_label_files(tmp_path / "hymenoptera")
    monkeypatch.chdir(tmp_path)
    snippet = codegen.dataset_item("label_files", "hymenoptera", "train", ["ants", "bees"], 5)
    found = data.discover(tmp_path)[0]
    img, label = data.open_dataset(tmp_path, found, "train", __import__("torchvision").transforms.ToTensor())[5]
    assert label == "bees" and codegen.run(snippet) == f"9 {img.shape} bees"


def test_download_fails_fast_when_offline(tmp_path):
    began = time.perf_counter()
    with pytest.raises(download.DownloadError) as err:
        download.download(tmp_path, "http://127.0.0.1:9/cifar-10-python.tar.gz", timeout=3)
    assert err.value.code == "offline" and time.perf_counter() - began < 5
    assert not list(tmp_path.iterdir())  # no half-written file left behind


def test_extract_checks_the_md5_and_refuses_paths_out(tmp_path, monkeypatch):
    (tmp_path / download.ARCHIVE).write_bytes(b"not the archive")
    with pytest.raises(download.DownloadError) as err:
        download.extract(tmp_path)
    assert err.value.code == "bad_archive"
    evil = tmp_path / "evil.tar.gz"
    (tmp_path / "payload").write_text("x")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(tmp_path / "payload", arcname="../escaped")
    monkeypatch.setattr(download, "CIFAR10_MD5", download.md5(evil))
    with pytest.raises(download.DownloadError):
        download.extract(tmp_path / "inner", evil)
    assert not (tmp_path / "escaped").exists()


@pytest.mark.skipif(not SHARED.exists(), reason="the shared JPEG copy of CIFAR-10 is not on this machine")
def test_the_shared_jpeg_cifar10_browses(tmp_path):
    with tarfile.open(SHARED) as tar:
        tar.extractall(tmp_path / "cifar10-jpg", filter="data")
    found = data.discover(tmp_path)
    assert [(f.path, f.kind, f.splits) for f in found] == [("cifar10-jpg", "folder", ("test", "train"))]
    test_set = data.open_dataset(tmp_path, found[0], "test", __import__("torchvision").transforms.ToTensor())
    assert len(test_set) == 10000 and test_set.classes[3] == "cat"
    order = loader.epoch_batches(len(test_set), 64, True, False, 0, 1)
    imgs, targets = loader.load_batch(test_set, order[-1])
    assert imgs.shape == (16, 3, 32, 32) and len(order) == 157
    shutil.rmtree(tmp_path / "cifar10-jpg")
