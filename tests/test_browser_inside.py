"""Real browser, inside the trained network on Classify: a click on a conv2 cell opens its 32 channels'
calculation, a click on a confusion cell its test images; at 1400 px and on a 420 px phone, in English and Chinese."""
from contextlib import contextmanager

import pytest

from core import i18n

from browser import PHONE_AGENT, ROOT, SCREENSHOTS, app_in_chromium, click_cell, confusion_cell, exceptions, settle

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

SCREENS = {"desktop": ({"width": 1400, "height": 1600}, None), "phone": ({"width": 420, "height": 900}, PHONE_AGENT)}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with an empty data directory (the bundled sample) and no runs."""
    env = {"DATA_DIR": str(tmp_path_factory.mktemp("data")), "RUNS_DIR": str(tmp_path_factory.mktemp("runs"))}
    with app_in_chromium(env) as app:
        yield app


@contextmanager
def opened(app, path: str, screen: str, last: str = ".st-key-cls_receptive .js-plotly-plot"):
    url, browser = app
    viewport, agent = SCREENS[screen]
    page = browser.new_page(viewport=viewport, user_agent=agent) if agent else browser.new_page(viewport=viewport)
    try:
        page.goto(url + path)
        settle(page, last=last)
        yield page
    finally:
        page.close()


def pick_option(page, label: str, option: str) -> None:
    """Open the selectbox and take the option; a click that came while the page was still drawing left the list shut
    at times on a phone, so it is clicked again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # here: where playwright is missing, a skip

    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("input")
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.scroll_into_view_if_needed()
        box.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.click()
    settle(page, last=".st-key-cls_receptive .js-plotly-plot")


def chart_annotations(page, key: str) -> int:
    chart = page.locator(f".st-key-{key} .js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    return chart.evaluate("gd => (gd.layout.annotations || []).length")


@pytest.mark.parametrize(("screen", "lang"), [("desktop", "en"), ("phone", "zh")])
def test_a_conv2_cell_opens_its_32_channels(app, screen, lang):
    with opened(app, f"/classify?lang={lang}", screen) as page:
        pick_option(page, i18n.t("cls.layer", lang), "model[2] Conv2d → [32, 16, 16]")
        chart = page.locator(".st-key-cls_receptive .js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        click_cell(page, chart, "map", 3, 5)
        title = i18n.t("neuron.title", lang, c=0, row=3, col=5)
        page.get_by_text(title).first.wait_for(timeout=30_000)
        assert chart_annotations(page, "cls_neuron_channels") == 32
        assert exceptions(page) == []
        page.locator(".st-key-cls_neuron .js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"classify_neuron_{screen}_{lang}.png"))
        page.locator(".st-key-cls_neuron_channels .js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"classify_neuron_channels_{screen}_{lang}.png"))


@pytest.mark.parametrize(("screen", "lang"), [("desktop", "en"), ("phone", "zh")])
def test_a_confusion_cell_opens_its_images(app, screen, lang):
    """The bundled sample's test split under the shipped course model: cat (3) taken for dog (5)."""
    from core.data import tensors
    from core.inference import infer, weights

    model, card = weights.load("course")
    audit = infer.audit(model, tensors.load_split(ROOT / "assets" / "cifar10-sample", "test"), card.mean, card.std)
    expected = len(audit.cell(3, 5))
    assert expected > 0
    with opened(app, f"/classify?lang={lang}&view=audit", screen, last=".st-key-cls_confusion .js-plotly-plot") as page:
        page.mouse.click(*confusion_cell(page, "cls_confusion", 3, 5))
        page.wait_for_timeout(600)
        settle(page, last=".st-key-cls_confusion_images .js-plotly-plot")
        names = [i18n.t(f"classes.{c}", lang) for c in ("cat", "dog")]
        assert f"{names[0]} → {names[1]}" in page.inner_text('[data-testid="stMain"]')
        images = page.locator(".st-key-cls_confusion_images .js-plotly-plot").first
        assert images.evaluate("gd => gd.layout.annotations.length") == min(expected, 24)  # a caption per image
        assert exceptions(page) == []
        images.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"classify_confusion_{screen}_{lang}.png"))
