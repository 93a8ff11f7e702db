"""Checkpoint files as tests need them: what torch.save writes, a pickle that would run a command, a zip bomb."""
import io
import os
import zipfile

import torch

from core.model import Tudui


def saved(obj, **kwargs) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


class Hostile:
    """Unpickling this would create a file: torch.load(weights_only=True) must refuse it without running it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def deflated_bomb(declared_mb: int) -> bytes:
    """A real torch.save zip whose first tensor's entry is replaced by ``declared_mb`` MB of zeros, deflated."""
    source = zipfile.ZipFile(io.BytesIO(saved(Tudui("course").state_dict())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bomb:
        for entry in source.infolist():
            if entry.filename.endswith("/data/0"):
                info = zipfile.ZipInfo(entry.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with bomb.open(info, "w", force_zip64=True) as f:
                    zeros = bytes(2**20)
                    for _ in range(declared_mb):
                        f.write(zeros)
            else:
                bomb.writestr(entry, source.read(entry))
    return out.getvalue()
