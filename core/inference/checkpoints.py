"""Loading a learner's checkpoint safely, and telling them exactly why one does not fit.

Every checkpoint is read with torch.load(..., weights_only=True): only tensors
and plain containers are unpickled, so a file cannot run code while it loads.
That also refuses the course's other way of saving, torch.save(model) (a
pickle of the whole object), which the page explains.

Before torch.load, the sizes a zip checkpoint declares for its entries are
checked: a 2 MB upload can declare a 2 GB tensor of zeros, deflated, and
decoding that took the server from 2 to 6 GB. CIFAR10-quick's weights are 0.6 MB.
"""
from __future__ import annotations

import io
import math
import pickle
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from core.errors import CodedError, ErrorKind
from core.model import ARCHITECTURES, Tudui


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


def read_state_dict(data: bytes) -> dict[str, torch.Tensor]:
    """The state_dict in an uploaded .pt / .pth file (also inside {"model": …} or {"state_dict": …})."""
    check_sizes(data)
    try:
        obj = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        refused = [line.strip() for line in str(err).splitlines() if "GLOBAL" in line]  # a class or function it would call
        if not refused:  # not a torch file at all ("invalid load key", …)
            raise CheckpointError("not_checkpoint") from None
        found = re.search(r"GLOBAL ([\w.]+)", refused[0])
        raise CheckpointError("full_pickle", detail=refused[0][:200],
                              global_name=found.group(1) if found else "__main__.Tudui") from None
    except (RuntimeError, EOFError, ValueError, OSError, zipfile.BadZipFile, KeyError, AttributeError):
        raise CheckpointError("not_checkpoint") from None
    if isinstance(obj, dict):
        for wrapper in ("state_dict", "model"):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError("not_state_dict", kind=type(obj).__name__)
    return obj


Shapes = Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class Upload:
    """What an uploaded checkpoint holds, small enough to keep for every session: the shapes (to name a mismatch)
    and the architecture they fit, with the tensors only when they fit one (CIFAR10-quick: 0.6 MB)."""

    shapes: dict[str, tuple[int, ...]]
    guessed: str | None
    state: dict[str, torch.Tensor] | None


def read_upload(data: bytes) -> Upload:
    """An upload read once (sizes checked, weights_only=True), keeping only what the page can use."""
    state = read_state_dict(data)
    guessed = guess_architecture(state)
    return Upload(shapes(state), guessed, state if guessed else None)


def shapes(state: Mapping[str, torch.Tensor]) -> dict[str, tuple[int, ...]]:
    """Each tensor's shape: all that matching an architecture needs (kept instead of the tensors)."""
    return {k: tuple(v.shape) for k, v in state.items()}


def differences(state: Shapes | Mapping[str, torch.Tensor], arch: str) -> dict[str, list[str]]:
    """What keeps ``state`` (tensors, or their shapes) from loading into Tudui(arch): missing and unexpected
    keys, shapes that differ."""
    given = {k: list(getattr(v, "shape", v)) for k, v in state.items()}
    expected = {k: list(v.shape) for k, v in Tudui(arch).state_dict().items()}
    return {
        "missing": [k for k in expected if k not in given],
        "unexpected": [k for k in given if k not in expected],
        "shapes": [f"{k}: {given[k]} ≠ {v}" for k, v in expected.items() if k in given and given[k] != v],
    }


def guess_architecture(state: Shapes | Mapping[str, torch.Tensor]) -> str | None:
    """The architecture whose keys and shapes match exactly, if one does."""
    for arch in ARCHITECTURES:
        if not any(differences(state, arch).values()):
            return arch
    return None


def mismatch(state: Shapes | Mapping[str, torch.Tensor], arch: str) -> CheckpointError | None:
    """The error naming what keeps ``state`` from Tudui(arch), or None when it fits."""
    diff = differences(state, arch)
    if not any(diff.values()):
        return None
    return CheckpointError("mismatch", arch=arch, **{k: ", ".join(v[:6]) + (" …" if len(v) > 6 else "") or "—"
                                                    for k, v in diff.items()})


def build(state: dict[str, torch.Tensor], arch: str) -> Tudui:
    """Tudui(arch) with these weights, in eval mode; a mismatch names what differs, NaN or inf weights are refused
    (training diverged: every prediction would be NaN)."""
    error = mismatch(state, arch)
    if error is not None:
        raise error
    broken = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if broken:
        nan = any(torch.isnan(state[k]).any() for k in broken)
        raise CheckpointError("nan" if nan else "inf", names=", ".join(broken[:3]) + (" …" if len(broken) > 3 else ""))
    model = Tudui(arch)
    model.load_state_dict(state)
    return model.eval()
