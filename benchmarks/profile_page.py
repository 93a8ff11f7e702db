"""Where a page's server CPU goes: cProfile of fresh sessions opening it, after it is warm.

    python benchmarks/profile_page.py layers [--visits 5] [--lang zh] [--top 30]

What benchmarks/classroom.py counts as a warm visit (a new session opening the page's link,
every process-wide cache already filled), run in Streamlit's AppTest: the same script, the same
caches, in this process, so cProfile sees it (in the script's thread, where the page runs).
Prints the functions with the most cumulative and the most own time over ``--visits`` visits.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def fresh_visit(slug: str, lang: str) -> AppTest:
    """A new session switched to ``slug``, ready to run it (AppTest needs one run of the home page first)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    return at.switch_page(f"app_pages/{slug}.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", help="the page's slug: conv, layers, ...")
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    for _ in range(2):  # warm: torch imported, caches filled
        fresh_visit(args.page, args.lang).run()
    sessions = [fresh_visit(args.page, args.lang) for _ in range(args.visits)]
    profile = cProfile.Profile()
    threading.setprofile(lambda *_: profile.enable())  # AppTest runs the script in a thread of its own, as a server
    cpu = time.process_time()
    for at in sessions:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    cpu = (time.process_time() - cpu) / args.visits
    threading.setprofile(None)
    print(f"/{args.page} ({args.lang}): {cpu:.3f} s of CPU per visit under cProfile (cProfile itself adds ~1.5-2x)")
    stats = pstats.Stats(profile).strip_dirs()
    for key in ("cumulative", "tottime"):
        print(f"\n--- by {key} time, all {args.visits} visits ---")
        stats.sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()
