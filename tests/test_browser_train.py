"""Real browser on the training page: named phases at once, the chart grows, the per-epoch prediction grid
appears, Stop answers at once, and after a reload the form and the run are still there."""
import os
import re
import time

import pytest

from core import i18n

from browser import SCREENSHOTS, app_in_chromium, exceptions, settle
from conftest import make_folder_dataset

POINTS = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return chart && chart.data && chart.data[0] ? chart.data[0].x.length : 0;
}"""
LIMIT_S = float(os.environ.get("TRAIN_UI_LIMIT_S", 2.0))  # raise it on a loaded machine (shared CI runners)
# Start -> first phase on screen: the server draws it 0.01-0.03 s after the click, but Chromium, sharing two cores
# with the run that has just started, drew it only once it had mounted four empty Plotly charts (1.7-2.2 s in most
# tries). The live view now draws the curves once there are steps: 0.50-0.60 s in 6 of 8 tries, 1.02 and 1.66 s in
# the others. Half a second more than Stop's limit, so the test keeps catching a page that takes a whole extra second.
START_LIMIT_S = LIMIT_S + 0.5
PHASES = re.compile(r"Preparing the data|Epoch \d+ · step \d+ of \d+|testing on the test images|saving the checkpoint")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    make_folder_dataset(data_dir / "pets", per_class=(100, 20))
    env = {"DATA_DIR": str(data_dir), "RUNS_DIR": str(tmp_path_factory.mktemp("runs")),
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}   # files changing in the checkout must not rerun the page
    with app_in_chromium(env) as app:
        yield app


def test_start_watch_stop_reload(app):
    url, browser = app
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    address = f"{url}/train?lang=en&dataset=pets&recipe=improved&epochs=40&batch_size=32"
    try:
        page.goto(address)
        settle(page)
        page.get_by_role("button", name=i18n.t("train.start", "en")).click()
        began = time.time()
        page.get_by_text(PHASES).first.wait_for(timeout=10_000)
        shown_after = time.time() - began
        print(f"first phase shown {shown_after:.2f} s after Start")
        assert shown_after < START_LIMIT_S, "a named phase shows within 2.5 s of Start (on an idle machine)"
        seen = []
        for _ in range(240):
            page.wait_for_timeout(500)
            seen.append(page.evaluate(POINTS))
            grid = page.get_by_text(i18n.t("train.insight_grid", "en")).count()
            if grid and len({n for n in seen if n}) >= 3:
                break
        growing = [n for n in seen if n]
        assert len(set(growing)) >= 3 and growing == sorted(growing), seen
        assert grid, "after the first epoch the prediction grid is on screen"
        page.screenshot(path=str(SCREENSHOTS / "train_live_wide.png"), full_page=True)
        page.set_viewport_size({"width": 420, "height": 2400})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SCREENSHOTS / "train_live_420.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1800})
        page.get_by_role("button", name=i18n.t("train.stop", "en")).click()
        began = time.time()
        # "Stopping after this step…" while the step ends; where the step and the run's wrap-up end before the page
        # has run again after the click (a loaded machine: seen once in CI), the page goes straight to Resume
        resume = page.get_by_role("button", name=re.compile("Resume from epoch"))
        page.get_by_text(i18n.t("train.phase_stopping", "en")).or_(resume).first.wait_for(timeout=10_000)
        stop_after = time.time() - began
        print(f"stop acknowledged {stop_after:.2f} s after the click")
        assert stop_after < LIMIT_S, "Stop is acknowledged within a second (on an idle machine)"
        resume.wait_for(timeout=30_000)
        page.reload()
        settle(page)
        assert page.get_by_role("button", name=re.compile("Resume from epoch")).count() == 1
        assert page.get_by_text(i18n.t("train.insight_grid", "en")).count() == 1, "the stopped run stays on screen"
        assert page.get_by_text(i18n.t("train.insight_filters", "en")).count() == 1
        charts = page.locator('[data-testid="stPlotlyChart"]')
        assert charts.count() >= 6, "four curves, the prediction grid and the confusion matrix"
        page.get_by_text(i18n.t("train.insight_grid", "en")).scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "train_after_reload.png"))
        assert "epochs=40" in page.url and "batch_size=32" in page.url
        assert exceptions(page) == []
    finally:
        page.close()
