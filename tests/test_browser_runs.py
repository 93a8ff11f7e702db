"""Real browser on the training and TensorBoard pages with finished and half-finished runs on disk: compare-runs
labels follow a run as it is now, the compare legend and the same-tag chart stay inside the screen, the prediction
grid leaves no blank band on a phone; screenshots of both pages at 1400 px (English) and 420 px (a phone, 中文)."""
import pytest

from core import i18n

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, exceptions, settle
from conftest import make_folder_dataset
from learner_files import make_run, train_link

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

WIDE, PHONE = {"width": 1400, "height": 1600}, {"width": 420, "height": 2400}
# Each legend's and chart's box: a legend whose right or bottom edge passes its chart's is cut off
LEGENDS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.querySelector('g.legend'))
    .map(p => { const g = p.querySelector('g.legend'), l = g.getBoundingClientRect(), c = p.getBoundingClientRect();
                return {right: l.right - c.right, bottom: l.bottom - c.bottom, text: g.textContent}; })"""
# The blank above the pictures of each figure of pictures (browser.grid_gaps, without heatmaps)
PICTURE_GAPS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => p.querySelector('g.imagelayer image'))
    .map(p => p.querySelector('g.imagelayer image').getBoundingClientRect().top - p.getBoundingClientRect().top)"""
# How far a chart's tick labels pass its drawing's right edge (cut off there), and the screen's width less the right
# edge of its plot area (the curve ran into the screen's edge)
CHART_RIGHT = """(key) => { const p = document.querySelector(`.st-key-${key} .js-plotly-plot`),
    svg = p.querySelector('.main-svg').getBoundingClientRect(), plot = p.querySelector('.nsewdrag').getBoundingClientRect();
    return [Math.max(...Array.from(p.querySelectorAll('g.xtick text')).map(t => t.getBoundingClientRect().right))
            - svg.right, document.documentElement.clientWidth - plot.right]; }"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A server whose runs folder holds a finished run (lr 0.05) and one stopped after epoch 1 of 2 (lr 0.02)."""
    data_dir, runs = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("runs")
    data = make_folder_dataset(data_dir / "pets", per_class=(40, 8)).resolve()
    done, half = make_run(data, runs, 0.05, 2), make_run(data, runs, 0.02, 1)
    env = {"DATA_DIR": str(data_dir), "RUNS_DIR": str(runs), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with app_in_chromium(env) as (url, browser):
        yield url, browser, runs, done, half


def chips(page) -> list[str]:
    """The runs picked in compare runs, as their chips read."""
    return [c.get_attribute("aria-label") for c in page.locator('[data-testid="stMultiSelect"] .react-aria-ComboBox '
                                                                '[data-tag]').all()]


def test_compare_labels_follow_a_run_as_it_is_now(app):
    from core.training import train

    url, browser, runs, done, half = app
    page = browser.new_page(viewport=WIDE)
    try:
        page.goto(url + train_link(half, "en"))
        settle(page)
        assert page.get_by_role("button", name="Resume from epoch 2").count() == 1, "the page found the half run"
        (chip,) = chips(page)
        assert "1/2 epochs" in chip, "the run just watched is selected, as it is: one epoch of two"
        train.run(half, runs / half.key(), resume=True)   # its second epoch, trained meanwhile
        page.locator("h1").first.click()
        page.keyboard.press("r")   # Streamlit's rerun key: the same session runs the page again, as when a job ends
        page.wait_for_timeout(1000)
        settle(page)
        (chip,) = chips(page)
        assert "2/2 epochs" in chip and "1/2" not in chip, chip
        assert exceptions(page) == []
    finally:
        page.close()


def add_the_other_run(page, label: str) -> None:
    """Open compare runs' list and pick the run not yet picked (a click while the page redraws may not open it)."""
    for _ in range(5):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option").first.click(timeout=5000)
            break
        except Exception:  # noqa: BLE001 - Playwright's timeout: click the box again
            page.keyboard.press("Escape")
    page.keyboard.press("Escape")


def look(page, url: str, path: str, name: str) -> None:
    page.goto(url + path)
    settle(page, last='[data-testid="stCode"]')
    assert exceptions(page) == [], name
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang,width", [("en", 1400), ("zh", 420)])
def test_runs_and_tensorboard_fit_the_screen(app, lang, width):
    """At 1400 px two runs compared: the legend is whole inside its chart. At 420 px as a phone: no blank band
    above the prediction grid, the same-tag chart inside the screen (its curve ran into the screen's edge and its
    last step's label was cut). Screenshots of what is looked at."""
    url, browser, _, done, half = app
    agent = {"user_agent": PHONE_AGENT} if width < 800 else {}
    page = browser.new_page(viewport=WIDE if width > 800 else PHONE, **agent)
    try:
        look(page, url, train_link(done, lang), f"runs_train_{lang}_{width}")
        if width > 800:
            add_the_other_run(page, i18n.t("train.compare", lang))
            settle(page)
            page.screenshot(path=str(SCREENSHOTS / f"runs_compare_{lang}_{width}.png"), full_page=True)
            # the compare chart's legend (the per-layer charts of the run have legends of their own)
            (legend,) = [g for g in page.evaluate(LEGENDS) if "lr 0.05" in g["text"]]
            assert legend["right"] <= 0 and legend["bottom"] <= 0, legend
            assert "lr 0.05" in legend["text"] and "lr 0.02" in legend["text"], "each run's whole label"
        else:
            # the prediction grid is the first picture (the confusion matrix has its axis titles; the images behind
            # its opened cell come after)
            gap = page.evaluate(PICTURE_GAPS)[0]
            assert gap < 20, "no blank band above the prediction grid"
            look(page, url, f"/tensorboard?lang={lang}", f"runs_tensorboard_{lang}_{width}")
            cut, room = page.evaluate(CHART_RIGHT, "tb_same_tag")
            assert cut <= 0 and room >= 24, "the same-tag chart's last step and its curve end inside the screen"
    finally:
        page.close()
