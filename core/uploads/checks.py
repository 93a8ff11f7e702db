"""What a data set's zip may hold, member by member: images that decode, and the course's label ``.txt`` files.

Run by ``zips.unpack`` on each member's bytes before anything is written. An image is opened only in the
formats the data pages read, its size read from the header and refused above MAX_PIXELS before a pixel is
decoded (Pillow's own decompression-bomb error, for far larger ones, is caught as "not an image"), then decoded
whole, so a file cut short is refused here and not in the middle of a DataLoader batch.
"""
from __future__ import annotations

import io
from pathlib import PurePosixPath

from PIL import Image

from core.data.paths import IMAGE_SUFFIXES, UNREADABLE
from core.uploads.zips import UploadError

FORMATS = ("JPEG", "PNG", "BMP", "GIF", "WEBP")
MAX_PIXELS = 4096 * 4096  # a data set's image; a class's photos from a phone are resized before zipping
MAX_LABEL_BYTES = 1024    # a label file holds a class name


def image(name: PurePosixPath, data: bytes) -> tuple[int, int]:
    """The image's (width, height), or ``not_image`` / ``image_too_large``."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            width, height = im.size
            if width * height <= MAX_PIXELS:
                im.load()
    except UNREADABLE:
        raise UploadError("not_image", name=str(name)) from None
    if width * height > MAX_PIXELS:
        raise UploadError("image_too_large", name=str(name), width=width, height=height, mp=MAX_PIXELS // 1_000_000)
    return width, height


def label(name: PurePosixPath, data: bytes) -> str:
    """A label file's class name, or ``bad_label``: UTF-8 text of a line or so."""
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise UploadError("bad_label", name=str(name)) from None
    if len(data) > MAX_LABEL_BYTES or not text or "\n" in text:
        raise UploadError("bad_label", name=str(name))
    return text


def images_and_labels(name: PurePosixPath, data: bytes) -> None:
    """A data set's member: an image (``image``) or a label ``.txt`` (``label``); anything else is refused."""
    suffix = name.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        image(name, data)
    elif suffix == ".txt":
        label(name, data)
    else:
        raise UploadError("not_image", name=str(name))
