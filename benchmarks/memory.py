"""The app's memory on a small server: resident memory of `streamlit run` after visiting every page.

    python benchmarks/memory.py        # needs playwright and Debian's Chromium, like the browser tests

Prints the server's resident memory (VmRSS) after start-up and after each page, in both
languages, with the shipped model classifying a photo on the way.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from stclient import rss_mb  # noqa: E402

from ui.nav import HOME, SECTIONS  # noqa: E402

from browser import CHROMIUM, FLAGS, settle, streamlit_server  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    slugs = [HOME.slug] + [info.slug for _, infos in SECTIONS for info in infos]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with streamlit_server() as (url, server), sync_playwright() as p:
        print(f"{'after start-up':<22} {rss_mb(server.pid):7.0f} MB")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for lang in ("zh", "en"):
            for slug in slugs:
                page = browser.new_page(viewport={"width": 1400, "height": 1400})
                page.goto(f"{url}/{'' if slug == HOME.slug else slug}?lang={lang}")
                settle(page)
                page.close()
                print(f"{slug + ' (' + lang + ')':<22} {rss_mb(server.pid):7.0f} MB")
        browser.close()


if __name__ == "__main__":
    main()
