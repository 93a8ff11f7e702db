"""Real browser: deep links route to their page in their language, the animations play and answer clicks,
the language switch works, a link reproduces a view."""
import re

import pytest

from core import i18n

from browser import (
    PHONE_AGENT,
    SCREENSHOTS,
    animation,
    app_in_chromium,
    assert_routed,
    cell_centre,
    click_cell,
    exceptions,
    grid_gaps,
    open_tab,
    settle,
    step_label,
    streamlit_server,
)
from conftest import make_folder_dataset


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app under `streamlit run`: its data directory holds a small folder data set (3 classes, 1,200 training
    and 150 test images), its runs go to a temporary folder."""
    data_dir = tmp_path_factory.mktemp("data")
    make_folder_dataset(data_dir / "pets", per_class=(400, 50))
    with app_in_chromium({"DATA_DIR": str(data_dir), "RUNS_DIR": str(tmp_path_factory.mktemp("runs"))}) as app:
        yield app


BACK, PLAY, PAUSE, FORWARD = range(4)  # the animations' buttons, left to right


def press(page, chart, button: int) -> int:
    """Press one of the animation's buttons; the step shown after it."""
    chart.locator(".updatemenu-button").nth(button).click()
    page.wait_for_timeout(400)
    return step_label(chart)


def play_then_pause(page, chart) -> None:
    """Play for a while, then pause: the animation has moved past step 2 and stays where it was paused."""
    press(page, chart, PLAY)
    page.wait_for_timeout(2100)
    step = press(page, chart, PAUSE)
    assert step > 2
    page.wait_for_timeout(1200)
    assert step_label(chart) == step  # paused: it stays there


# (link, the formula at step 1, presses: (button, the step shown after it, its formula)); formulas as regexes
ANIMATIONS = {
    "conv": ("/conv?lang=en", r"1×1 \+ 2×2 .*= 10$", [(FORWARD, 2, r"= 12$"), (FORWARD, 3, r"= 12$"),
                                                      (BACK, 2, r"^2×1 \+ 0×2")]),
    "conv_transpose": ("/conv_transpose?lang=en&stride=2&padding=1&output_padding=1", r"^x\[0,0\] = 10out\[0,0\] \+= 10×1",
                       [(FORWARD, 2, r"^x\[0,1\] = 12out\[0,1\] \+= 12×0"),
                        (FORWARD, 3, r"^x\[0,2\] = 12out\[0,3\] \+= 12×0"),
                        (BACK, 2, r"^x\[0,1\] = 12out\[0,1\] \+= 12×0")]),
    "conv_channels": ("/conv?lang=en&view=channels",
                      r"^out\[0\]\[0,0\] = R: -?[\d.]+ \+ G: -?[\d.]+ \+ B: -?[\d.]+ \+ bias 1 = -?[\d.]+$",
                      [(FORWARD, 2, r"^out\[0\]\[0,1\]")]),
}


@pytest.mark.parametrize("name", ANIMATIONS)
def test_an_animation_steps_plays_and_pauses_in_the_browser(app, name):
    link, first, presses = ANIMATIONS[name]
    with open_tab(app, link) as page:
        chart = animation(page)
        formula = chart.locator("g.annotation-text-g").last

        def shows(pattern: str) -> bool:
            return re.search(pattern, formula.text_content().replace("−", "-")) is not None

        assert step_label(chart) == 1 and shows(first), formula.text_content()
        for button, step, pattern in presses:
            assert press(page, chart, button) == step and shows(pattern), formula.text_content()
        play_then_pause(page, chart)
        page.screenshot(path=str(SCREENSHOTS / f"{name}_playing.png"))


def blue_outlines(chart) -> int:
    return chart.evaluate("""gd => Array.from(gd.querySelectorAll('.layer-above .shapelayer path'))
        .filter(p => (p.style.stroke || '').replace(/ /g, '') === 'rgb(31,95,191)').length""")


def test_clicking_a_cell_ties_the_window_to_its_numbers(app):
    with open_tab(app, "/conv?lang=en") as page:
        chart = page.locator(".js-plotly-plot").first
        click_cell(page, chart, "output", 1, 2)  # output (1, 2): the 6th window of the course's 3×3 output
        chart = page.locator(".js-plotly-plot").first
        assert step_label(chart) == 6
        assert chart.locator("g.annotation-text-g").last.text_content().endswith("= 16")
        # the arrow from the window ends, on screen, at that output cell's left edge
        x, y = cell_centre(chart, "output", 1, 2)
        head = chart.locator("g.annotation-arrow-g").last.bounding_box()
        cell = chart.evaluate("gd => gd._fullLayout.xaxis._m")  # pixels per cell
        assert abs(head["x"] + head["width"] - (x - cell / 2)) < 4 and head["y"] - 6 < y < head["y"] + head["height"] + 6
        click_cell(page, chart, "input", 2, 2)  # the centre cell is read by all 9 windows
        chart = page.locator(".js-plotly-plot").first
        assert blue_outlines(chart) == 1 + 9
        assert "9" in page.get_by_text(re.compile("read by")).first.inner_text()
        click_cell(page, chart, "input", 0, 0)  # a corner is read by one window only
        chart = page.locator(".js-plotly-plot").first
        assert blue_outlines(chart) == 1 + 1
        page.screenshot(path=str(SCREENSHOTS / "conv_clicked.png"))


def test_a_feature_map_cell_shows_the_input_region_it_sees(app):
    with open_tab(app, "/classify?lang=en") as page:
        chart = page.locator(".st-key-cls_receptive .js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        assert "Cell (16, 16) sees input rows 14–18" in page.locator("body").inner_text()
        click_cell(page, chart, "map", 0, 0)
        assert "Cell (0, 0) sees input rows 0–2 and columns 0–2" in page.locator("body").inner_text()
        chart = page.locator(".st-key-cls_receptive .js-plotly-plot").first
        assert blue_outlines(chart) == 2   # the cell and its region
        chart.screenshot(path=str(SCREENSHOTS / "classify_receptive.png"))


def test_language_switch_rewrites_the_page_and_the_url(app):
    with open_tab(app, "/pool") as page:
        assert page.locator("h1").first.inner_text().strip() == "池化"
        page.locator('[data-testid="stMain"]').get_by_role("radio", name="English").click()
        settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Pooling"
        assert "lang=en" in page.url
        page.get_by_role("link", name=i18n.t("conv.title", "en"), exact=True).click()
        settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Convolution"
        assert "lang=en" in page.url and exceptions(page) == []


def test_data_page_pages_through_batches(app):
    with open_tab(app, "/data?lang=en&dataset=pets&split=test") as page:   # the data directory's set, not the sample
        page.get_by_role("tab", name="DataLoader").click()
        settle(page)
        assert "len(loader)" in page.inner_text('[data-testid="stMain"]')
        slider = page.locator('[data-testid="stSlider"]').filter(has_text=i18n.t("data.batch_index", "en"))
        assert slider.locator("input[type=range]").get_attribute("aria-valuetext") == "0"
        for expected in ("1", "2"):
            page.get_by_role("button", name=i18n.t("data.next", "en")).click()
            settle(page)
            assert slider.locator("input[type=range]").get_attribute("aria-valuetext") == expected
        main = page.inner_text('[data-testid="stMain"]')
        assert "torch.Size([22, 3, 32, 32])" in main  # 150 = 2 × 64 + 22: the last batch
        assert exceptions(page) == []
        page.screenshot(path=str(SCREENSHOTS / "data_batches.png"), full_page=True)


def uploads_held(url: str) -> float:
    """Bytes of uploads the server holds, by Streamlit's own account (/_stcore/metrics)."""
    import requests

    text = requests.get(f"{url}/_stcore/metrics", params={"families": "cache_memory_bytes"}, timeout=30).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("cache_memory_bytes{") and "UploadedFileManager" in line)


def test_classify_an_uploaded_photo(app, tmp_path):
    """The photo is classified; its bytes then leave the server (ui/uploads.py), yet it stays through the next
    rerun (another model) until the learner removes it with the uploader's ×."""
    from core.data import images

    photo = tmp_path / "my_cat.png"
    images.sample("cat").save(photo)
    prediction = re.compile("^Prediction: ")
    with open_tab(app, "/classify?lang=en") as page:
        page.get_by_role("radio", name=i18n.t("photo.upload", "en"), exact=True).click()
        settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
        page.get_by_role("heading", name=prediction).wait_for(timeout=60_000)
        settle(page)
        assert exceptions(page) == []
        bars = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .filter(p => p.data && p.data[0] && p.data[0].type === 'bar').map(p => p.data[0].y.length)""")
        assert bars and bars[0] == 10  # the probabilities of all ten classes
        page.screenshot(path=str(SCREENSHOTS / "classify_upload.png"), full_page=True)
        assert uploads_held(app[0]) < photo.stat().st_size
        page.get_by_role("radio", name=re.compile(re.escape(i18n.t("arch.bn_relu", "en")))).click()
        settle(page)
        assert page.get_by_role("heading", name=prediction).count() == 1 and exceptions(page) == []
        page.locator('[data-testid="stFileChipDeleteBtn"] button').click()
        page.get_by_text(i18n.t("photo.upload_hint", "en")).wait_for(timeout=30_000)
        assert page.get_by_role("heading", name=prediction).count() == 0


def slider_value(page, label: str) -> str:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    return slider.locator("input[type=range]").get_attribute("aria-valuetext")


OUTPUT = """() => Array.from(document.querySelectorAll('[data-testid="stCode"] pre'))
    .map(c => c.innerText.trim()).find(t => t.startsWith('tensor(')) || ''"""


def output_block(page) -> str:
    """The first printed tensor on the page (what the equivalent code prints), once it is there."""
    page.wait_for_function(f"({OUTPUT})() !== ''", timeout=60_000)
    return page.evaluate(OUTPUT)


def test_a_link_reproduces_the_view_and_the_url_follows_the_controls(app):
    with open_tab(app, "/conv?stride=2&padding=1&lang=en") as page:
        assert [slider_value(page, i18n.t(f"conv.{k}", "en")) for k in ("stride", "padding", "dilation")] == ["2", "1", "1"]
        assert output_block(page).startswith("tensor([[[[ 1,  4,  8],")  # F.conv2d(stride=2, padding=1) of the course
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text=i18n.t("conv.stride", "en")).first.locator(
            "input[type=range]")
        thumb.focus()
        thumb.press("ArrowRight")
        settle(page)
        assert "stride=3" in page.url and "padding=1" in page.url and "lang=en" in page.url
        printed = output_block(page)
        page.reload()
        settle(page)
        assert slider_value(page, i18n.t("conv.stride", "en")) == "3" and output_block(page) == printed
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.get_by_role("button", name=i18n.t("url.copy", "en")).click()
        page.get_by_role("button", name=i18n.t("url.copied", "en")).wait_for(timeout=5000)
        assert page.evaluate("navigator.clipboard.readText()") == page.url
        # the same name on another page is another setting; coming back restores this page's own
        page.get_by_role("link", name=i18n.t("pool.title", "en")).click()
        settle(page)
        assert "stride" not in page.url and exceptions(page) == []
        page.get_by_role("link", name=i18n.t("conv.title", "en"), exact=True).click()
        settle(page)
        assert "stride=3" in page.url and slider_value(page, i18n.t("conv.stride", "en")) == "3"


def test_bad_link_values_get_a_note_not_a_traceback(app):
    with open_tab(app, "/pool?stride=-3&kernel_size=x&mode=median&x=1,2;3&lang=zh") as page:
        assert exceptions(page) == []
        main = page.inner_text('[data-testid="stMain"]')
        assert main.count("链接里的") == 4
        assert "kernel_size" not in page.url and "mode=" not in page.url


MY_PAGES = ["conv", "pool", "conv_transpose", "layers", "transforms", "model"]


# A phone in Chinese and a desktop in English: the longer texts at the narrower width. The grids sit under their
# titles at both widths, with no blank band (the figure's height follows the cells' size on that screen); the
# desktop also opens the widest grids there are (9 × 9, padding 3, a 7 × 7 kernel).
@pytest.mark.parametrize(("lang", "width"), [("zh", 420), ("en", 1400)])
def test_explainer_pages_at_phone_and_desktop_width(app, lang, width):
    url, browser = app
    agent = {"user_agent": PHONE_AGENT} if width < 800 else {}
    page = browser.new_page(viewport={"width": width, "height": 900}, **agent)
    ones = lambda n: ";".join([",".join(["1"] * n)] * n)  # noqa: E731
    wide = [] if width < 800 else [f"conv?padding=3&x={ones(9)}&weight={ones(7)}"]
    try:
        for slug in MY_PAGES + wide:
            page.goto(f"{url}/{slug}{'&' if '?' in slug else '?'}lang={lang}")
            settle(page)
            assert exceptions(page) == []
            assert_routed(page, slug.split("?")[0], lang)
            assert all(gap < 60 for gap in grid_gaps(page)), f"{slug}: blank above the grids {grid_gaps(page)}"
            overflow = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMain"] img'))
                .filter(i => i.getBoundingClientRect().right > window.innerWidth + 1).length""")
            assert overflow == 0, f"{slug}: a picture pokes out of the screen"
            tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(tall, 12000)})  # the main area scrolls, not the page
            page.wait_for_timeout(300)  # Plotly redraws at the new size
            page.screenshot(path=str(SCREENSHOTS / f"{slug.split('?')[0]}{'_wide' if '?' in slug else ''}_{lang}_{width}.png"))
            page.set_viewport_size({"width": width, "height": 900})
    finally:
        page.close()


def test_the_first_page_after_a_server_start_is_never_blank(app):
    """A fresh server: the title, intro and controls are on screen while PyTorch is still loading, and a
    "loading PyTorch…" note holds the figure's place until it comes (benchmarks/first_page.py times it)."""
    _, browser = app  # the module's browser; the server is a new one, with nothing imported yet
    with streamlit_server() as (url, _):
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/conv?lang=en", wait_until="commit")
        page.locator(".st-key-loading-torch").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == i18n.t("conv.title", "en")
        page.locator('[data-testid="stSlider"]').nth(3).wait_for(timeout=10_000)  # the widgets' code loads lazily
        assert page.locator('[data-testid="stSlider"]').count() == 5  # stride, padding, dilation, speed, kernel_size
        assert i18n.t("app.loading_torch", "en") in page.inner_text('[data-testid="stMain"]'), "torch loaded already"
        assert page.locator(".js-plotly-plot").count() == 0
        page.locator('[data-testid="stMain"] .js-plotly-plot').first.wait_for(timeout=180_000)
        settle(page)
        assert page.locator(".st-key-loading-torch").count() == 0 and exceptions(page) == []
        page.close()


def test_a_photo_crop_s_channels_animate_with_pytorch_s_partial_sums(app, tmp_path):
    """``input=photo&top=12&left=18``: the photo shows the crop's one box, and the animation adds the R, G and B
    partial sums F.conv2d gives on that crop, channel by channel, stepping to the next output cell. An uploaded
    10000 × 1 photo (48 × 1 in the picker) has no room for the crop: a note says so, no traceback."""
    import torch
    import torch.nn.functional as F
    from PIL import Image
    from torchvision.transforms import functional as TF

    from core.basics import multichannel
    from core.data import images
    from core.viz import base

    crop = TF.crop(TF.pil_to_tensor(images.fit(images.sample(images.samples()[0]), 48)), 12, 18, 5, 5).float()
    weight = torch.tensor(multichannel.default_weight(2, 3, 3), dtype=torch.float32)
    partials = [F.conv2d(crop[None, c : c + 1], weight[:, c : c + 1])[0, 0] for c in range(3)]

    def formula(j: int) -> str:
        terms = " + ".join(f"{c}: {base.cell_text(p[0, j].item())}" for c, p in zip("RGB", partials))
        return f"out[0][0,{j}] = {terms} + bias 1 = {base.cell_text(sum(p[0, j].item() for p in partials) + 1)}"

    with open_tab(app, "/conv?lang=en&view=channels&input=photo&top=12&left=18") as page:
        photo, chart = page.locator(".js-plotly-plot").first, page.locator(".js-plotly-plot").nth(1)
        chart.locator(".updatemenu-button").first.wait_for(timeout=30_000)
        assert photo.locator("g.shapelayer path").count() == 1 and exceptions(page) == []
        shown = chart.locator("g.annotation-text-g").last
        assert shown.text_content().replace("−", "-") == formula(0)
        assert press(page, chart, FORWARD) == 2 and shown.text_content().replace("−", "-") == formula(1)
        page.screenshot(path=str(SCREENSHOTS / "conv_channels_photo.png"), full_page=True)
        Image.new("RGB", (10000, 1), (200, 30, 30)).save(tmp_path / "line.png")
        page.get_by_role("radio", name=i18n.t("photo.upload", "en"), exact=True).click()
        settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tmp_path / "line.png"))
        page.get_by_text(i18n.t("conv.crop_too_small", "en", width=48, height=1, size=5)).wait_for(timeout=30_000)
        assert exceptions(page) == [] and page.locator(".js-plotly-plot").count() == 0
