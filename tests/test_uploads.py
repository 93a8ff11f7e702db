"""Zips a visitor uploads: built here byte by byte, the hostile ones refused before anything is written, the
good ones unpacked whole or not at all; per-session folders pruned and bounded."""
import io
import os
import stat
import time
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image

from core.uploads import checks, sessions, zips
from core.uploads.zips import Limits, UploadError


def png(seed: int = 0, size: int = 8) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def make_zip(*members: tuple[str | zipfile.ZipInfo, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def link(name: str, to: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, to.encode()


def everything_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def refused(data: bytes, tmp_path: Path, limits: Limits | None = None, check=None) -> str:
    """The code unpack refuses ``data`` with; nothing at all was written under tmp_path."""
    before = everything_under(tmp_path)
    with pytest.raises(UploadError) as caught:
        zips.unpack(data, tmp_path / "session" / "item", limits or Limits(), check)
    assert everything_under(tmp_path) - before <= {"session"}, "something was written"
    assert not list(tmp_path.rglob("evil*")) and not (tmp_path.parent / "evil.txt").exists()
    return caught.value.code


@pytest.mark.parametrize("name", ["../evil.txt", "ants/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt",
                                  "C:evil.txt", "ants\\..\\..\\evil.txt", "\\evil.txt", "ants/./evil.txt",
                                  "ants//evil.txt", "ants/evil\x01.txt"])
def test_names_that_climb_out_or_cannot_be_a_relative_path_are_refused(tmp_path, name):
    assert refused(make_zip(("ants/1.png", png()), (name, b"x")), tmp_path) == "unsafe_name"


def test_a_nul_in_a_stored_name_is_refused(tmp_path):
    data = make_zip(("ants/1.png", png()), ("ants/evil.txtAAAA", b"x")).replace(b"evil.txtAAAA", b"evil.txt\0/..")
    assert refused(data, tmp_path) in ("unsafe_name", "not_zip")


def test_symlinks_and_special_files_are_refused(tmp_path):
    assert refused(make_zip(("ants/1.png", png()), link("ants/evil", "/etc/passwd")), tmp_path) == "link"
    fifo = zipfile.ZipInfo("ants/evil")
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    assert refused(make_zip((fifo, b"")), tmp_path) == "link"


def test_bombs_are_refused_by_ratio_by_total_and_by_what_they_really_unpack_to(tmp_path):
    assert refused(make_zip(("zeros.png", bytes(8 * zips.MB))), tmp_path) == "bomb"
    many_small = [(f"z{i}.bin", bytes(900_000)) for i in range(10)]
    assert refused(make_zip(*many_small), tmp_path) == "bomb_total"
    assert refused(make_zip(("big.bin", bytes(3 * zips.MB)), method=zipfile.ZIP_STORED), tmp_path,
                   Limits(max_unpacked=2 * zips.MB)) == "unpacked_too_large"
    # a directory that claims 100 bytes for a member of 2 MB: only 100 are ever read, and its CRC fails
    data = bytearray(make_zip(("lie.bin", os.urandom(2 * zips.MB)), method=zipfile.ZIP_STORED))
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    assert refused(bytes(data), tmp_path) in ("bomb", "damaged")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_oversize_too_many_too_deep_encrypted_duplicate_empty_and_not_a_zip(tmp_path):
    assert refused(make_zip(("a.png", os.urandom(3000))), tmp_path, Limits(max_bytes=2000)) == "too_large"
    assert refused(make_zip(*[(f"{i}.png", png(i)) for i in range(6)]), tmp_path, Limits(max_members=5)) == "too_many"
    assert refused(make_zip(("/".join("d" * 12) + "/x.png", png())), tmp_path) == "too_deep"
    encrypted = bytearray(make_zip(("a.png", png())))
    central = encrypted.rindex(b"PK\x01\x02")
    encrypted[central + 8] |= 1
    assert refused(bytes(encrypted), tmp_path) == "encrypted"
    assert refused(make_zip(("a/b", b"1"), ("a/b/c.png", png())), tmp_path) == "duplicate"
    assert refused(make_zip(("a.png", png()), ("a.png", png(1))), tmp_path) == "duplicate"
    assert refused(make_zip(("__MACOSX/._a.png", b"x")), tmp_path) == "empty"
    assert refused(b"PK\x03\x04 this is not a zip", tmp_path) == "not_zip"


def test_non_images_where_images_are_required_are_refused_before_anything_is_written(tmp_path):
    check = checks.images_and_labels
    assert refused(make_zip(("ants/1.png", png()), ("ants/run.py", b"print(1)")), tmp_path, check=check) == "not_image"
    assert refused(make_zip(("ants/1.png", png()), ("ants/2.jpg", b"not a jpeg")), tmp_path, check=check) == "not_image"
    assert refused(make_zip(("ants/1.png", png()[:60])), tmp_path, check=check) == "not_image"
    huge = io.BytesIO()
    Image.new("L", (5000, 5000)).save(huge, "PNG")
    assert refused(make_zip(("ants/huge.png", huge.getvalue())), tmp_path, check=check) == "image_too_large"
    assert refused(make_zip(("a_label/1.txt", b"\xff\xfe\x00")), tmp_path, check=check) == "bad_label"


def test_a_good_zip_unpacks_whole_without_its_clutter_and_no_temporary_folder_stays(tmp_path):
    data = make_zip(("hymenoptera/train/ants/1.png", png(1)), ("hymenoptera/train/bees/2.png", png(2)),
                    ("hymenoptera/train/ants_label/1.txt", b"ants\n"), ("__MACOSX/hymenoptera/._1.png", b"junk"),
                    ("hymenoptera/.DS_Store", b"junk"), ("hymenoptera/", b""))
    done = zips.unpack(data, tmp_path / "s" / "item", check=checks.images_and_labels)
    assert done.files == ("hymenoptera/train/ants/1.png", "hymenoptera/train/bees/2.png",
                          "hymenoptera/train/ants_label/1.txt")
    assert (tmp_path / "s" / "item" / "hymenoptera/train/bees/2.png").read_bytes() == png(2)
    assert everything_under(tmp_path / "s") == {"item", "item/hymenoptera", "item/hymenoptera/train",
                                                 *(f"item/{f}" for f in done.files),
                                                 "item/hymenoptera/train/ants", "item/hymenoptera/train/bees",
                                                 "item/hymenoptera/train/ants_label"}


def test_a_write_cut_short_leaves_no_target(tmp_path, monkeypatch):
    real = zips._read
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 4:  # the second member's write, after the first was written
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(zips, "_read", failing)
    with pytest.raises(OSError):
        zips.unpack(make_zip(("a/1.png", png(1)), ("a/2.png", png(2))), tmp_path / "item")
    assert everything_under(tmp_path) == set()


def test_a_killed_unpacks_folder_is_swept_and_oldest_items_go_first(tmp_path):
    folders = sessions.SessionFolders(tmp_path, max_total=2500)
    old, new = folders.new_item("alice", 0), folders.new_item("bob", 0)
    for n, item in enumerate((old, new)):
        zips.unpack(make_zip(("a.bin", bytes(1000))), item)
        os.utime(item, (time.time() - 100 + n, time.time() - 100 + n))
    killed = folders.folder("bob") / f".item{zips.PART}abc"
    killed.mkdir()
    os.utime(killed, (time.time() - sessions.STALE_PART_S - 1,) * 2)
    assert folders.items("alice") == [old] and folders.items("bob") == [new]
    folders.make_room(1000)
    assert not old.exists() and new.exists() and not killed.exists()
    assert folders.items("alice") == []
    assert sessions.key("alice") not in str(new) and "bob" not in str(new)


def test_prune_removes_the_folders_of_sessions_that_ended(tmp_path):
    folders = sessions.SessionFolders(tmp_path)
    for sid in ("alice", "bob", "carol"):
        zips.unpack(make_zip(("a.bin", b"1")), folders.new_item(sid, 1))
    assert folders.prune({"bob"}) == 0, "a session that just started may not be listed yet"
    os.utime(folders.folder("alice"), (time.time() - sessions.GRACE_S - 1,) * 2)
    os.utime(folders.folder("bob"), (time.time() - sessions.GRACE_S - 1,) * 2)
    assert folders.prune({"bob", "dave"}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([sessions.key("bob"), sessions.key("carol")])


def test_the_label_check_reads_the_course_label_file():
    assert checks.label(PurePosixPath("ants_label/1.txt"), "\ufeff蚂蚁\n".encode()) == "蚂蚁"
    assert checks.image(PurePosixPath("ants/1.png"), png(size=12)) == (12, 12)
