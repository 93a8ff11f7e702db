"""Every photo path of the explainer pages takes every image the uploader accepts: odd sizes, CMYK, GIF, 16-bit."""
import io

import numpy as np
import pytest
from PIL import Image

from core import i18n

from conftest import encode
from pagetest import open_page


def odd_images() -> dict[str, tuple[bytes, str]]:
    rng = np.random.default_rng(0)
    colour = Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8))
    frames = [Image.new("RGB", (30, 20), c) for c in ((255, 0, 0), (0, 255, 0))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    deep = Image.fromarray((rng.integers(0, 65536, (24, 32))).astype(np.uint16))
    return {
        "1x1.png": (encode(Image.new("RGB", (1, 1), (9, 99, 199)), "PNG"), "image/png"),
        "1x10000.png": (encode(Image.new("RGB", (1, 10000), (200, 50, 50)), "PNG"), "image/png"),
        "10000x1.png": (encode(Image.new("RGB", (10000, 1), (50, 200, 50)), "PNG"), "image/png"),
        "cmyk.jpg": (encode(colour.convert("CMYK"), "JPEG"), "image/jpeg"),
        "animated.gif": (gif.getvalue(), "image/gif"),
        "16bit.png": (encode(deep, "PNG"), "image/png"),
    }


IMAGES = odd_images()
# (page, query parameters that open the photo path, the photo picker's key)
PATHS = [("conv", {"view": "photo"}, "conv_photo"), ("pool", {}, "pool_photo"), ("layers", {}, "act_photo")] + [
    ("transforms", {"view": v}, "tf_photo") for v in ("to_tensor", "normalize", "resize", "crop", "compose")]


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("slug, params, key", PATHS, ids=[f"{p[0]}-{p[1].get('view', '')}" for p in PATHS])
def test_every_photo_path_takes_every_accepted_image(slug, params, key, name):
    at = open_page(slug, "en", **params)
    at.segmented_control(key=f"{key}_source").set_value("upload").run()
    content, mime = IMAGES[name]
    at.file_uploader(key=f"{key}_upload").set_value((name, content, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = len(at.get("image")) + len(at.get("plotly_chart")) + len(at.warning) + len(at.error)
    assert shown, "the page shows a picture or says why not"


# (page, query parameters, picker key, the longer side the page works at, whether its code runs on the photo)
SIZES = [("conv", {"view": "photo"}, "conv_photo", 160, False), ("pool", {}, "pool_photo", 240, False),
         ("transforms", {"view": "resize"}, "tf_photo", 1024, True), ("classify", {}, "cls_photo", 1024, True)]


@pytest.mark.parametrize("slug, params, key, longest, runs_code", SIZES, ids=[s[0] for s in SIZES])
def test_a_large_photo_s_note_names_the_size_this_page_works_at(slug, params, key, longest, runs_code):
    at = open_page(slug, "zh", **params)
    at.segmented_control(key=f"{key}_source").set_value("upload").run()
    at.file_uploader(key=f"{key}_upload").set_value(("big.png", encode(Image.new("RGB", (2000, 1500)), "PNG"),
                                                     "image/png")).run()
    note = "reduced_code" if runs_code else "reduced"
    assert i18n.t(f"image_note.{note}", "zh", width=2000, height=1500, longest=longest) in [i.value for i in at.info]
