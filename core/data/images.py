"""Opening images from users safely, and the bundled sample photos.

Uploads are untrusted: a file may not be an image at all, be cut short, be a
decompression bomb (a tiny file that claims 50,000 × 50,000 pixels), be animated,
CMYK, 16-bit, or carry an EXIF rotation. ``open_image`` turns each case into an
RGB image plus notes the page shows, or an ``ImageError`` with a message code;
it never lets PIL raise into a page.

Memory stays bounded when a class uploads phone photos at once: the size is read
from the header and more than MAX_PIXELS is refused before any pixel is decoded; a
JPEG is decoded at 1/2, 1/4 or 1/8 scale straight away (PIL's draft mode); every
photo is reduced to WORKING pixels on its longer side, the most any page uses; and
at most DECODERS full decodes run at once (a 40 MP PNG takes ~160 MB while it
decodes, ~3 MB once reduced; it is never copied at full size). After a large decode, the C allocator is asked to give
the freed memory back (glibc's malloc_trim): without it, decoding four 40 MP PNGs in
session threads left the process ~700 MB larger for good (per-thread malloc arenas keep
what they freed; benchmarks/soak.py).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import CodedError, ErrorKind

if TYPE_CHECKING:  # torch is not imported here: the first page draws before it is loaded (core/preload.py)
    import torch

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp", "bmp", "gif")
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "BMP", "GIF"}
MAX_PIXELS = 50_000_000  # checked from the header, before any pixel is decoded: a 40 MP phone photo passes
WORKING = 1024           # the longer side an upload is reduced to
DECODERS = 1             # full-resolution decodes at once, whatever the number of sessions (two 40 MP PNGs
                         # decoding together put the soak's peak over 1.5 GB)

# Set once at import, for the whole process: PIL refuses beyond twice this at open; the warning it gives
# between once and twice is ours to turn into a message (the check in open_image), not a log line.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
_DECODING = threading.BoundedSemaphore(DECODERS)
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None)
LARGE = 4_000_000  # pixels: above this, a decode's memory is handed back to the system once it is freed


TRIM_EVERY_S = 15.0       # after a large upload, how often its freed memory is looked for and handed back …
TRIM_FOR_S = 300.0        # … and for how long: Streamlit drops a closed tab's files two minutes after it goes
_trimmer = threading.Lock()
_last_large = [0.0]       # when the last large upload was decoded (time.monotonic)


def _trim() -> None:
    """glibc's malloc_trim(0): return free heap memory of every arena to the system (absent elsewhere: nothing)."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def _keep_trimming() -> None:
    while True:
        time.sleep(TRIM_EVERY_S)
        if time.monotonic() - _last_large[0] < TRIM_FOR_S:
            gc.collect()   # a closed session's cycles (its figures, its upload's buffers) first, then their memory
            _trim()


def _give_back_memory() -> None:
    """Hand freed memory back now, and from now on every TRIM_EVERY_S seconds, once per process.

    Much of an upload is freed later than its decode: the page's run ends, Streamlit drops a closed tab's
    files two minutes after it goes. Without the later collections and trims the soak's server stayed
    ~450 MB above idle after every session had gone (+56 MB with them). The thread is the server's own
    housekeeping, started by the first large upload. A full gc.collect() holds the interpreter lock for
    ~180 ms with PyTorch loaded, so it runs only in the TRIM_FOR_S after a large upload, not forever.
    """
    _last_large[0] = time.monotonic()
    _trim()
    if _trimmer.acquire(blocking=False):
        threading.Thread(target=_keep_trimming, name="malloc-trim", daemon=True).start()


class ImageError(CodedError, ValueError):
    """An upload that cannot be used as an image."""

    kind = ErrorKind.IMAGE


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


def _rgb(im: Image.Image, loaded: Loaded) -> Image.Image:
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        loaded.notes.append(("high_bit_depth", {"mode": im.mode}))
        im = _to_8bit(im)
    if im.mode != "RGB":
        loaded.notes.append(("converted", {"mode": loaded.mode}))
        im = im.convert("RGB")
    return im


def _reduce(im: Image.Image, longest: int, loaded: Loaded) -> Image.Image:
    """At most ``longest`` pixels on the longer side: a fast box reduction first, then bilinear."""
    width, height = loaded.size
    if max(width, height) <= longest:
        return im
    loaded.notes.append(("reduced", {"width": width, "height": height, "longest": longest}))
    factor = max(im.size) // (2 * longest)
    return fit(im.reduce(factor) if factor >= 2 else im, longest)


def open_image(data: bytes, longest: int = WORKING) -> Loaded:
    """An RGB image from untrusted bytes, at most ``longest`` pixels on its longer side, with notes on what changed."""
    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
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
        if im.format in ("JPEG", "MPO") and max(width, height) > longest:
            scale = longest / max(width, height)
            im.draft(None, (max(1, round(width * scale)), max(1, round(height * scale))))
        with _DECODING:
            im.load()
            orientation = im.getexif().get(0x0112)
            ImageOps.exif_transpose(im, in_place=True)  # in place: otherwise an upright photo is copied whole
            im = _reduce(_rgb(im, loaded), longest, loaded)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageError("truncated") from None
    finally:
        if width * height > LARGE:
            loaded.image = None  # the full-size image: freed before the allocator is asked to give memory back
            _give_back_memory()
    if orientation not in (None, 1):
        loaded.notes.append(("rotated", {}))
    if min(im.size) < 8:
        loaded.notes.append(("tiny", {"width": im.size[0], "height": im.size[1]}))
    loaded.image = im
    return loaded


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Images as ToTensor gives them ([C, H, W] or [N, C, H, W], 0–1) as uint8 pixels, channels last, for display."""
    return (x.detach().clamp(0, 1).movedim(-3, -1).cpu().numpy() * 255 + 0.5).astype(np.uint8)


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
