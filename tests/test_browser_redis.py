"""Real browser, two app servers on one Redis and one worker: a run started on one server is watched on the
other (the same phases, the chart growing), and its weights are offered by Classify on both."""
from __future__ import annotations

import re
from contextlib import ExitStack

import pytest

from core import i18n

from browser import CHROMIUM, FLAGS, PHONE_AGENT, SCREENSHOTS, exceptions, require_browser, settle, streamlit_server
from conftest import CIFAR_CLASSES, make_folder_dataset
from redisfix import redis_server, worker

pytestmark = pytest.mark.slow   # minutes of browser work: python -m pytest -m slow

POINTS = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return chart && chart.data && chart.data[0] ? chart.data[0].x.length : 0;
}"""
PHASES = re.compile(r"Preparing the data|Epoch \d+ · step \d+ of \d+|testing on the test images|saving the checkpoint")
WHERE = i18n.t("jobs_redis.trains_on", "en", where=i18n.t("jobs_redis.where_worker", "en", worker="w-browser",
                                                            device="CPU"))


def test_a_run_started_on_one_server_is_watched_and_classified_on_another(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "data"
    make_folder_dataset(data / "pets", classes=CIFAR_CLASSES, per_class=(40, 8))   # 100 epochs: minutes, Stop comes first
    link = "/train?dataset=pets&recipe=course&epochs=100&batch_size=32"
    with ExitStack() as stack:
        url = stack.enter_context(redis_server()) + "/0"
        servers = [stack.enter_context(streamlit_server({
            "DATA_DIR": str(data), "RUNS_DIR": str(tmp_path / f"runs{i}"), "JOBS_REDIS_URL": url,
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}))[0] for i in range(2)]
        stack.enter_context(worker(url, data, "w-browser"))
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        stack.callback(browser.close)
        first, second = browser.new_page(viewport={"width": 1400, "height": 1800}), \
            browser.new_page(viewport={"width": 1400, "height": 1800})
        for server, page in zip(servers, (first, second), strict=True):   # both servers warm, PyTorch loaded
            page.goto(f"{server}{link}&lang=en")
            settle(page)
        try:
            first.get_by_role("button", name=i18n.t("train.start", "en")).click()
            first.get_by_text(PHASES).first.wait_for(timeout=60_000)
            second.reload()   # not settle(): the live view redraws every second
            second.get_by_text(PHASES).first.wait_for(timeout=60_000)
            second.get_by_text(WHERE).wait_for(timeout=30_000)
            assert second.get_by_text(i18n.t("train.watching", "en")).count() == 1, "another browser: no Stop"
            seen = []
            for _ in range(480):
                second.wait_for_timeout(250)
                seen.append(second.evaluate(POINTS))
                if len({n for n in seen if n}) >= 3:
                    break
            growing = [n for n in seen if n]
            assert len(set(growing)) >= 3 and growing == sorted(growing), seen
            second.screenshot(path=str(SCREENSHOTS / "train_redis_second_server.png"), full_page=True)
            # the owner stops it, on the other server: one click, once the button is there and enabled (it is drawn
            # outside the live view, whose redraws every second used to drop some clicks)
            first.get_by_role("button", name=i18n.t("train.stop", "en"), exact=True).click(timeout=60_000)
            for page in (first, second):
                page.get_by_role("button", name=re.compile("Resume from epoch")).wait_for(timeout=120_000)
                assert exceptions(page) == []
        except Exception:
            for name, page in (("first", first), ("second", second)):
                page.screenshot(path=str(SCREENSHOTS / f"train_redis_failed_{name}.png"), timeout=90_000)
            raise
        phone = browser.new_page(viewport={"width": 420, "height": 2400}, user_agent=PHONE_AGENT)
        phone.goto(f"{servers[1]}{link}&lang=zh")
        settle(phone)
        phone.screenshot(path=str(SCREENSHOTS / "train_redis_420_zh.png"), full_page=True)
        for server, page in zip(servers, (first, second), strict=True):
            page.goto(f"{server}/classify?lang=en&model=run")
            settle(page)
            picked = page.get_by_role("combobox", name=i18n.t("cls.run", "en")).input_value()
            assert picked.endswith(" · w-browser · CPU"), "the run's weights, labelled with where they were trained"
            assert page.get_by_text(i18n.t("cls.epoch_acc", "en", epoch=1, acc="")[:12], exact=False).count() >= 1
            assert exceptions(page) == []
        second.screenshot(path=str(SCREENSHOTS / "classify_redis_run.png"))
