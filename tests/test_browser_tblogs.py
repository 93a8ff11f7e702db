"""Real browser: TensorBoard's own app inside the TensorBoard page, over a finished training run and over a learner's
uploaded logs zip; screenshots at 1400 px (English) and 420 px (a phone, 中文)."""
from urllib.parse import urlparse

import pytest

from core import i18n

from browser import PHONE_AGENT, POKING, SCREENSHOTS, SIDEWAYS, app_in_chromium, exceptions, settle
from conftest import make_folder_dataset
from learner_files import course_logs, make_run, train_link, zipped

pytestmark = pytest.mark.slow   # a training run and TensorBoard's web app: a minute of browser work

WIDE, PHONE = {"width": 1400, "height": 1600}, {"width": 420, "height": 2400}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A server whose runs folder holds one finished run, and a learner's zipped logs (the same-tag trap in them)."""
    data_dir, runs, uploads = (tmp_path_factory.mktemp(name) for name in ("data", "runs", "uploads"))
    data = make_folder_dataset(data_dir / "pets", per_class=(40, 8)).resolve()
    config = make_run(data, runs, 0.05, 2)
    zip_path = tmp_path_factory.mktemp("home") / "logs.zip"
    zip_path.write_bytes(zipped(course_logs(zip_path.parent)))
    env = {"DATA_DIR": str(data_dir), "RUNS_DIR": str(runs), "UPLOADS_DIR": str(uploads),
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with app_in_chromium(env) as (url, browser):
        yield url, browser, config, zip_path


def tensorboard_in(page):
    """The TensorBoard frame inside the page's frame (ui/tblogs.py draws it in an st.iframe)."""
    return page.frame_locator("iframe[srcdoc]").last.frame_locator("#tb")


def opened(board, tag: str):
    """The scalar chart of ``tag``, its group opened first where TensorBoard left it closed (it opens the first few)."""
    toolbar = board.locator("metrics-card-group-toolbar", has_text=tag).first
    toolbar.wait_for(timeout=60_000)
    card = board.locator("scalar-card-component", has_text=tag).first
    if not card.count():
        toolbar.click()
    card.wait_for(timeout=30_000)
    return card


@pytest.mark.parametrize("lang, viewport", [("en", WIDE), ("zh", PHONE)])
def test_a_finished_run_s_scalars_in_tensorboard_inside_the_page(app, lang, viewport):
    url, browser, config, _ = app
    key = config.key()
    page = browser.new_page(viewport=viewport, **({"user_agent": PHONE_AGENT} if viewport is PHONE else {}))
    page.goto(f"{url}/tensorboard?lang={lang}&tab=tensorboard")
    settle(page)
    board = tensorboard_in(page)
    board.get_by_text(f"runs/{key}/tensorboard").first.wait_for(timeout=60_000)
    card = opened(board, "test_accuracy")
    assert card.locator("canvas, svg").count() and "Alt + Scroll to Zoom" in card.inner_text(), "a chart is drawn"
    assert not exceptions(page) and not page.get_by_text(i18n.t("tblogs.unreachable", lang)).count()
    page.screenshot(path=str(SCREENSHOTS / f"tblogs_real_{lang}_{viewport['width']}.png"), full_page=True)
    assert all(s <= 1 for s in page.evaluate(SIDEWAYS)) and not page.evaluate(POKING), "nothing past the screen's edge"
    page.close()


@pytest.mark.parametrize("lang, viewport", [("en", WIDE), ("zh", PHONE)])
def test_an_uploaded_logs_zip_shows_its_tags_and_the_trap(app, lang, viewport):
    url, browser, _, zip_path = app
    page = browser.new_page(viewport=viewport, **({"user_agent": PHONE_AGENT} if viewport is PHONE else {}))
    page.goto(f"{url}/tensorboard?lang={lang}&tab=yours")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(zip_path))
    page.get_by_text("y=2x", exact=False).first.wait_for(timeout=60_000)
    settle(page)
    warning = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "y=2x" in warning and "99" in warning, warning
    board = tensorboard_in(page)
    card = opened(board, "test_accuracy")
    assert card.locator("canvas, svg").count() and "Alt + Scroll to Zoom" in card.inner_text(), "a chart is drawn"
    assert not exceptions(page)
    page.screenshot(path=str(SCREENSHOTS / f"tblogs_yours_{lang}_{viewport['width']}.png"), full_page=True)
    assert all(s <= 1 for s in page.evaluate(SIDEWAYS)) and not page.evaluate(POKING), "nothing past the screen's edge"
    page.close()


def test_a_host_that_forwards_only_streamlit_s_paths_gets_one_line_and_the_redrawn_view(app):
    url, browser, _, _ = app
    page = browser.new_page(viewport=WIDE)
    # such a host answers /tensorboard/… with Streamlit's own page (its catch-all), never TensorBoard's
    page.route(lambda address: urlparse(address).path.startswith("/tensorboard/") and "/_stcore/" not in address,
               lambda route: route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>St</title>"))
    page.goto(f"{url}/tensorboard?lang=en&tab=tensorboard")
    settle(page)
    frame = page.frame_locator("iframe[srcdoc]").last
    frame.get_by_text(i18n.t("tblogs.unreachable", "en")).wait_for(timeout=30_000)
    assert not frame.locator("#tb").count() and not exceptions(page)
    page.get_by_role("tab", name="SCALARS").click()
    settle(page)
    assert page.locator(".js-plotly-plot").count() >= 2, "the redrawn curves are still there"
    page.close()


def test_the_training_page_opens_a_run_in_tensorboard_filtered_to_it(app):
    url, browser, config, _ = app
    key = config.key()
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{url}{train_link(config, 'en')}")
    settle(page)
    page.get_by_text(i18n.t("tblogs.run_expander", "en")).click()
    board = tensorboard_in(page)
    board.get_by_text(f"runs/{key}/tensorboard").first.wait_for(timeout=60_000)
    assert not board.get_by_text("demo/").count(), "only this run"
    opened(board, "test_accuracy")
    assert not exceptions(page)
    page.get_by_text(i18n.t("tblogs.run_expander", "en")).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "tblogs_train_en_1400.png"))
    page.close()
