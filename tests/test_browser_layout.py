"""Real browser, a phone in Chinese (420 px): no page outside the explainers makes the screen scroll sideways, and
no figure of pictures or grids leaves a blank band above them (its height laid out for a desktop's width).

A code block or a table may scroll sideways inside its own box; nothing else may pass the right edge: not the page,
not the main area, not a chart, a button or a line of text.
"""

import pytest

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, assert_routed, exceptions, grid_gaps, settle

PAGES = ("", "data", "module", "save_load", "train", "gpu", "tensorboard", "transforms", "layers", "classify")
PHONE = {"width": 420, "height": 900}
LAST = {"": '[data-testid="stPageLink"]', "classify": ".js-plotly-plot"}  # else a code block: every other page has one
TABS = {"tensorboard": 4}  # each of its tabs is looked at (a click reruns the page with that tab open)

# Each element of the main area whose right edge passes the screen's, unless an ancestor that scrolls or clips
# sideways (a code block, a table, a chart's own frame) holds it inside the screen; only the outermost of each.
POKING = """() => {
  const width = document.documentElement.clientWidth, main = document.querySelector('[data-testid="stMain"]');
  const held = e => {
    for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= width + 1;
    }
    return false;
  };
  const out = e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > width + 1 && !held(e);
  return Array.from(main.querySelectorAll('*'))
    .filter(e => out(e) && (e.parentElement === main || !out(e.parentElement)))
    .map(e => `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') || e.className}] ` +
              `right=${Math.round(e.getBoundingClientRect().right)}: ${(e.innerText || '').trim().slice(0, 50)}`);
}"""
SIDEWAYS = """() => [document.scrollingElement, document.querySelector('[data-testid="stMain"]')]
    .map(e => e.scrollWidth - e.clientWidth)"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    """One server (an empty data directory: the bundled sample; no runs) and one page at a phone's width."""
    env = {"DATA_DIR": str(tmp_path_factory.mktemp("data")), "RUNS_DIR": str(tmp_path_factory.mktemp("runs"))}
    with app_in_chromium(env) as (url, browser):
        yield url, browser.new_page(viewport=PHONE, user_agent=PHONE_AGENT)


def test_no_page_scrolls_sideways_on_a_phone(phone):
    url, page = phone
    problems = {}
    for slug in PAGES:
        page.goto(f"{url}/{slug}?lang=zh")
        settle(page, last=LAST.get(slug, '[data-testid="stCode"]'))
        name = slug or "home"
        assert exceptions(page) == [], name
        assert_routed(page, slug, "zh")
        page.screenshot(path=str(SCREENSHOTS / f"layout_{name}_zh_420.png"))
        tabs = page.get_by_role("tab")
        for view in range(TABS.get(slug, 1)):
            if view:
                tabs.nth(view).click()
                page.wait_for_timeout(500)
                settle(page)
            sideways, poking, gaps = page.evaluate(SIDEWAYS), page.evaluate(POKING), grid_gaps(page)
            if any(s > 1 for s in sideways) or poking or any(gap > 60 for gap in gaps):
                problems[f"{name}, tab {view + 1}"] = {"page, main area wider by (px)": sideways,
                                                       "past the right edge": poking, "blank above figures (px)": gaps}
    assert problems == {}
