"""Shared fixtures: images made on the fly for the bad-input tests."""
import io

import numpy as np
import pytest
from PIL import Image


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


@pytest.fixture
def photo() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8))
