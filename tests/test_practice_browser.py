"""Real browser, a phone (420 px): a learner answers a convolution-value question by clicking the input cells the
window reads and typing the sum, and the page confirms both; nothing pokes past the screen's edge."""
import pytest

from core import i18n
from core.basics import ops
from core.practice import topics

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, exceptions, settle

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

SEED = 4   # a 2×2 window over the padding: four cells to click, two of them padding
QID = f"practice_conv_conv_value_{SEED}"


@pytest.mark.parametrize("lang", ["zh"])
def test_a_conv_value_question_answered_by_clicking_cells_on_a_phone(tmp_path, lang):
    q = topics.make("conv", "conv_value", SEED)
    with app_in_chromium({"DATA_DIR": str(tmp_path)}) as (url, browser):
        page = browser.new_page(viewport={"width": 420, "height": 900}, user_agent=PHONE_AGENT)
        page.goto(f"{url}/conv?lang={lang}&practice=conv_value&seed={SEED}")
        settle(page, last=f".st-key-{QID}_answer")
        for r, c in sorted(q.cells):
            assert page.locator(f".st-key-{QID}_row_{r} button").count() == len(q.grid[r])
            page.locator(f".st-key-{QID}_cell_{r}_{c} button").click()
            settle(page)
        picked = ", ".join(ops.number(q.grid[r][c]) for r, c in sorted(q.cells))
        caption = i18n.t("practice.picked", lang, count=len(q.cells), values=picked)
        assert page.get_by_text(caption).count() == 1
        box = page.locator(f".st-key-{QID}_answer input")
        box.fill(ops.number(q.expected))
        box.press("Enter")
        settle(page)
        page.locator(f".st-key-{QID}_check button").click()
        settle(page)
        right = i18n.t("practice.right", lang, answer=ops.number(q.expected))
        assert page.get_by_text(right).count() == 1
        assert page.get_by_text(i18n.t("practice.picked_right", lang)).count() == 1
        assert exceptions(page) == []
        sideways = page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
        assert sideways <= 0
        page.locator(f".st-key-{QID}_check").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"practice_conv_value_{lang}_420.png"))
