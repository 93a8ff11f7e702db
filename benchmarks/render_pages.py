"""How long each page takes to render in AppTest: the first run in a fresh session and the median warm rerun.

    python benchmarks/render_pages.py
"""
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ui.nav import HOME, SECTIONS  # noqa: E402


def main(reruns: int = 5) -> None:
    slugs = [HOME.slug] + [info.slug for _, infos in SECTIONS for info in infos]
    print(f"{'page':<10} {'lang':<4} {'first run (ms)':>15} {'warm rerun, median (ms)':>24}")
    for slug in slugs:
        for lang in ("zh", "en"):
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
            at.query_params["lang"] = lang
            at.run()
            at.switch_page(f"app_pages/{slug}.py")
            start = time.perf_counter()
            at.run()
            first = (time.perf_counter() - start) * 1000
            assert not at.exception, [e.value for e in at.exception]
            warm = []
            for _ in range(reruns):
                start = time.perf_counter()
                at.run()
                warm.append((time.perf_counter() - start) * 1000)
            print(f"{slug:<10} {lang:<4} {first:>15.0f} {statistics.median(warm):>24.0f}")


if __name__ == "__main__":
    main()
