"""Uploads: every kind of odd or hostile file becomes an RGB image with a note, or a clear error code."""
import numpy as np
import pytest
from PIL import Image

from core.data import images

from conftest import encode


def test_plain_jpeg_opens_as_rgb_without_notes(photo):
    loaded = images.open_image(encode(photo, "JPEG"))
    assert loaded.image.mode == "RGB" and loaded.image.size == (64, 48) and loaded.notes == []


@pytest.mark.parametrize("data", [b"", b"hello, I am not a picture", b"\x89PNG\r\n\x1a\n" + b"\0" * 20,
                                  b"%PDF-1.4 fake pdf"])
def test_non_images_are_refused(data):
    with pytest.raises(images.ImageError) as err:
        images.open_image(data)
    assert err.value.code == "not_image"


def test_truncated_image_is_refused(photo):
    data = encode(photo.resize((640, 480)), "JPEG")
    with pytest.raises(images.ImageError) as err:
        images.open_image(data[: len(data) // 3])
    assert err.value.code == "truncated"


def test_decompression_bomb_is_refused_before_decoding():
    bomb = encode(Image.new("L", (10_000, 10_000)), "PNG")  # 100 MP of zeros compress to ~100 kB
    assert len(bomb) < 200_000
    with pytest.raises(images.ImageError) as err:
        images.open_image(bomb)
    assert err.value.code == "too_many_pixels"


def test_animated_gif_uses_the_first_frame():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = images.open_image(data)
    assert ("animated", {"frames": 3}) in loaded.notes
    assert loaded.image.getpixel((5, 5)) == (255, 0, 0)


def test_cmyk_jpeg_is_converted(photo):
    loaded = images.open_image(encode(photo.convert("CMYK"), "JPEG"))
    assert loaded.mode == "CMYK" and loaded.image.mode == "RGB"
    assert ("converted", {"mode": "CMYK"}) in loaded.notes


def test_16_bit_png_is_scaled_not_clipped():
    ramp = (np.arange(256 * 4, dtype=np.uint16).reshape(4, 256) * 64).astype(np.uint16)  # 0 … 65472
    loaded = images.open_image(encode(Image.fromarray(ramp), "PNG"))
    assert loaded.notes[0][0] == "high_bit_depth"
    values = np.asarray(loaded.image)[..., 0]
    assert values.min() == 0 and values.max() >= 254  # clipping would give 255 almost everywhere
    assert len(np.unique(values)) > 200


def test_grayscale_and_rgba_png_become_rgb(photo):
    gray = images.open_image(encode(photo.convert("L"), "PNG"))
    assert gray.image.mode == "RGB" and ("converted", {"mode": "L"}) in gray.notes
    rgba = images.open_image(encode(photo.convert("RGBA"), "PNG"))
    assert rgba.image.mode == "RGB" and ("converted", {"mode": "RGBA"}) in rgba.notes


def test_one_pixel_image_opens_with_a_note():
    loaded = images.open_image(encode(Image.new("RGB", (1, 1), "white"), "PNG"))
    assert loaded.image.size == (1, 1) and loaded.notes == [("tiny", {"width": 1, "height": 1})]


def test_exif_rotation_is_applied(photo):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    loaded = images.open_image(encode(photo, "JPEG", exif=exif))
    assert loaded.image.size == (48, 64) and ("rotated", {}) in loaded.notes


def test_other_formats_are_refused(photo):
    with pytest.raises(images.ImageError) as err:
        images.open_image(encode(photo, "TIFF"))
    assert err.value.code == "unsupported_format"


def test_samples_and_fit():
    assert images.samples() == ["cat", "coffee", "rocket"]
    cat = images.sample("cat")
    assert cat.mode == "RGB" and cat.size == (451, 300)
    assert max(images.fit(cat, 160).size) == 160 and images.fit(cat, 1000) is cat


def test_a_40_megapixel_photo_opens_reduced_to_the_working_size():
    big = Image.new("RGB", (7744, 5168), (250, 250, 250))  # 40.0 MP, a phone camera's full resolution
    big.paste((200, 30, 30), (0, 0, 3872, 5168))            # left half red
    loaded = images.open_image(encode(big, "JPEG", quality=80))
    assert loaded.size == (7744, 5168) and max(loaded.image.size) == images.WORKING
    assert loaded.image.size == (1024, 683) and loaded.notes == [
        ("reduced", {"width": 7744, "height": 5168, "longest": images.WORKING})]
    left, right = loaded.image.getpixel((100, 300)), loaded.image.getpixel((900, 300))
    assert left[0] > 150 > left[1] and min(right) > 230


def test_the_limit_is_checked_from_the_header():
    over = encode(Image.new("L", (8000, 6500)), "PNG")  # 52 MP: PIL itself would only warn
    with pytest.raises(images.ImageError) as err:
        images.open_image(over)
    assert err.value.code == "too_many_pixels" and err.value.params == {"limit": images.MAX_PIXELS // 1_000_000}


def test_to_uint8_matches_a_hand_conversion():
    import torch

    x = torch.tensor([[[0.0, 0.5], [1.0, 1.2]]]).repeat(3, 1, 1)
    assert images.to_uint8(x).shape == (2, 2, 3) and images.to_uint8(x[None]).shape == (1, 2, 2, 3)
    assert images.to_uint8(x)[..., 0].tolist() == [[0, 128], [255, 255]]
