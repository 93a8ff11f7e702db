"""A learner's own TensorBoard logs: event files written here with SummaryWriter as the course's scripts write them,
zipped, read back (runs, tags, the same-tag trap where it happened) and uploaded on the TensorBoard page (AppTest);
unsafe zips refused with translated messages and nothing written outside the session's folder."""
import io
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import i18n
from core.chapters import tbevents, tbupload
from core.errors import explain
from core.uploads.zips import MB, UploadError

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not tbevents.available(), reason="tensorboard is not installed")


def course_logs(folder: Path, slopes=(2, 3)) -> Path:
    """The course's script run once per slope into one `logs` folder (the trap when twice), and a second
    experiment in its own subfolder with an image; returns the logs folder."""
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    logs = folder / "logs"
    for k, slope in enumerate(slopes):
        # a second run of the script starts in a later second, as it would at home (its file sorts after the first)
        time.sleep(1 - time.time() % 1 if k else 0)
        writer = SummaryWriter(str(logs))
        for i in range(100):
            writer.add_scalar("y=2x", slope * i, i)
        writer.close()
    writer = SummaryWriter(str(logs / "run2"))
    for epoch in range(3):
        writer.add_scalar("test_accuracy", 0.3 + 0.1 * epoch, epoch)
    writer.add_image("test", np.full((8, 8, 3), 200, np.uint8), 1, dataformats="HWC")
    writer.close()
    return logs


def zipped(folder: Path) -> bytes:
    """A folder zipped as a learner zips it: its own name at the top."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, path.relative_to(folder.parent).as_posix())
    return buf.getvalue()


def member_zip(name: str, data: bytes, mode: int | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        if mode is not None:
            info.external_attr = mode << 16
        z.writestr(info, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return course_logs(tmp_path_factory.mktemp("home"))


def test_the_same_tag_trap_is_found_where_it_happened(logs, tmp_path):
    found = tbupload.unpack_logs(zipped(logs), tmp_path / "item")
    assert list(found.runs) == ["logs", "logs/run2"], "runs named as TensorBoard names them"
    assert [step for step, _ in found.runs["logs"].scalars["y=2x"]][98:102] == [98, 99, 0, 1]
    assert found.runs["logs/run2"].scalars["test_accuracy"][-1][0] == 2 and list(found.runs["logs/run2"].images) == ["test"]
    (trap,) = found.went_back
    second = sorted(p.name for p in logs.glob("events.out.tfevents.*"))[1]
    assert (trap.run, trap.tag, trap.last, trap.step, trap.file) == ("logs", "y=2x", 99, 0, second)


def test_one_run_per_folder_has_no_trap(tmp_path):
    logs = course_logs(tmp_path / "home", slopes=(2,))
    assert tbupload.unpack_logs(zipped(logs), tmp_path / "item").went_back == ()


def test_a_zip_without_event_files_is_refused_and_removed(tmp_path):
    with pytest.raises(tbupload.LogsError) as err:
        tbupload.unpack_logs(member_zip("logs/notes.txt", b"my notes"), tmp_path / "item")
    assert err.value.code == "no_events" and not (tmp_path / "item").exists()


def open_yours(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=240)
    at.query_params.update({"lang": lang, "tab": "yours"})
    at.run()
    at.switch_page("app_pages/tensorboard.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, data: bytes, name: str = "logs.zip") -> AppTest:
    at.file_uploader(key="tblogs_zip").set_value((name, data, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en"])   # the refusals below are read in 中文
def test_uploaded_logs_show_their_tags_and_the_trap(lang, logs, tmp_path, monkeypatch):
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path))
    at = upload(open_yours(lang), zipped(logs))
    table = at.dataframe[0].value
    assert list(table.iloc[:, 1]) == ["y=2x", "test_accuracy", "test"]
    assert list(table.iloc[:, 0]) == ["logs", "logs/run2", "logs/run2"]
    second = sorted(p.name for p in logs.glob("events.out.tfevents.*"))[1]
    assert at.warning[0].value == i18n.t("tblogs.went_back", lang, tag="y=2x", run="logs", last=99, step=0, file=second)
    assert at.image and not at.error
    (session,) = [p for p in tmp_path.iterdir()]
    (item,) = list(session.iterdir())
    assert sorted(p.relative_to(item).as_posix() for p in item.rglob("*") if p.is_file()) == sorted(
        p.relative_to(logs.parent).as_posix() for p in logs.rglob("*") if p.is_file()), "unpacked in this session's folder"
    frame = [f for f in at.get("iframe")]
    assert frame and f"/tensorboard/upload/{session.name}/{item.name}/" in str(frame[-1].proto), "TensorBoard over it"


EVENTS, CLIMBS = "logs/events.out.tfevents.1", "../evil/events.out.tfevents.1"
REFUSED = [   # what a zip holds, and the refusal the learner reads
    (lambda: member_zip(CLIMBS, b"x"), UploadError("unsafe_name", name=CLIMBS)),
    (lambda: member_zip(EVENTS, b"/etc/passwd", stat.S_IFLNK | 0o777), UploadError("link", name=EVENTS)),
    (lambda: member_zip(EVENTS, bytes(25 * MB)), UploadError("bomb", name=EVENTS)),
    (lambda: member_zip(EVENTS, os.urandom(21 * MB)), UploadError("too_large", mb=20)),
    (lambda: member_zip("logs/readme.txt", b"hello"), tbupload.LogsError("no_events")),
]


@pytest.mark.parametrize("lang", ["zh"])
def test_unsafe_or_empty_zips_are_refused_in_the_learner_s_language(lang, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("UPLOADS_DIR", str(uploads))
    at = open_yours(lang)
    for k, (make, refusal) in enumerate(REFUSED):
        at = upload(at, make(), f"logs{k}.zip")
        assert [e.value for e in at.error] == [explain(refusal, lang)], refusal.code
        assert not at.dataframe and not at.get("iframe")
    assert not (tmp_path / "evil").exists()
    assert [p for p in uploads.rglob("*") if p.is_file()] == [], "nothing written: each refusal comes before a byte lands"
