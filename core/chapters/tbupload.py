"""A learner's own zipped ``logs`` folder: unpacked safely, read back run by run as TensorBoard reads it, and the
course's same-tag trap found where it happened (a tag whose step went back)."""
from __future__ import annotations

import importlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.chapters.tbevents import Logs, read
from core.errors import CodedError, ErrorKind
from core.uploads.zips import MB, Limits, unpack


class LogsError(CodedError, ValueError):
    """An uploaded logs zip that holds nothing TensorBoard can show: its code names why (``tblogs.error_<code>``)."""

    kind = ErrorKind.TBLOGS


LOGS_LIMITS = Limits(max_bytes=20 * MB, max_unpacked=30 * MB)   # a course's logs folder is a few MB
SHOWN_SCALARS = 1000   # points per tag read back for the page, as TensorBoard keeps them (the trap is found in all)


@dataclass(frozen=True)
class WentBack:
    """The same-tag trap where it happened: ``tag`` in ``run`` reached step ``last`` and then came back to ``step``:
    a second run of the script wrote into the same folder (``file``: the event file it came back in)."""
    run: str
    tag: str
    last: int
    step: int
    file: str


@dataclass(frozen=True)
class Uploaded:
    """A learner's logs folder as TensorBoard reads it: each run (a folder with event files, named as TensorBoard
    names it: its path in the zip) and what was found in it, and every tag whose steps went back."""
    folder: Path
    runs: dict[str, Logs]
    went_back: tuple[WentBack, ...]


def went_back(run: str, logdir: Path) -> list[WentBack]:
    """Each scalar tag in ``logdir`` whose step goes back, at its first going back: the event files are read one
    event at a time in the order TensorBoard reads them (by name), so nothing is held but the last step per tag."""
    loader = importlib.import_module("tensorboard.backend.event_processing.event_file_loader")
    io_wrapper = importlib.import_module("tensorboard.backend.event_processing.io_wrapper")
    last: dict[str, int] = {}
    found: dict[str, WentBack] = {}
    for path in sorted(p for p in logdir.iterdir() if p.is_file() and io_wrapper.IsTensorFlowEventsFile(str(p))):
        for event in loader.EventFileLoader(str(path)).Load():
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name not in ("", "scalars") or value.HasField("image"):
                    continue
                before = last.get(value.tag)
                if before is not None and event.step < before and value.tag not in found:
                    found[value.tag] = WentBack(run, value.tag, before, event.step, path.name)
                last[value.tag] = event.step
    return list(found.values())


def read_uploaded(folder: Path) -> Uploaded:
    """Every run under ``folder`` (TensorBoard's own search for folders holding event files), read back."""
    io_wrapper = importlib.import_module("tensorboard.backend.event_processing.io_wrapper")
    dirs = sorted(Path(d) for d in io_wrapper.GetLogdirSubdirectories(str(folder)))
    if not dirs:
        raise LogsError("no_events")
    names = {d: d.relative_to(folder).as_posix() for d in dirs}
    try:
        runs = {names[d]: read(d, scalars=SHOWN_SCALARS, images=1) for d in dirs}
        traps = tuple(trap for d in dirs for trap in went_back(names[d], d))
    except Exception:  # noqa: BLE001 - TensorBoard's reader on a file that only looks like an event file
        raise LogsError("unreadable") from None
    if not any(logs.scalars or logs.images or logs.graph for logs in runs.values()):
        raise LogsError("no_events")
    return Uploaded(folder, runs, traps)


def unpack_logs(data: bytes, target: Path) -> Uploaded:
    """A learner's zipped ``logs`` folder unpacked into the new folder ``target`` (core.uploads refuses unsafe
    names, links, bombs and oversize zips before writing) and read back; one TensorBoard cannot read is removed
    again and refused."""
    unpack(data, target, LOGS_LIMITS)
    try:
        return read_uploaded(target)
    except LogsError:
        shutil.rmtree(target, ignore_errors=True)
        raise
