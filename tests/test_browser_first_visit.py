"""Real browser, a phone (420 px, a phone's User-Agent) and a desktop (1400 px): what a first visit sees.

The home page's first screen holds the language switch and chapter 1's link, and the course's order comes before the
cards; the multi-channel animation's grids get cells a phone can read, every number inside its cell.
"""
import pytest

from core import i18n

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, exceptions, settle

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

SCREEN_H = 900
# (language, width): the phone in Chinese, the learners' language; the desktop in English, the longer texts
SCREENS = [("zh", 420), ("en", 1400)]
# the course's matrix and a photo's pixels (0–255, the longest numbers); groups=3 is checked in tests/test_viz.py
CHANNEL_LINKS = {"channels": "view=channels", "photo": "view=channels&input=photo&sample=rocket&top=4&left=30"}
SIDEWAYS = "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    env = {"DATA_DIR": str(tmp_path_factory.mktemp("data")), "RUNS_DIR": str(tmp_path_factory.mktemp("runs"))}
    with app_in_chromium(env) as served:
        yield served


def open_screen(app, width: int):
    _, browser = app
    agent = {"user_agent": PHONE_AGENT} if width < 800 else {}
    return browser.new_page(viewport={"width": width, "height": SCREEN_H}, **agent)


def on_first_screen(box: dict | None, width: int) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_H and box["x"] + box["width"] <= width


@pytest.mark.parametrize(("lang", "width"), SCREENS)
def test_home_shows_the_switch_and_chapter_one_on_the_first_screen(app, lang, width):
    url, _ = app
    page = open_screen(app, width)
    try:
        page.goto(f"{url}/?lang={lang}")
        settle(page, last='[data-testid="stPageLink"]')
        assert exceptions(page) == [] and page.evaluate(SIDEWAYS) <= 1
        page.screenshot(path=str(SCREENSHOTS / f"first_visit_home_{lang}_{width}.png"))
        other = "English" if lang == "zh" else "中文"
        switch = page.locator('[data-testid="stMain"]').get_by_role("radio", name=other)
        assert on_first_screen(switch.bounding_box(), width), "the language switch is not on the first screen"
        start = page.locator('.st-key-start_here [data-testid="stPageLink"]')
        assert on_first_screen(start.bounding_box(), width), "chapter 1's link is not on the first screen"
        assert start.inner_text().strip().endswith(i18n.t("data.title", lang))
        last_chapter = page.locator(".st-key-chapter_validation").bounding_box()
        cards = page.get_by_role("heading", name=i18n.t("home_start.all_pages", lang)).bounding_box()
        assert last_chapter["y"] < cards["y"], "the course's order comes after the cards"
        switch.click()
        settle(page)
        new = "en" if lang == "zh" else "zh"
        assert page.locator("h1").first.inner_text().strip() == i18n.t("home.title_long", new)
        assert f"lang={new}" in page.url and i18n.t("home_start.purpose", new) in page.inner_text('[data-testid="stMain"]')
    finally:
        page.close()


# Every number's box, as the browser draws it, against its cell's width and height on screen (Plotly's px per unit)
CELLS = """gd => {
  const cell = gd._fullLayout.xaxis._m, tall = Math.abs(gd._fullLayout.yaxis._m);
  return {cell, tall, texts: Array.from(gd.querySelectorAll('g.heatmaplayer text')).filter(t => t.textContent)
    .map(t => { const b = t.getBBox(); return [t.textContent, b.width, b.height]; })};
}"""


@pytest.mark.parametrize(("lang", "width"), SCREENS)
def test_multi_channel_numbers_fit_cells_a_phone_can_read(app, lang, width):
    url, _ = app
    page = open_screen(app, width)
    links = CHANNEL_LINKS if width < 800 else {"photo": CHANNEL_LINKS["photo"]}
    try:
        for name, link in links.items():
            page.goto(f"{url}/conv?{link}&lang={lang}")
            settle(page)
            assert exceptions(page) == [] and page.evaluate(SIDEWAYS) <= 1, name
            chart = page.locator('[data-testid="stMain"] .js-plotly-plot').last
            chart.locator(".updatemenu-button").first.wait_for()
            chart.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"first_visit_{name}_{lang}_{width}.png"))
            drawn = chart.evaluate(CELLS)
            assert drawn["cell"] >= 29, f"{name}: cells of {drawn['cell']:.0f} px"
            too_wide = [(text, round(w)) for text, w, h in drawn["texts"] if w > drawn["cell"] - 2 or h > drawn["tall"]]
            assert too_wide == [], f"{name}: numbers wider than their {drawn['cell']:.0f} px cells"
            box = chart.bounding_box()
            assert box["x"] + box["width"] <= width, name
    finally:
        page.close()
