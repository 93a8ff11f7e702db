"""Loading a learner's checkpoint safely, and telling them exactly why one does not fit.

Every checkpoint is read with torch.load(..., weights_only=True): only tensors
and plain containers are unpickled, so a file cannot run code while it loads.
A state_dict is matched to an architecture by its structure (core.inference.matching);
the course's other way of saving, torch.save(model) (a pickle of the whole object),
is read through stand-ins and rebuilt from the app's own layers
(core.inference.pickled, core.inference.rebuild).

Before torch.load, the sizes a zip checkpoint declares for its entries are
checked: a 2 MB upload can declare a 2 GB tensor of zeros, deflated, and
decoding that took the server from 2 to 6 GB. CIFAR10-quick's weights are 0.6 MB.
"""
from __future__ import annotations

import functools
import io
import math
import pickle
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from core.errors import CodedError, ErrorKind
from core.inference import matching, pickled
from core.inference.rebuild import Rebuilt, rebuild
from core.model import ARCHITECTURES, Tudui, skeleton


class CheckpointError(CodedError, ValueError):
    """A checkpoint that cannot be loaded: too_large, zip_bomb, full_pickle, not_checkpoint, not_state_dict,
    mismatch, nan or inf."""

    kind = ErrorKind.CHECKPOINT


MAX_MB = 50        # tensors a checkpoint may declare, in all
MAX_RATIO = 20    # declared / stored size of an entry: torch.save stores tensors uncompressed (ratio 1)


def check_sizes(data: bytes) -> None:
    """Refuse a zip checkpoint whose entries declare more than MAX_MB, or are compressed like a zip bomb.

    Reads only the zip's central directory. A legacy (non-zip) torch file holds its tensors as they are,
    so it cannot be larger than the upload.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return  # not a zip: torch.load tells what it is
    declared = sum(e.file_size for e in entries)
    if declared > MAX_MB * 2**20:
        raise CheckpointError("too_large", mb=math.ceil(declared / 2**20), limit=MAX_MB)
    for entry in entries:
        if entry.file_size > 2**20 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise CheckpointError("zip_bomb", mb=math.ceil(entry.file_size / 2**20),
                                  kb=math.ceil(entry.compress_size / 1024))


def load(data: bytes) -> object:
    """What a plain checkpoint holds (sizes checked, torch.load with weights_only=True, tensors on the CPU)."""
    check_sizes(data)
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        refused = [line.strip() for line in str(err).splitlines() if "GLOBAL" in line]  # a class or function it would call
        if not refused:  # not a torch file at all ("invalid load key", …)
            raise CheckpointError("not_checkpoint") from None
        found = re.search(r"GLOBAL ([\w.]+)", refused[0])
        raise CheckpointError("full_pickle", detail=refused[0][:200],
                              global_name=found.group(1) if found else "__main__.Tudui") from None
    except (RuntimeError, EOFError, ValueError, OSError, zipfile.BadZipFile, KeyError, AttributeError):
        raise CheckpointError("not_checkpoint") from None


def read_state_dict(data: bytes) -> dict[str, torch.Tensor]:
    """The state_dict in a .pt / .pth file, also inside a wrapper ({"model_state_dict": …}) or with ``module.``."""
    obj = load(data)
    found = matching.unwrap(obj)
    if found is None:
        raise CheckpointError("not_state_dict", kind=type(obj).__name__)
    return found.state


Shapes = Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class Upload:
    """What an uploaded checkpoint holds, small enough to keep for every session.

    A state_dict: its shapes (to name a mismatch), the architecture its layers line up with, and the tensors only
    when they line up with one (CIFAR10-quick: 0.6 MB); how it was found (wrapper key, ``module.`` cut).
    A whole model (torch.save(model)): the network the app rebuilt from it.
    """

    shapes: dict[str, tuple[int, ...]]
    guessed: str | None
    state: dict[str, torch.Tensor] | None
    wrapper: str | None = None
    prefix: str | None = None
    whole: Rebuilt | None = None


def read_upload(data: bytes) -> Upload:
    """An upload read once (sizes checked, nothing from the file run), keeping only what the page can use."""
    check_sizes(data)
    if pickled.unsafe_globals(data):  # it names classes: a whole model
        whole = rebuild(pickled.read(data))
        state = whole.network.state_dict()
        _check_finite(state)
        return Upload(shapes(state), whole.network.arch, None, whole=whole)
    obj = load(data)
    found = matching.unwrap(obj)
    if found is None:
        raise CheckpointError("not_state_dict", kind=type(obj).__name__)
    guessed = guess_architecture(found.state)
    return Upload(shapes(found.state), guessed, found.state if guessed else None, found.wrapper, found.prefix)


def shapes(state: Mapping[str, torch.Tensor]) -> dict[str, tuple[int, ...]]:
    """Each tensor's shape: all that matching an architecture needs (kept instead of the tensors)."""
    return {k: tuple(v.shape) for k, v in state.items()}


@functools.cache
def expected_layers(arch: str) -> tuple[matching.Layer, ...]:
    """Tudui(arch)'s layers that hold tensors, worked out on the meta device."""
    return tuple(matching.layers(skeleton(arch).state_dict()))


def line_up(state: Shapes | Mapping[str, torch.Tensor], arch: str) -> dict[str, str] | None:
    """{the file's layer path: Tudui(arch)'s} when the file's layers agree with the architecture's one by one."""
    return matching.line_up(matching.layers(state), expected_layers(arch))


def guess_architecture(state: Shapes | Mapping[str, torch.Tensor]) -> str | None:
    """The architecture the file's layers line up with; of two that fit (the course's and +ReLU's have the same
    tensors), the one whose layer numbers the file keeps."""
    fits = {arch: paths for arch in ARCHITECTURES if (paths := line_up(state, arch)) is not None}
    return max(fits, key=lambda arch: matching.agreement(fits[arch]), default=None)


def renames(state: Shapes | Mapping[str, torch.Tensor], arch: str) -> list[tuple[str, str]]:
    """(the file's layer, Tudui(arch)'s) for every layer whose name differs: what the page renamed."""
    return [(f, e) for f, e in (line_up(state, arch) or {}).items() if f != e]


def mismatch(state: Shapes | Mapping[str, torch.Tensor], arch: str) -> CheckpointError | None:
    """The error naming the first layer that keeps ``state`` from Tudui(arch), or None when it fits."""
    found = matching.layers(state)
    expected = expected_layers(arch)
    if matching.line_up(found, expected) is not None:
        return None
    position, mine, theirs = matching.first_difference(found, expected)
    return CheckpointError("mismatch", arch=arch, position=position + 1, found_layers=len(found),
                           expected_layers=len(expected), found=_described(mine), expected=_described(theirs))


def _described(layer: matching.Layer | None) -> str:
    if layer is None:
        return "—"
    return f"{layer.path}: " + ", ".join(f"{name} {list(shape)}" for name, shape in layer.tensors)


def build(state: dict[str, torch.Tensor], arch: str) -> Tudui:
    """Tudui(arch) with these weights (renamed to its keys), in eval mode; a mismatch names what differs, NaN or inf
    weights are refused (training diverged: every prediction would be NaN)."""
    error = mismatch(state, arch)
    if error is not None:
        raise error
    _check_finite(state)
    model = Tudui(arch)
    model.load_state_dict(matching.renamed(state, line_up(state, arch)))
    return model.eval()


def saved_state_dict(model: torch.nn.Module) -> bytes:
    """The model's state_dict as torch.save writes it: the file a snippet opens for a network the page rebuilt."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


def _check_finite(state: Mapping[str, torch.Tensor]) -> None:
    broken = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if broken:
        nan = any(torch.isnan(state[k]).any() for k in broken)
        raise CheckpointError("nan" if nan else "inf", names=", ".join(broken[:3]) + (" …" if len(broken) > 3 else ""))
