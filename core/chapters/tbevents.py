"""TensorBoard's event files read back with TensorBoard's own reader (``EventAccumulator``), and a log directory
zipped and unpacked again: what the TensorBoard page reads of the course's logs, a training run's and a learner's.

``tensorboard`` is an optional install here; ``available()`` says whether it is importable, and nothing in the
``tb*`` modules imports it at import time.
"""
from __future__ import annotations

import importlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.training.rundir import TENSORBOARD

READER = "tensorboard.backend.event_processing.event_accumulator"


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


def zip_dir(logdir: Path, folder: str = "logs") -> bytes:
    """The log directory as a zip holding ``folder/<files>``: unzip it and run tensorboard --logdir=logs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(logdir.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder}/{path.relative_to(logdir).as_posix()}")
    return buf.getvalue()


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


def run_event_dirs(root: Path) -> list[Path]:
    """The training runs' own TensorBoard folders under the runs directory (core.training.rundir names them)."""
    return sorted({p.parent for p in root.glob(f"*/{TENSORBOARD}/events.out.tfevents.*")})
