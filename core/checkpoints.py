"""Loading a learner's checkpoint safely, and telling them exactly why one does not fit.

Every checkpoint is read with torch.load(..., weights_only=True): only tensors
and plain containers are unpickled, so a file cannot run code while it loads.
That also refuses the course's other way of saving, torch.save(model) (a
pickle of the whole object), which the page explains.
"""
from __future__ import annotations

import io
import pickle
import zipfile

import torch

from core.errors import CodedError
from core.model import ARCHITECTURES, Tudui


class CheckpointError(CodedError, ValueError):
    """A checkpoint that cannot be loaded: full_pickle, not_checkpoint, not_state_dict or mismatch."""


def read_state_dict(data: bytes) -> dict[str, torch.Tensor]:
    """The state_dict in an uploaded .pt / .pth file (also inside {"model": …} or {"state_dict": …})."""
    try:
        obj = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        refused = [line.strip() for line in str(err).splitlines() if "GLOBAL" in line]  # a class or function it would call
        if not refused:  # not a torch file at all ("invalid load key", …)
            raise CheckpointError("not_checkpoint") from None
        raise CheckpointError("full_pickle", detail=refused[0][:200]) from None
    except (RuntimeError, EOFError, ValueError, OSError, zipfile.BadZipFile, KeyError, AttributeError):
        raise CheckpointError("not_checkpoint") from None
    if isinstance(obj, dict):
        for wrapper in ("state_dict", "model"):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError("not_state_dict", kind=type(obj).__name__)
    return obj


def differences(state: dict[str, torch.Tensor], arch: str) -> dict[str, list[str]]:
    """What keeps ``state`` from loading into Tudui(arch): missing keys, unexpected keys, shapes that differ."""
    expected = Tudui(arch).state_dict()
    return {
        "missing": [k for k in expected if k not in state],
        "unexpected": [k for k in state if k not in expected],
        "shapes": [f"{k}: {list(state[k].shape)} ≠ {list(v.shape)}" for k, v in expected.items()
                   if k in state and state[k].shape != v.shape],
    }


def guess_architecture(state: dict[str, torch.Tensor]) -> str | None:
    """The architecture whose keys and shapes match exactly, if one does."""
    for arch in ARCHITECTURES:
        if not any(differences(state, arch).values()):
            return arch
    return None


def build(state: dict[str, torch.Tensor], arch: str) -> Tudui:
    """Tudui(arch) with these weights, in eval mode; a mismatch names what differs."""
    diff = differences(state, arch)
    if any(diff.values()):
        raise CheckpointError("mismatch", arch=arch, **{k: ", ".join(v[:6]) + (" …" if len(v) > 6 else "") or "—"
                                                       for k, v in diff.items()})
    model = Tudui(arch)
    model.load_state_dict(state)
    return model.eval()
