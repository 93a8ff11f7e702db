"""AppTest of the first visit: the home page's first step and order, and the language switch where a phone shows it."""

import pytest

from core import i18n
from ui.nav import COURSE_ORDER, HOME, SECTIONS, pages_for

from pagetest import open_page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_starts_with_chapter_one_then_the_course_order_then_the_cards(lang):
    """The course's order sat under 13 cards, five phone screens down, and nothing said where to begin."""
    at = open_page(HOME.slug, lang)
    title = lambda slug: i18n.t(f"{slug}.title", lang)  # noqa: E731
    first = pages_for(COURSE_ORDER[0])[0]
    chapters = [title(info.slug) for chapter in COURSE_ORDER for info in pages_for(chapter)]
    cards = [title(info.slug) for _, infos in SECTIONS for info in infos]
    assert [link.value for link in at.main.get("page_link")] == [title(first.slug), *chapters, *cards]
    start = at.main.get_by_key("start_here")  # and the chapter it opens is named beside the link, first of all
    assert any(i18n.t(f"chapters.{COURSE_ORDER[0]}", lang) in m.value for m in start.markdown)
    assert at.main.markdown[0].value == i18n.t("home_start.purpose", lang)


def test_the_language_switch_is_in_the_main_area_and_rewrites_page_and_url():
    """A phone folds the sidebar away behind »: the switch is at the top of the page, as the home page says."""
    at = open_page(HOME.slug, "zh")
    assert len(at.sidebar.segmented_control) == 0
    assert i18n.t("home_start.language", "zh") in [c.value for c in at.main.caption]
    at.main.segmented_control(key="lang").set_value("en").run()
    assert at.title[0].value == i18n.t("home.title_long", "en")
    assert at.main.markdown[0].value == i18n.t("home_start.purpose", "en") and at.query_params["lang"] == "en"
