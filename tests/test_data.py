"""Data sets under the data directory and the bundled sample: the course's layouts, the guard, the tensor cache,
damaged files, DataLoader arithmetic and batches."""
import os
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from core.basics import codegen
from core.data import discovery, download, loader, paths, sample, sets, tensors

from conftest import make_folder_dataset, make_label_files


def test_tiny_cifar10_opens_through_torchvision(tiny_cifar):
    found = discovery.discover(tiny_cifar)
    assert [f.kind for f in found] == [discovery.Kind.CIFAR10] and found[0].path == "."
    test_set = sets.open_dataset(tiny_cifar, found[0], "test")
    img, target = test_set[0]
    assert len(test_set) == 30 and target == 3 and test_set.classes[target] == "cat"
    assert len(sets.open_dataset(tiny_cifar, found[0], "train")) == 60


def test_a_tampered_cifar10_file_is_refused(tmp_path):
    from conftest import make_cifar10

    root = make_cifar10(tmp_path / "data")  # no md5s registered: torchvision compares with the real CIFAR-10's
    with pytest.raises(paths.DataError) as err:
        sets.open_dataset(root, discovery.Found(discovery.Kind.CIFAR10, ".", ("train", "test")), "test")
    assert err.value.code == "cifar_corrupt"


def test_both_folder_layouts_and_the_concatenation(tmp_path):
    make_folder_dataset(tmp_path / "pets")
    make_label_files(tmp_path / "hymenoptera")
    (tmp_path / "empty").mkdir()
    found = {f.path: f for f in discovery.discover(tmp_path)}
    assert len(found) == 2, "a label-file layout is not also a folder data set"
    assert found["pets"].kind == "folder" and found["pets"].splits == ("test", "train")
    assert found["hymenoptera"].kind == "label_files" and found["hymenoptera"].splits == ("train",)
    assert "empty" not in found
    pets = sets.open_dataset(tmp_path, found["pets"], "train")
    assert len(pets) == 72 and pets.classes == ["cat", "dog", "ship"] and pets[30][1] == 1
    pairs = sets.open_dataset(tmp_path, found["hymenoptera"], "train")
    assert len(pairs) == 9 and pairs[0][1] == "ants" and pairs[5][1] == "bees"
    parts = sets.per_class_datasets(tmp_path, found["pets"], "train")
    total = parts[0] + parts[1]  # the course's ants_dataset + bees_dataset
    assert [len(p) for p in parts] == [24, 24, 24] and len(total) == 48
    assert total[23][1] == "cat" and total[24][1] == "dog"


@pytest.mark.parametrize("bad", ["..", "../etc", "/etc", "pets/../../x"])
def test_nothing_outside_the_data_directory_opens(tmp_path, bad):
    (tmp_path / "root" / "pets").mkdir(parents=True)
    with pytest.raises(paths.DataError) as err:
        paths.inside(tmp_path / "root", bad)
    assert err.value.code == "outside_data_dir"
    assert paths.inside(tmp_path / "root", "pets") == tmp_path / "root" / "pets"
    with pytest.raises(paths.DataError):  # a split name from a request is checked the same way
        sets.open_dataset(tmp_path / "root", discovery.Found(discovery.Kind.FOLDER, "pets", ("",)), "../..")


def test_a_symlinked_data_set_lists_opens_and_trains(tmp_path, monkeypatch):
    """The owner's `ln -s ~/datasets/cifar10-jpg data/cifar10-jpg`: here the bundled sample stands in for it."""
    (tmp_path / "data").mkdir()
    os.symlink(sample.SAMPLE, tmp_path / "data" / "cifar10-jpg")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    root = paths.data_root()
    linked = discovery.Found(discovery.Kind.FOLDER, "cifar10-jpg", ("test", "train"))
    assert discovery.offered(root) == [linked, discovery.SAMPLE, discovery.SAMPLE_LABELS], "a full CIFAR-10 copy comes first"
    test_set = sets.open_dataset(root, linked, "test")
    assert len(test_set) == 1000 and test_set.classes[3] == "cat"
    split = tensors.load_split(discovery.location(root, linked), "test")
    assert split.images.shape == (1000, 3, 32, 32) and split.labels.bincount().tolist() == [100] * 10
    assert paths.shown(discovery.location(root, linked)) == "cifar10-jpg"


def test_the_bundled_sample_is_offered_opens_and_batches(tmp_path):
    offered = discovery.offered(tmp_path / "no-such-dir")
    assert offered == [discovery.SAMPLE, discovery.SAMPLE_LABELS] and offered[0].kind == discovery.Kind.FOLDER
    assert discovery.trainable(offered[0]) and discovery.has_test_split(offered[0]) and not discovery.trainable(offered[1])
    train_set = sets.open_dataset(tmp_path, discovery.SAMPLE, "train", __import__("torchvision").transforms.ToTensor())
    assert len(train_set) == 5000 and len(train_set.classes) == 10
    order = loader.epoch_batches(len(train_set), 64, True, False, 0, 1)
    (imgs, targets), skipped = loader.load_batch(train_set, order[0])
    assert imgs.shape == (64, 3, 32, 32) and skipped == () and targets.max() < 10
    assert paths.shown(discovery.location(tmp_path, discovery.SAMPLE)) == "assets/cifar10-sample"
    assert len({f.id for f in offered}) == 2 and all(not f.id.startswith("/") for f in offered)


def test_the_sample_in_the_course_label_file_layout(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    pairs = sets.open_dataset(tmp_path, discovery.SAMPLE_LABELS, "train")
    assert len(pairs) == 1000 and pairs[0][1] == "cat" and pairs[500][1] == "dog"
    built = discovery.location(tmp_path, discovery.SAMPLE_LABELS)
    assert built.is_relative_to(tmp_path) and (built / "test" / "dog_label").is_dir()
    assert not list(sample.SAMPLE.rglob("*.txt")), "nothing is written into assets/"
    cat, dog = sets.per_class_datasets(tmp_path, discovery.SAMPLE, "test")[3:6:2]
    assert len(cat + dog) == 200 and (cat + dog)[100][1] == "dog"  # the course's ants_dataset + bees_dataset


def test_the_sample_cache_stays_out_of_assets(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # no cache from an earlier run to be found
    calls = []
    split = tensors.load_split(sample.SAMPLE, "test", progress=lambda *a: calls.append(a))
    assert split.images.shape == (1000, 3, 32, 32) and calls[-1] == (1000, 1000, calls[-1][2])
    assert list((tmp_path / tensors.CACHE_DIR).glob("test-*.pt")) and not (sample.SAMPLE / tensors.CACHE_DIR).exists()
    again = []
    tensors.load_split(sample.SAMPLE, "test", progress=lambda *a: again.append(a))
    assert again == [(1000, 1000, True)]


def test_a_damaged_cache_is_rebuilt_and_a_corrupt_image_left_out(folder_dataset):
    (folder_dataset / "train" / "cat" / "0003.png").write_bytes(b"\x89PNG broken")
    first = tensors.load_split(folder_dataset, "train")
    assert first.skipped == ("cat/0003.png",) and len(first.labels) == 71 and not first.rebuilt
    [cache] = (folder_dataset / tensors.CACHE_DIR).glob("train-*.pt")
    cache.write_bytes(cache.read_bytes()[:1000])  # a kill mid-write, before writes went through os.replace
    second = tensors.load_split(folder_dataset, "train")
    assert second.rebuilt and torch.equal(second.images, first.images) and second.skipped == first.skipped
    assert not tensors.load_split(folder_dataset, "train").rebuilt, "the rebuilt file is whole"
    assert not list((folder_dataset / tensors.CACHE_DIR).glob("*.tmp")), "no temporary file is left behind"
    (folder_dataset / "train" / "cat" / "0003.png").unlink()  # the data set changes: a new cache replaces the old
    assert len(tensors.load_split(folder_dataset, "train").labels) == 71
    assert len(list((folder_dataset / tensors.CACHE_DIR).glob("train-*.pt"))) == 1


def test_two_loaders_decode_a_new_data_set_once(folder_dataset, monkeypatch):
    decodes = []
    real = tensors._decode_all

    def slow(*args):
        decodes.append(1)
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(tensors, "_decode_all", slow)  # where load_split looks it up
    results = []
    threads = [threading.Thread(target=lambda: results.append(tensors.load_split(folder_dataset, "test")))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(decodes) == 1 and torch.equal(results[0].images, results[1].images)


def test_an_empty_class_folder_and_a_corrupt_image_in_a_batch(folder_dataset):
    (folder_dataset / "train" / "zebra").mkdir()
    (folder_dataset / "train" / "dog" / "0001.png").write_bytes(b"not a picture")
    found = discovery.Found(discovery.Kind.FOLDER, folder_dataset.name, ("test", "train"))
    dataset = sets.open_dataset(folder_dataset.parent, found, "train", __import__("torchvision").transforms.ToTensor())
    assert dataset.classes == ["cat", "dog", "ship", "zebra"] and sets.empty_classes(dataset) == ["zebra"]
    (imgs, targets), skipped = loader.load_batch(dataset, [0, 25, 30])
    assert skipped == (25,) and imgs.shape == (2, 3, 32, 32) and sets.item_file(dataset, 25) == "dog/0001.png"


def test_data_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert paths.data_root() == tmp_path.resolve()
    monkeypatch.delenv("DATA_DIR")
    assert paths.data_root() == paths.REPO / "data"


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 500), batch_size=st.integers(1, 130), drop_last=st.booleans())
def test_batch_arithmetic_matches_dataloader(n, batch_size, drop_last):
    count = loader.count_batches(n, batch_size, drop_last)
    sizes = [len(b) for b in DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)]
    assert count.batches == len(sizes) == len(DataLoader(range(n), batch_size=batch_size, drop_last=drop_last))
    assert sizes.count(batch_size) == count.full and (count.last == 0 or sizes[-1] == count.last)
    assert loader.LoaderSettings(batch_size=batch_size, drop_last=drop_last).count(n) == count


@settings(max_examples=50, deadline=None)
@given(targets=st.lists(st.integers(0, 9), min_size=1, max_size=64))
def test_a_batch_s_class_counts_are_its_targets_counted(targets):
    counts = loader.class_counts(torch.tensor(targets), 10)
    assert counts == [targets.count(c) for c in range(10)]


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
            (got_x, got_y), _ = loader.load_batch(dataset, indices)
            assert torch.equal(got_x, x) and torch.equal(got_y, y)


def test_dataloader_snippet_prints_what_the_page_shows(tiny_cifar, monkeypatch):
    monkeypatch.chdir(tiny_cifar)
    found = discovery.discover(tiny_cifar)[0]
    dataset = sets.open_dataset(tiny_cifar, found, "test", __import__("torchvision").transforms.ToTensor())
    order = loader.epoch_batches(len(dataset), 8, True, False, 5, 2)
    (imgs, targets), _ = loader.load_batch(dataset, order[1])
    count = loader.count_batches(len(dataset), 8, False)
    page = f"{len(dataset)} {count.batches}\n{imgs.shape}\n{targets}"
    snippet = codegen.dataloader(discovery.Kind.CIFAR10, ".", "test", [], None, 8, True, False, 0, 5, 2, 1)
    assert codegen.run(snippet) == page


def test_label_file_snippet_runs_as_pasted(tmp_path, monkeypatch):
    make_label_files(tmp_path / "hymenoptera")
    monkeypatch.chdir(tmp_path)
    snippet = codegen.dataset_item(discovery.Kind.LABEL_FILES, "hymenoptera", "train", ["ants", "bees"], 5)
    found = discovery.discover(tmp_path)[0]
    img, label = sets.open_dataset(tmp_path, found, "train", __import__("torchvision").transforms.ToTensor())[5]
    assert label == "bees" and codegen.run(snippet) == f"9 {img.shape} bees"


def test_download_fails_fast_when_offline(tmp_path):
    began = time.perf_counter()
    with pytest.raises(download.DownloadError) as err:
        download.download(tmp_path, "http://127.0.0.1:9/cifar-10-python.tar.gz", timeout=3)
    assert err.value.code == "offline" and time.perf_counter() - began < 5
    assert not list(tmp_path.iterdir())  # no half-written file left behind


def test_a_path_is_shown_relative_to_the_repo_or_its_root_never_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(paths.REPO)
    assert paths.shown(Path("data") / "cifar") == "data/cifar", "a model card's command names the repo's data/"
    runs_root = tmp_path / "runs"
    assert paths.shown(runs_root / "abc" / "epoch_3.pth", runs_root, "runs") == "runs/abc/epoch_3.pth"
    assert paths.shown(runs_root, runs_root, "runs") == "runs"
    assert paths.shown(tmp_path / "elsewhere" / "x.pth", runs_root, "runs") == "x.pth"


def test_a_data_directory_that_cannot_be_written_is_said_without_its_path(tmp_path):
    (tmp_path / "blocked").write_text("a file where the data directory's parent should be")
    root = tmp_path / "blocked" / "data"  # mkdir fails for root too, where a read-only mode would not stop it
    with pytest.raises(download.DownloadError) as err:
        download.download(root, "http://127.0.0.1:9/cifar-10-python.tar.gz", timeout=3)
    assert err.value.code == "unwritable"
    assert str(tmp_path) not in str(err.value.params) and "blocked" not in str(err.value.params)


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


def test_the_shared_jpeg_cifar10_browses(shared_cifar):
    found = discovery.discover(shared_cifar)
    assert [(f.path, f.kind, f.splits) for f in found] == [("cifar10-jpg", discovery.Kind.FOLDER, ("test", "train"))]
    test_set = sets.open_dataset(shared_cifar, found[0], "test", __import__("torchvision").transforms.ToTensor())
    assert len(test_set) == 10000 and test_set.classes[3] == "cat"
    order = loader.epoch_batches(len(test_set), 64, True, False, 0, 1)
    (imgs, targets), _ = loader.load_batch(test_set, order[-1])
    assert imgs.shape == (16, 3, 32, 32) and len(order) == 157


def test_a_data_directory_that_cannot_be_read_still_offers_the_sample(tmp_path, monkeypatch):
    make_folder_dataset(tmp_path / "pets")

    def locked(real):
        def check(path):
            if path != tmp_path and tmp_path in path.parents:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        return check

    for name in ("is_dir", "is_file"):  # as when the owner locks folders the server's user may not look into
        monkeypatch.setattr(Path, name, locked(getattr(Path, name)))
    assert discovery.discover(tmp_path) == [] and discovery.offered(tmp_path) == [discovery.SAMPLE, discovery.SAMPLE_LABELS]
