"""Helpers for the real-browser tests: a `streamlit run` server on a free port and Debian's Chromium."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A phone's browser as it introduces itself (the figures are laid out for a phone's width when it says "Mobile")
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
               "Mobile Safari/537.36")


def require_browser() -> None:
    """Skip (with the reason) where Playwright or Chromium is missing; CI installs both."""
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, script: str = "streamlit_app.py"):
    """`streamlit run <script>` (the app by default) on a free port; yields (base URL, the server's process)."""
    port = free_port()
    log = open(ROOT / "artifacts" / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"streamlit did not start; see {log.name}")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@contextmanager
def app_in_chromium(env: dict[str, str]):
    """The app under `streamlit run` with ``env`` and Debian's Chromium (skipped where either is missing); yields
    (base URL, the browser). The tests' screenshots go to SCREENSHOTS."""
    require_browser()
    from playwright.sync_api import sync_playwright

    from conftest import share_derived

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if "DATA_DIR" in env:
        share_derived(Path(env["DATA_DIR"]))
    with streamlit_server(env) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield url, browser
        browser.close()


@contextmanager
def open_tab(app, path: str, height: int = 1600):
    """The app (``app_in_chromium``'s (base URL, browser)) at ``path`` in a new tab 1400 px wide, once Streamlit has
    run the page; the tab is closed after."""
    url, browser = app
    page = browser.new_page(viewport={"width": 1400, "height": height})
    try:
        page.goto(url + path)
        settle(page)
        yield page
    finally:
        page.close()


def settle(page, timeout_s: float = 90, last: str | None = None) -> None:
    """Wait until Streamlit has run the page: the language switch (on every page) and the page's title
    are drawn, then, for three checks in a row: Streamlit's own script state says "notRunning" (a page's first run
    may start a second), ``last`` (a selector for what the page draws last) is there, no spinner, skeleton or
    "loading PyTorch…" note is left, and the main area's height holds still.
    """
    page.get_by_role("radio", name="English").first.wait_for(timeout=timeout_s * 1000)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=timeout_s * 1000)
    deadline, quiet, height = time.time() + timeout_s, 0, -1
    while time.time() < deadline and quiet < 3:
        page.wait_for_timeout(300)
        now = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        idle = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") == "notRunning"
        drawn = last is None or page.locator(last).count() > 0
        busy = page.locator('[data-testid="stSpinner"], [data-testid="stSkeleton"], .st-key-loading-torch').count()
        quiet = quiet + 1 if idle and drawn and not busy and now == height else 0
        height = now
    assert quiet == 3, f"{page.url} was still running after {timeout_s} s"


def assert_routed(page, slug: str, lang: str) -> None:
    """A deep link ran the entry script (its language switch is there) and landed on its own page, in the
    link's language: with a `pages/` folder beside the entry, Streamlit would route it alone (README, Layout)."""
    from core import i18n

    title = i18n.t("home.title_long" if slug in ("", "home") else f"{slug}.title", lang)
    assert page.locator("h1").first.inner_text().strip() == title, slug
    assert page.locator('[data-testid="stMain"]').get_by_role("radio", name="English").count() == 1, slug
    assert f"lang={lang}" in page.url, slug


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]


def grid_gaps(page) -> list[float]:
    """For each figure of grids or pictures on the page: the blank between the figure's top and its first cells or
    pixels, in px (titles take ~40 px; more is a band of nothing that a figure laid out for another width leaves
    above its grids, and as much below)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .filter(p => p.querySelector('g.heatmaplayer image, g.imagelayer image'))
        .map(p => Math.min(...Array.from(p.querySelectorAll('g.heatmaplayer image, g.imagelayer image'))
            .map(i => i.getBoundingClientRect().top)) - p.getBoundingClientRect().top)""")


def confusion_cell(page, key: str, true: int, predicted: int) -> tuple[float, float]:
    """Where on the screen the confusion matrix in the element keyed ``key`` draws cell (true, predicted)."""
    chart = page.locator(f".st-key-{key} .js-plotly-plot").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    return chart.evaluate(f"""gd => {{
        const t = gd.data.find(t => t.customdata), k = t.customdata.findIndex(d => d[1] === {true} && d[2] === {predicted});
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.d2p(t.x[k]), box.top + ya._offset + ya.d2p(t.y[k])];
    }}""")


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
# How much wider than the screen the page and its main area are, in px (more than 1: it scrolls sideways)
SIDEWAYS = """() => [document.scrollingElement, document.querySelector('[data-testid="stMain"]')]
    .map(e => e.scrollWidth - e.clientWidth)"""


def animation(page):
    """The page's first animation, with its four buttons ◀, Play, Pause, ▶."""
    chart = page.locator(".js-plotly-plot").first
    chart.locator(".updatemenu-button").first.wait_for(timeout=30_000)  # Plotly draws after the page has settled
    assert chart.locator(".updatemenu-button").count() == 4
    return chart


def step_label(chart) -> int:
    """The step an animation shows (its slider's label ends with the number)."""
    text = chart.locator("g.slider-container text").first.text_content()
    return int(re.search(r"(\d+)\s*$", text).group(1))


def cell_centre(chart, grid: str, row: int, col: int) -> tuple[float, float]:
    """Where cell (row, col) of a grid ("input", "output", "map") is on the screen: at its invisible click target,
    on whichever axes the figure draws that grid."""
    return chart.evaluate(f"""gd => {{
        const t = gd.data.find(t => (t.customdata || []).some(d => d[0] === '{grid}' && d[1] === {row} && d[2] === {col}));
        const k = t.customdata.findIndex(d => d[0] === '{grid}' && d[1] === {row} && d[2] === {col});
        const xa = gd._fullLayout[(t.xaxis || 'x').replace('x', 'xaxis')];
        const ya = gd._fullLayout[(t.yaxis || 'y').replace('y', 'yaxis')];
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(t.x[k]), box.top + ya._offset + ya.l2p(t.y[k])];
    }}""")


def click_cell(page, chart, grid: str, row: int, col: int) -> None:
    """Click the centre of a grid's cell, then wait for the rerun."""
    page.mouse.click(*cell_centre(chart, grid, row, col))
    page.wait_for_timeout(600)
    settle(page)
