"""First page after a server start, and warm redraws, measured in a real browser (Chromium via Playwright).

    python benchmarks/first_page.py [--starts 3] [--redraws 15]

For each fresh `streamlit run`: the moment the health check answers, a new browser opens /conv?lang=en and
we record when the title, the controls, the "loading PyTorch…" note and the animation appear (ms after goto).
For scale, the same for a two-line app (st.title + st.slider): Streamlit's own start in this browser.
Then, on the warm server, a slider change (stride on /conv, kernel_size on /pool) until the printed output and
the figure show the new result: the median over --redraws changes, browser-measured, so it includes the
websocket round trip and the browser's drawing (an upper bound on the server's own time).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import CHROMIUM, FLAGS, settle, streamlit_server  # noqa: E402

VISIBLE = {
    "title": '[data-testid="stMain"] h1',
    "controls": '[data-testid="stSlider"]',
    "loading note": '[data-testid="stAlertContentInfo"]',
    "figure": '[data-testid="stMain"] .js-plotly-plot',
}


def first_page(browser, url: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    seen: dict[str, float] = {}
    start = time.perf_counter()
    page.goto(f"{url}/conv?lang=en", wait_until="commit")
    while len(seen) < len(VISIBLE) and time.perf_counter() - start < 120:
        for name, selector in VISIBLE.items():
            if name not in seen and page.locator(selector).count():
                seen[name] = (time.perf_counter() - start) * 1000
        if "figure" in seen:
            break
        page.wait_for_timeout(20)
    page.close()
    return seen


def baseline(browser) -> float:
    """ms from goto to the title of a two-line Streamlit app on a fresh server."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "hello.py"
        script.write_text('import streamlit as st\nst.title("Hello")\nst.slider("x", 0, 5, 1)\n')
        with streamlit_server(script=str(script)) as (url, _):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.locator('[data-testid="stSlider"]').first.wait_for(timeout=60_000)
            elapsed = (time.perf_counter() - start) * 1000
            page.close()
    return elapsed


def output(page) -> str:
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stCode"] pre'))
        .map(c => c.innerText.trim()).find(t => t.startsWith('tensor(')) || ''""")


def redraws(browser, url: str, path: str, label: str, n: int) -> list[float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url + path)
    settle(page)
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=label).first.locator("input[type=range]")
    times = []
    for k in range(n):
        before = output(page)
        thumb.focus()
        start = time.perf_counter()
        thumb.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        while output(page) == before and time.perf_counter() - start < 30:
            page.wait_for_timeout(5)
        times.append((time.perf_counter() - start) * 1000)
        settle(page)
    page.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--redraws", type=int, default=15)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        firsts = []
        for _ in range(args.starts):
            with streamlit_server() as (url, _):
                firsts.append(first_page(browser, url))
        hello = [baseline(browser) for _ in range(args.starts)]
        print("first request after a fresh server start, /conv?lang=en (ms after goto; median of "
              f"{args.starts} starts)")
        print(f"  {'(two-line app: title + slider)':13s} {statistics.median(hello):7.0f}   "
              f"({', '.join(f'{v:.0f}' for v in hello)})")
        for name in VISIBLE:
            values = [f[name] for f in firsts if name in f]
            shown = ", ".join(f"{v:.0f}" for v in values)
            print(f"  {name:13s} {statistics.median(values):7.0f}   ({shown})" if values else f"  {name:13s} not seen")
        with streamlit_server() as (url, _):
            for path, label in (("/conv?lang=en", "stride"), ("/pool?lang=en", "kernel_size")):
                redraws(browser, url, path, label, 2)  # warm the caches
                times = redraws(browser, url, path, label, args.redraws)
                print(f"warm redraw {path.split('?')[0]:6s} ({label} ± 1): median {statistics.median(times):.0f} ms, "
                      f"max {max(times):.0f} ms over {len(times)} changes (browser-measured: change → new output)")
        browser.close()


if __name__ == "__main__":
    main()
