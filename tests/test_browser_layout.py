"""Real browser, a phone in Chinese (420 px): no page outside the explainers makes the screen scroll sideways, and
no figure of pictures or grids leaves a blank band above them (its height laid out for a desktop's width).

A code block or a table may scroll sideways inside its own box; nothing else may pass the right edge: not the page,
not the main area, not a chart, a button or a line of text.
"""

import pytest

from browser import (
    PHONE_AGENT,
    POKING,
    SCREENSHOTS,
    SIDEWAYS,
    app_in_chromium,
    assert_routed,
    exceptions,
    grid_gaps,
    settle,
)

PAGES = ("", "data", "module", "save_load", "train", "gpu", "tensorboard", "transforms", "layers", "classify")
PHONE = {"width": 420, "height": 900}
LAST = {"": '[data-testid="stPageLink"]', "classify": ".js-plotly-plot"}  # else a code block: every other page has one
TABS = {"tensorboard": 4}  # each of its tabs is looked at (a click reruns the page with that tab open)

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
