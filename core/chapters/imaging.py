"""Around ToTensor in the course: a class's ``__call__`` (why ``tensor_trans(img)`` works), ``ToPILImage`` back, and
an image read by OpenCV against PIL.

OpenCV is not a dependency of the app (a large wheel for one comparison), so ``cv2.imread`` is shown and not run;
what it returns is computed here from PIL's pixels: the same H × W × C uint8 array with its channels reversed
(B, G, R). ToTensor keeps whatever order it is given, which is the trap: channel 0 is then blue.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from torchvision import transforms

from core import i18n
from core.code.render import render


@dataclass(frozen=True)
class Reading:
    rgb: np.ndarray          # np.asarray(PIL image): H × W × C, uint8, R, G, B
    bgr: np.ndarray          # what cv2.imread gives: the same, B, G, R
    round_trip: Image.Image  # ToPILImage()(ToTensor()(img))
    same: bool               # whether the round trip gave the very pixels back


def read(photo: Image.Image) -> Reading:
    """The photo as PIL and as OpenCV read it, and ToTensor then ToPILImage."""
    rgb = np.asarray(photo.convert("RGB"))
    back = transforms.ToPILImage()(transforms.ToTensor()(photo.convert("RGB")))
    return Reading(rgb, rgb[:, :, ::-1], back, bool(np.array_equal(np.asarray(back), rgb)))


def printed(r: Reading) -> str:
    """What ``snippet`` prints, from the page's own arrays."""
    channels = transforms.ToTensor()(r.bgr.copy())[:, 0, 0]
    return "\n".join([f"Image {r.round_trip.mode} {r.round_trip.size}", str(r.same),
                      f"{r.rgb.shape} {r.rgb.dtype} {r.rgb[0, 0]}", f"{r.bgr.shape} {r.bgr.dtype} {r.bgr[0, 0]}",
                      str(channels)])


def snippet(path: str, lang: str = i18n.DEFAULT) -> str:
    """ToPILImage back from a tensor, and PIL's array beside the one cv2.imread returns (made with numpy)."""
    return render("imaging", lang, path=repr(path))


def cv2_snippet(path: str, lang: str = i18n.DEFAULT) -> str:
    """The course's OpenCV reading, shown without running (OpenCV is not installed here)."""
    return render("imaging_cv2", lang, path=repr(path))


def call_snippet(lang: str = i18n.DEFAULT) -> str:
    """The course's Person class: what ``__call__`` does, and why a transform is called like a function."""
    return render("imaging_call", lang)
