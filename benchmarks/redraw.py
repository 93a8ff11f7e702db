"""Server time of a warm slider change on /conv and /pool: the page's whole script run, measured in-process.

    python benchmarks/redraw.py [--changes 20]

Streamlit's AppTest runs the app script exactly as the server does (same code, same caches), without a
browser; each change's time is the rerun from the new slider value to the last element sent. The browser's
own end-to-end time (websocket and drawing included) is in benchmarks/first_page.py.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
CASES = (("conv", "stride", (1, 2, 3, 4)), ("pool", "kernel_size", (1, 2, 3, 4, 5)), ("pool", "padding", (0, 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    for slug, key, values in CASES:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page(f"app_pages/{slug}.py").run()
        for v in values:  # every value once: what is cached for everyone is warm, as on a server in use
            at.slider(key=key).set_value(v).run()
        times = []
        for k in range(args.changes):
            start = time.perf_counter()
            at.slider(key=key).set_value(values[k % len(values)]).run()
            times.append((time.perf_counter() - start) * 1000)
        assert not at.exception, [e.value for e in at.exception]
        times.sort()
        print(f"/{slug:5s} {key:12s} median {statistics.median(times):5.0f} ms   "
              f"90th {times[int(len(times) * 0.9) - 1]:5.0f} ms   max {times[-1]:5.0f} ms   ({len(times)} changes)")


if __name__ == "__main__":
    main()
