"""Opening images from users safely, and the bundled sample photos.

Uploads are untrusted: a file may not be an image at all, be cut short, be a
decompression bomb (a tiny file that claims 50,000 × 50,000 pixels), be animated,
CMYK, 16-bit, or carry an EXIF rotation. ``open_image`` turns each case into an
RGB image plus notes the page shows, or an ``ImageError`` with a message code;
it never lets PIL raise into a page.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import CodedError

SAMPLES = Path(__file__).resolve().parent.parent / "assets" / "samples"
UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp", "bmp", "gif")
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "BMP", "GIF"}
MAX_PIXELS = 40_000_000  # checked from the header, before any pixel is decoded


class ImageError(CodedError, ValueError):
    """An upload that cannot be used as an image."""


@dataclass
class Loaded:
    image: Image.Image                      # RGB, upright, first frame
    format: str
    mode: str                               # the mode as stored in the file
    size: tuple[int, int]                   # (width, height) as stored
    notes: list[tuple[str, dict]] = field(default_factory=list)


def _to_8bit(im: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale scaled into 0–255; PIL's convert('L') would clip instead."""
    a = np.asarray(im, dtype=np.float64)
    top = 65535.0 if im.mode.startswith("I;16") else max(float(a.max()), 1.0)
    return Image.fromarray(np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8))


def open_image(data: bytes) -> Loaded:
    """An RGB image from untrusted bytes, with notes on what was converted."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("too_many_pixels", limit=MAX_PIXELS // 1_000_000) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageError("not_image") from None
    if im.format not in FORMATS:
        raise ImageError("unsupported_format", format=im.format or "?")
    width, height = im.size
    if width * height > MAX_PIXELS:
        raise ImageError("too_many_pixels", limit=MAX_PIXELS // 1_000_000)
    loaded = Loaded(im, im.format, im.mode, im.size)
    frames = getattr(im, "n_frames", 1)
    try:
        if frames > 1:
            im.seek(0)
            loaded.notes.append(("animated", {"frames": frames}))
        im.load()
        orientation = im.getexif().get(0x0112)
        im = ImageOps.exif_transpose(im)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageError("truncated") from None
    if orientation not in (None, 1):
        loaded.notes.append(("rotated", {}))
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        loaded.notes.append(("high_bit_depth", {"mode": im.mode}))
        im = _to_8bit(im)
    if im.mode != "RGB":
        loaded.notes.append(("converted", {"mode": loaded.mode}))
        im = im.convert("RGB")
    if min(im.size) < 8:
        loaded.notes.append(("tiny", {"width": im.size[0], "height": im.size[1]}))
    loaded.image = im
    return loaded


def samples() -> list[str]:
    """Names of the bundled sample photos (see assets/CREDITS.md)."""
    return sorted(p.stem for p in SAMPLES.glob("*.jpg"))


def sample(name: str) -> Image.Image:
    """A bundled sample photo as RGB."""
    if name not in samples():
        raise ImageError("not_image")
    with Image.open(SAMPLES / f"{name}.jpg") as im:
        return im.convert("RGB")


def fit(im: Image.Image, longest: int) -> Image.Image:
    """Scaled down so the longer side is at most ``longest`` pixels (never up)."""
    scale = longest / max(im.size)
    if scale >= 1:
        return im
    return im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.BILINEAR)
