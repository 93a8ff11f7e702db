"""Real browser: photos of very different shapes one after another under widgets whose bounds follow the photo
(the browser keeps widget state that AppTest does not), a link's note where the learner sees it, the clicked cell in
the URL."""
import numpy as np
import pytest
from PIL import Image

from core import i18n

from browser import SCREENSHOTS, animation, app_in_chromium, click_cell, exceptions, open_tab, settle, step_label

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

SIZES = [(64, 48), (1, 1024), (1, 1), (48, 64)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_in_chromium({"DATA_DIR": str(tmp_path_factory.mktemp("data")),
                          "RUNS_DIR": str(tmp_path_factory.mktemp("runs"))}) as app:
        yield app


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> dict[tuple[int, int], str]:
    folder = tmp_path_factory.mktemp("photos")
    paths = {}
    for width, height in SIZES:
        y, x = np.mgrid[0:height, 0:width]
        pixels = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], axis=-1)
        paths[width, height] = str(folder / f"{width}x{height}.png")
        Image.fromarray(pixels.astype(np.uint8)).save(paths[width, height])
    return paths


def moved_notes(page) -> list[str]:
    return [c.inner_text() for c in page.locator('[data-testid="stCaptionContainer"]').all()
            if "fits here" in c.inner_text() or "超出了这里" in c.inner_text()]


def thumb(page, label: str):
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{label}"]').first


def slider_value(page, label: str) -> int:
    return int(thumb(page, label).input_value())


def slider_to_end(page, label: str) -> None:
    """The slider to its largest value, by the keyboard, as a learner may."""
    thumb(page, label).press("End")
    page.wait_for_timeout(400)
    settle(page)


def upload(page, path: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
    page.wait_for_timeout(400)
    settle(page)


def test_the_issue_s_steps_then_photos_of_every_shape(app, photos):
    """Sample photo → RandomCrop → a 64×48 upload → another tab and back: crop_size moved from 256 to 112 with a
    note (it was Streamlit's error page); then 1×1024 and 1×1 with the crop sliders at their largest."""
    with open_tab(app, "/transforms?lang=en") as page:
        crop_tab = i18n.t("tf.tab_crop", "en")
        page.get_by_role("tab", name=crop_tab).click()
        settle(page)
        assert slider_value(page, "size") == 256
        page.get_by_role("radio", name=i18n.t("photo.upload", "en"), exact=True).click()
        settle(page)
        upload(page, photos[64, 48])
        page.get_by_role("tab", name="ToTensor").click()
        settle(page)
        page.get_by_role("tab", name=crop_tab).click()
        settle(page)
        assert not exceptions(page)
        assert slider_value(page, "size") == 112 and "crop_size=112" in page.url
        for size in SIZES[1:3]:
            slider_to_end(page, "size")
            slider_to_end(page, "CenterCrop size")
            upload(page, photos[size])
            assert not exceptions(page), size
            page.get_by_role("tab", name="Resize").click()
            settle(page)
            page.get_by_role("tab", name=crop_tab).click()
            settle(page)
            assert not exceptions(page), size
            assert slider_value(page, "size") <= min(size) + 64
        assert slider_value(page, "size") == 65 and slider_value(page, "CenterCrop size") == 2  # 1×1: 16…65, 1…2
        page.screenshot(path=str(SCREENSHOTS / "bounds_transforms.png"), full_page=True)


def test_the_conv_crop_follows_a_smaller_photo(app, photos):
    with open_tab(app, "/conv?lang=zh&view=channels&input=photo") as page:
        for label in (i18n.t("conv.crop_top", "zh"), i18n.t("conv.crop_left", "zh")):
            slider_to_end(page, label)
        page.get_by_role("radio", name=i18n.t("photo.upload", "zh"), exact=True).click()
        settle(page)
        upload(page, photos[48, 64])  # the 48×32 sample's crop could start 43 from the left; this one, 31
        assert not exceptions(page)
        assert len(moved_notes(page)) == 1 and slider_value(page, i18n.t("conv.crop_left", "zh")) == 31


def test_a_bad_link_s_note_shows_above_the_closed_editor(app):
    with open_tab(app, "/conv?lang=en&kernel=nope", height=900) as page:
        note = page.get_by_text("kernel=nope")
        assert note.is_visible()
        editor = page.locator('[data-testid="stExpander"]').first
        assert note.bounding_box()["y"] < editor.bounding_box()["y"]


def test_a_clicked_cell_is_in_the_link_and_the_link_opens_its_step(app):
    url, _ = app
    with open_tab(app, "/pool?lang=en") as page:
        click_cell(page, animation(page), "output", 1, 1)
        assert "cell=output%3A1%2C1" in page.url or "cell=output:1,1" in page.url
        step = step_label(animation(page))
        with open_tab(app, page.url.removeprefix(url)) as again:  # the link, in a new tab
            assert step_label(animation(again)) == step == 4


def test_the_compose_editor_keeps_its_values_when_an_upload_is_replaced(app, photos):
    """The step editor's widgets are plain (their pipeline is one link value, ``compose=``), drawn from the step's
    own value on every run, so the run without a photo while an upload is replaced leaves nothing to snap back."""
    with open_tab(app, "/transforms?lang=en&view=compose") as page:
        page.get_by_role("radio", name=i18n.t("photo.upload", "en"), exact=True).click()
        settle(page)
        upload(page, photos[64, 48])
        editor = page.locator('[data-testid="stPopoverBody"]')
        page.locator('[data-testid="stPopover"] button').first.click()  # the first step, Resize((512, 512))
        editor.locator('input[type="checkbox"]').first.check(force=True)  # one integer
        settle(page)
        editor.locator('input[type="range"]').first.press("Home")
        page.wait_for_timeout(400)
        settle(page)
        page.keyboard.press("Escape")
        upload(page, photos[48, 64])
        assert not exceptions(page)
        code = [c.inner_text() for c in page.locator('[data-testid="stCode"]').all()]
        script = next(c for c in code if "Image.open" in c)
        assert code[0] == "transforms.Resize(8)" and "48x64.png" in script and "transforms.Resize(8)," in script
        page.locator('[data-testid="stPopover"] button').first.click()
        assert editor.locator('input[type="checkbox"]').first.is_checked()
        assert editor.locator('input[type="range"]').first.input_value() == "8"
