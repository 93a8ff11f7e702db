"""The course's TensorBoard chapter run for real: SummaryWriter calls into a log directory, read back by TensorBoard.

The page does not imitate TensorBoard. It makes the course's own calls
(``add_scalar``, ``add_image`` with ``dataformats='HWC'``, ``add_images`` of
DataLoader batches, ``add_graph``) into a temporary directory, reads the event
files back with TensorBoard's own reader (``EventAccumulator``), and keeps what
it read plus the directory as a zip. The directory is gone when ``course_logs``
returns: nothing per visitor stays on disk.

Writing and reading them back takes ~10 s of CPU, and it is the same for
everyone with the same photo and batch_size. ``stored`` keeps each result in
a small cache file (written once per server, read in a fraction of a second):
the page warms every setting in the background after its first visit, so a
learner who changes batch_size does not wait for the writer.

``tensorboard`` is an optional install here; ``available()`` says whether it
is importable, and nothing else in this module imports it at import time.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.errors import CodedError, ErrorKind
from core.model import build
from core.training.rundir import TENSORBOARD, write_atomic
from core.uploads.zips import MB, Limits, unpack

READER = "tensorboard.backend.event_processing.event_accumulator"
SCALARS = {"y=2x": 2, "y=x": 1}     # the course's tags and their slopes, written for i in range(100)
GRAPH_INPUT = (64, 3, 32, 32)       # torch.ones((64, 3, 32, 32)), as in the course
_ONE_LOG = threading.RLock()        # one writer at a time (a few seconds of CPU each); stored holds it around course_logs


def available() -> bool:
    """True when torch.utils.tensorboard and TensorBoard's reader can be imported."""
    try:
        importlib.import_module("torch.utils.tensorboard")
        importlib.import_module(READER)
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Picture:
    """One image event as TensorBoard stores it: the step and the encoded PNG."""
    step: int
    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class GraphOp:
    """One operation of the traced graph: the module scope it ran in (``Conv2d[0]``), the aten op, its output shape."""
    scope: str
    op: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Logs:
    """What TensorBoard's reader found in a log directory."""
    scalars: dict[str, tuple[tuple[int, float], ...]]
    images: dict[str, tuple[Picture, ...]]
    graph: tuple[GraphOp, ...]
    files: tuple[tuple[str, int], ...]   # event file names and their sizes in bytes


@dataclass(frozen=True)
class CourseLogs:
    logs: Logs
    wrong_dataformats: str   # what add_image says when the HWC array is passed with the default dataformats='CHW'
    zip: bytes               # the log directory as logs/<event file>
    last_batch_shape: str    # print(imgs.shape) after the loop: the last batch of the last epoch


def sample_batches(root: Path, batch_size: int, epochs: int, seed: int = 0) -> list[list[torch.Tensor]]:
    """The course's test DataLoader (ImageFolder + ToTensor, shuffle=True) over a folder, ``epochs`` times.

    A local generator fixes the shuffle, so everyone sees the same batches; the course's
    own loader (no generator) shuffles differently on every run.
    """
    import torchvision
    from torch.utils.data import DataLoader

    test_data = torchvision.datasets.ImageFolder(str(root), transform=torchvision.transforms.ToTensor())
    loader = DataLoader(test_data, batch_size=batch_size, shuffle=True, num_workers=0, drop_last=False,
                        generator=torch.Generator().manual_seed(seed))
    return [[imgs for imgs, _ in loader] for _ in range(epochs)]


def write_course_calls(logdir: Path, img_array: np.ndarray, batches: list[list[torch.Tensor]]) -> str:
    """The course's calls, in its order, into ``logdir``; returns the error of the wrong-dataformats call.

    batches: one list of image batches [N, 3, H, W] per epoch, as a DataLoader yields them.
    """
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(logdir))
    try:
        writer.add_image("wrong", img_array, 1)   # dataformats defaults to 'CHW': (H, W, 3) is read as C=H …
        wrong = ""
    except (TypeError, ValueError) as err:
        wrong = f"{type(err).__name__}: {err}"
    writer.add_image("test", img_array, 1, dataformats="HWC")
    for i in range(100):
        for tag, slope in SCALARS.items():
            writer.add_scalar(tag, slope * i, i)
    for epoch, epoch_batches in enumerate(batches):
        for step, imgs in enumerate(epoch_batches):
            writer.add_images(f"Epoch: {epoch}", imgs, step)
    writer.add_graph(build("course", torch.Generator().manual_seed(0)), torch.ones(GRAPH_INPUT))  # no global RNG
    writer.close()
    return wrong


def same_tag_twice() -> tuple[tuple[int, float], ...]:
    """The course's trap: "y=2x" logged with 2*i, then the script changed to 3*i and run again into the same folder.

    Two event files, one tag: the reader returns both runs' points in file order,
    steps 0…99 then 0…99 again, so TensorBoard's curve doubles back on itself.
    """
    from torch.utils.tensorboard import SummaryWriter

    with tempfile.TemporaryDirectory(prefix="tb-tag-") as folder:
        for slope in (2, 3):
            # The reader takes event files in name order: the second they were made, then a per-process
            # counter compared as text (".10" sorts before ".9"). The course's two runs were minutes apart,
            # so the second run starts in a later second, as it would there.
            time.sleep(1 - time.time() % 1 if slope == 3 else 0)
            writer = SummaryWriter(folder)
            for i in range(100):
                writer.add_scalar("y=2x", slope * i, i)
            writer.close()
        return read(Path(folder)).scalars["y=2x"]


def read(logdir: Path, scalars: int = 0, images: int = 0) -> Logs:
    """The scalars, images and graph in ``logdir``, read with TensorBoard's EventAccumulator: all of them (0), or
    at most ``scalars`` points and ``images`` pictures per tag, the last always among them (TensorBoard's own
    sampling, for logs the app did not write)."""
    reader = importlib.import_module(READER)
    acc = reader.EventAccumulator(str(logdir), size_guidance={reader.SCALARS: scalars, reader.IMAGES: images})
    acc.Reload()
    tags = acc.Tags()
    scalars = {tag: tuple((e.step, e.value) for e in acc.Scalars(tag)) for tag in tags["scalars"]}
    images = {tag: tuple(Picture(e.step, e.encoded_image_string, e.width, e.height) for e in acc.Images(tag))
              for tag in tags["images"]}
    graph = graph_ops(acc.Graph()) if tags["graph"] else ()
    files = tuple((p.name, p.stat().st_size) for p in sorted(logdir.glob("events.out.tfevents.*")))
    return Logs(scalars, images, graph, files)


def graph_ops(graph_def) -> tuple[GraphOp, ...]:
    """The computing nodes of an add_graph trace in order (TensorBoard's graph tab draws these as boxes)."""
    ops = []
    for node in graph_def.node:
        if not node.op.startswith("aten::"):
            continue
        shapes = node.attr["_output_shapes"].list.shape
        shape = tuple(d.size for d in shapes[0].dim) if shapes else ()
        ops.append(GraphOp(node.name.split("/")[-2], node.op.removeprefix("aten::"), shape))
    return tuple(ops)


def grid(imgs: torch.Tensor) -> torch.Tensor:
    """A batch [N, 3, H, W] as one picture, 8 to a row: what add_images shows when TensorBoard cannot be asked."""
    import torchvision  # the package whole, then its utils (core.preload.parents_first says why)

    return torchvision.utils.make_grid(imgs, nrow=8, padding=0)


def zip_dir(logdir: Path, folder: str = "logs") -> bytes:
    """The log directory as a zip holding ``folder/<files>``: unzip it and run tensorboard --logdir=logs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(logdir.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder}/{path.relative_to(logdir).as_posix()}")
    return buf.getvalue()


def course_logs(img_array: np.ndarray, batches: list[list[torch.Tensor]]) -> CourseLogs:
    """Write the course's calls into a fresh temporary directory, read it back, zip it, remove it."""
    with _ONE_LOG, tempfile.TemporaryDirectory(prefix="tb-") as folder:
        logdir = Path(folder) / "logs"
        wrong = write_course_calls(logdir, img_array, batches)
        return CourseLogs(read(logdir), wrong, zip_dir(logdir), str(batches[-1][-1].shape))


STORE_FORMAT = 1   # bump when CourseLogs or what the course's calls write changes: older files are ignored


def store_name(img_array: np.ndarray, batch_size: int) -> str:
    """The cache file of one setting: the photo's pixels, the batch size, this format and the library versions."""
    import tensorboard

    digest = hashlib.sha256(img_array.tobytes() + str((img_array.shape, batch_size, STORE_FORMAT, torch.__version__,
                                                      tensorboard.__version__)).encode()).hexdigest()[:16]
    return f"tensorboard-course-{batch_size}-{digest}.zip"


def dump(logs: CourseLogs) -> bytes:
    """CourseLogs as one zip: a JSON manifest, each image event's PNG, the log directory's own zip (no pickle)."""
    manifest = {"scalars": logs.logs.scalars, "graph": [[op.scope, op.op, op.shape] for op in logs.logs.graph],
                "files": logs.logs.files, "wrong": logs.wrong_dataformats, "last_batch_shape": logs.last_batch_shape,
                "images": {tag: [[p.step, p.width, p.height] for p in pictures]
                           for tag, pictures in logs.logs.images.items()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:   # PNGs and the logs zip are compressed already
        z.writestr("manifest.json", json.dumps(manifest))
        for i, pictures in enumerate(logs.logs.images.values()):
            for j, picture in enumerate(pictures):
                z.writestr(f"images/{i}/{j}.png", picture.png)
        z.writestr("logs.zip", logs.zip)
    return buf.getvalue()


def load(data: bytes) -> CourseLogs:
    """What ``dump`` wrote; a damaged file raises ValueError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            m = json.loads(z.read("manifest.json"))
            images = {tag: tuple(Picture(step, z.read(f"images/{i}/{j}.png"), width, height)
                                 for j, (step, width, height) in enumerate(events))
                      for i, (tag, events) in enumerate(m["images"].items())}
            logs = Logs({tag: tuple((step, value) for step, value in events) for tag, events in m["scalars"].items()},
                        images, tuple(GraphOp(scope, op, tuple(shape)) for scope, op, shape in m["graph"]),
                        tuple((name, size) for name, size in m["files"]))
            return CourseLogs(logs, m["wrong"], z.read("logs.zip"), m["last_batch_shape"])
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"damaged course logs: {err}") from None


def stored(folder: Path | None, img_array: np.ndarray, batch_size: int,
           batches: Callable[[int], list[list[torch.Tensor]]]) -> CourseLogs:
    """The course's logs for this photo and batch size: from ``folder``'s cache file, else written (``batches``
    gives the DataLoader's batches for a batch size) and kept there. With no folder (nothing writable) they are
    written every time: slower, never broken. One writer at a time: a second asker for the same setting waits
    and then reads the first one's file."""
    path = folder / store_name(img_array, batch_size) if folder is not None else None
    with _ONE_LOG:
        if path is not None and path.is_file():
            try:
                return load(path.read_bytes())
            except (OSError, ValueError):
                pass   # damaged or half-removed: written again below
        logs = course_logs(img_array, batches(batch_size))
        if path is not None:
            try:
                write_atomic(path, dump(logs))
            except OSError:
                pass
        return logs


def write_ahead(folder: Path, img_array: np.ndarray, batch_sizes: Iterable[int],
                batches: Callable[[int], list[list[torch.Tensor]]], going: Callable[[], bool]) -> None:
    """Write into ``folder`` the logs of each batch size it does not hold yet (a background warm-up), while
    ``going()`` says so: a server that stops waits for one setting at most, not for all of them."""
    for batch_size in batch_sizes:
        if not going():
            return
        if not (folder / store_name(img_array, batch_size)).is_file():
            stored(folder, img_array, batch_size, batches)


def read_zip(data: bytes) -> Logs:
    """A downloaded zip read back the way TensorBoard would after unzipping it (what the learner's TensorBoard sees)."""
    with tempfile.TemporaryDirectory(prefix="tb-zip-") as folder:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(folder)
        return read(Path(folder) / "logs")


def keep_unpacked(logs_zip: bytes, folder: Path) -> Path:
    """A log directory's zip (``zip_dir``'s, so trusted: the app wrote it) unpacked into ``folder``, where
    TensorBoard's own app (core.tbserve) reads it. Unpacked beside it and renamed into place, so TensorBoard
    never reads half a folder; one already there is kept."""
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{folder.name}.part-", dir=folder.parent) as part:
            with zipfile.ZipFile(io.BytesIO(logs_zip)) as z:
                z.extractall(part)
            try:
                os.rename(Path(part) / "logs", folder)
            except OSError:
                pass   # another server thread put it there first: same logs
    return folder


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


def run_event_dirs(root: Path) -> list[Path]:
    """The training runs' own TensorBoard folders under the runs directory (core.training.rundir names them)."""
    return sorted({p.parent for p in root.glob(f"*/{TENSORBOARD}/events.out.tfevents.*")})
