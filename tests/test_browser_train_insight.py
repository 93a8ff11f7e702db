"""Real browser on the Training page with a finished run: a click on a cell of the insight's confusion matrix opens
that cell's test images and puts the cell in the URL; at 1400 px (English) and on a 420 px phone (中文)."""
import pytest

from core import i18n

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, confusion_cell, exceptions, settle
from conftest import make_folder_dataset

pytestmark = pytest.mark.slow   # a server, a browser and a training run: python -m pytest -m slow

SCREENS = {"desktop": ({"width": 1400, "height": 1600}, None), "phone": ({"width": 420, "height": 900}, PHONE_AGENT)}
CLASSES = ("cat", "dog", "ship")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A server whose runs folder holds one finished run of the course's loop (one epoch on a tiny folder set)."""
    from core.training import insight, train
    from core.training.rundir import RunDir, RunState

    data_dir, runs = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("runs")
    data = make_folder_dataset(data_dir / "pets").resolve()
    config = train.Config(data=str(data), recipe="course", epochs=1, batch_size=32)
    train.run(config, runs / config.key())
    folder = RunDir(runs / config.key())
    folder.set_state(RunState.DONE)
    seen = folder.insight()
    env = {"DATA_DIR": str(data_dir), "RUNS_DIR": str(runs), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with app_in_chromium(env) as (url, browser):
        yield url, browser, seen, insight


@pytest.mark.parametrize(("screen", "lang"), [("desktop", "en"), ("phone", "zh")])
def test_a_confusion_cell_on_the_training_page_opens_its_images(app, screen, lang):
    url, browser, seen, insight = app
    m = seen.confusion
    # a cell other than the one opened first (the most frequent mistake), with images: the diagonal's fullest
    true = int(m.diag()[:len(CLASSES)].argmax())
    expected = len(insight.behind(seen.cells, true, true))
    assert expected == int(m[true, true]) > 0
    viewport, agent = SCREENS[screen]
    page = browser.new_page(viewport=viewport, user_agent=agent) if agent else browser.new_page(viewport=viewport)
    try:
        page.goto(f"{url}/train?lang={lang}&dataset=pets&recipe=course&epochs=1&batch_size=32")
        settle(page, last=".st-key-train_confusion .js-plotly-plot")
        page.mouse.click(*confusion_cell(page, "train_confusion", true, true))
        page.wait_for_timeout(600)
        settle(page, last=".st-key-train_confusion_images .js-plotly-plot")
        name = i18n.t(f"classes.{CLASSES[true]}", lang)
        page.get_by_text(f"{name} → {name}").first.wait_for(timeout=30_000)
        images = page.locator(".st-key-train_confusion_images .js-plotly-plot").first
        assert images.evaluate("gd => gd.layout.annotations.length") == min(expected, 24)  # a caption per image
        assert f"confusion={true}%2C{true}" in page.url or f"confusion={true},{true}" in page.url
        assert exceptions(page) == []
        images.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"train_confusion_{screen}_{lang}.png"))
    finally:
        page.close()
