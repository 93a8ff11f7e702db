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

``tensorboard`` is an optional install here (``core.chapters.tbevents.available``).
"""
from __future__ import annotations

import hashlib
import io
import json
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core import controls
from core.chapters.tbevents import GraphOp, Logs, Picture, read, zip_dir
from core.data import images
from core.model import build
from core.training.rundir import write_atomic

SCALARS = {"y=2x": 2, "y=x": 1}     # the course's tags and their slopes, written for i in range(100)
GRAPH_INPUT = (64, 3, 32, 32)       # torch.ones((64, 3, 32, 32)), as in the course
_ONE_LOG = threading.RLock()        # one writer at a time (a few seconds of CPU each); stored holds it around course_logs
BATCH_SIZES = (16, 32, 64, 128)
EPOCHS = 2                          # the course's `for epoch in range(2)` over the test DataLoader
STEPS = 100                         # the course's `for i in range(100)` of add_scalar


@dataclass(frozen=True)
class LogSettings:
    """What the TensorBoard page's logs are written with: the photo ``add_image`` logs and the test DataLoader's
    ``batch_size`` (``add_images`` logs each of its batches)."""

    image: str = controls.choice(images.samples()[0], tuple(images.samples()), "tensorboard.image",
                                 controls.Widget.SELECTBOX, option_labels="samples.")
    batch_size: int = controls.choice(64, BATCH_SIZES, "", controls.Widget.SELECT_SLIDER)


@dataclass(frozen=True)
class ScalarsSettings:
    """The SCALARS tab's step slider, TensorBoard's ``global_step``: the last of the course's steps by default."""

    global_step: int = controls.slider(STEPS - 1, 0, STEPS - 1)


@dataclass(frozen=True)
class ImagesSettings:
    """The IMAGES tab's epoch: which ``Epoch: {epoch}`` tag's batches are shown."""

    epoch: int = controls.choice(0, tuple(range(EPOCHS)), "tensorboard.epoch")


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
    for i in range(STEPS):
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


def grid(imgs: torch.Tensor) -> torch.Tensor:
    """A batch [N, 3, H, W] as one picture, 8 to a row: what add_images shows when TensorBoard cannot be asked."""
    import torchvision  # the package whole, then its utils (core.preload.parents_first says why)

    return torchvision.utils.make_grid(imgs, nrow=8, padding=0)


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
