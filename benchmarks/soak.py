"""Soak: 30 learners on a real server's Classify page, each uploading a different 40 MP photo and a zip bomb.

    python benchmarks/soak.py [--learners 30] [--arrival 10] [--rounds 1] [--png-every 5] [--trim]

A real `streamlit run streamlit_app.py` on a free port and headless learners speaking Streamlit's
websocket protocol over loopback (benchmarks/stclient.py, no browser). Each learner opens
/classify (half in Chinese, half in English), picks "upload" as the photo source and uploads its
photo the way the browser does (file URL request, HTTP PUT, widget rerun), then picks "upload" as
the model and uploads the checkpoint. The page must show a prediction for the photo and, for the
checkpoint, the translated refusal, with no exception. The learners arrive over ``--arrival``
seconds and all stay connected until the last is done, like a class's tabs, then close.

The photos: 7744 × 5168, a gradient shifted per learner with a red block where learner i put it,
so no two are the same file; every 5th is a PNG (decoded in full, ~160 MB while it decodes), the
others JPEGs with grain, ~8 MB like a phone's. The checkpoint: CIFAR10-quick's state_dict with
its first tensor replaced by 2 GB of zeros, deflated (2.5 MB), with a different zip comment per
learner so no two share a cache entry.

Prints the server's resident memory (VmRSS): idle (after a warm-up learner did the same with a
small photo), the peak while the class is connected (sampled every 0.25 s), 5 s after the last
tab closed, and after Streamlit's reconnect window (a closed tab's session and its uploads are
kept 2 minutes for a reconnect; the window's end is noticed when another session disconnects), and
Streamlit's own account of what it holds (/_stcore/metrics: uploads, media files, st.cache_data).
With ``--rounds`` the class comes again after each window (does memory keep growing?); ``--trim``
asks glibc in the server to give back what it keeps but nothing uses (needs gdb).
Targets (issue 14): peak under 1.5 GB; back within 200 MB of idle.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import requests  # noqa: E402
from PIL import Image  # noqa: E402
from stclient import Learner, Visit, load_average, rss_mb, sample_rss, server  # noqa: E402

from core import errors, i18n  # noqa: E402
from core.inference import checkpoints  # noqa: E402

LIMIT_MB, RETURN_MB = 1500, 200
RECONNECT_S = 120  # streamlit.runtime.memory_session_storage: a closed tab's session is kept this long
TIMEOUT_S = 180


class Stuck(Exception):
    """A step went wrong (recorded in the learner's problems)."""


def bomb() -> bytes:
    """CIFAR10-quick's state_dict, its first tensor replaced by 2 GB of zeros, deflated (tests/test_classify.py)."""
    from test_classify import deflated_bomb

    return deflated_bomb(2048)


def stamped(checkpoint: bytes, i: int) -> bytes:
    """The checkpoint with learner i's zip comment: other bytes, so another cache entry, same verdict."""
    comment = f"learner {i}".encode()
    return checkpoint[:-2] + len(comment).to_bytes(2, "little") + comment


def photo(i: int, folder: Path, png_every: int, width: int = 7744, height: int = 5168) -> Path:
    """A different photo per learner, written to ``folder``: a gradient, a red block where learner i put it.

    The JPEGs have a sensor's grain (±12 levels), which makes them the size a phone's 40 MP photo is (~8 MB);
    the PNGs are smooth, or they would pass the 20 MB upload limit.
    """
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    grey = ((x + y) / 2).astype(np.uint8)
    pixels = np.stack([grey, np.roll(grey, i * 97, axis=1), grey[::-1]], axis=2)
    top = 100 * i % height
    pixels[top: top + 400, :400] = (255, 0, 0)
    path = folder / (f"photo{i}.png" if png_every and i % png_every == png_every - 1 else f"photo{i}.jpg")
    if path.suffix == ".png":
        Image.fromarray(pixels).save(path, compress_level=1)
    else:
        grain = np.random.default_rng(i).integers(-12, 13, size=(height, width, 1), dtype=np.int16)
        Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8)).save(path, quality=85)
    return path


def expected(lang: str, checkpoint: bytes) -> tuple[str, str]:
    """(the prediction heading's start, the refusal) as the page writes them in ``lang``."""
    try:
        checkpoints.check_sizes(checkpoint)
    except checkpoints.CheckpointError as err:
        refusal = errors.explain(err, lang)
    else:
        raise SystemExit("the checkpoint was not refused by core.inference.checkpoints")
    return i18n.t("cls.verdict", lang, name="\0", p="").split("\0")[0], refusal


async def learner(port: int, i: int, picture: Path, checkpoint: bytes, delay: float) \
        -> tuple[Learner, float, list[str]]:
    """One tab: the photo, then the checkpoint. Returns (the tab, still connected; seconds; problems seen)."""
    await asyncio.sleep(delay)
    lang = "zh" if i % 2 == 0 else "en"
    verdict, refusal = expected(lang, checkpoint)
    problems: list[str] = []

    def check(step: str, visit: Visit) -> list[str]:
        if not visit.ok:
            problems.append(f"learner {i}, {step}: did not finish in {TIMEOUT_S} s")
        problems.extend(f"learner {i}, {step}: {e}" for e in visit.exceptions)
        if problems:
            raise Stuck
        return visit.shown

    start = time.perf_counter()
    tab = await Learner(port, lang).__aenter__()
    try:
        check("open /classify", await tab.visit("classify", timeout=TIMEOUT_S))
        check("photo source", await tab.choose("cls_photo_source", 1, timeout=TIMEOUT_S))  # sample, upload, camera
        mime = "image/png" if picture.suffix == ".png" else "image/jpeg"
        shown = check("photo", await tab.upload("cls_photo_upload", picture.name, picture.read_bytes(), mime,
                                                timeout=TIMEOUT_S))
        if not any(text.startswith(verdict) for text in shown):
            problems.append(f"learner {i}: no prediction for the photo")
        check("model", await tab.choose("cls_model", -1, timeout=TIMEOUT_S))  # the shipped models, [a run], upload
        shown = check("checkpoint", await tab.upload("cls_weights", f"bomb{i}.pth", stamped(checkpoint, i),
                                                     "application/octet-stream", timeout=TIMEOUT_S))
        if refusal not in shown:
            problems.append(f"learner {i}: no refusal for the checkpoint")
    except Stuck:
        pass  # the next steps need what this one did not draw
    except BaseException:
        await tab.__aexit__()
        raise
    return tab, time.perf_counter() - start, problems


def held_mb(port: int) -> str:
    """What Streamlit says it holds (its /_stcore/metrics cache_memory_bytes, by kind): uploads, media, caches..."""
    text = requests.get(f"http://127.0.0.1:{port}/_stcore/metrics", params={"families": "cache_memory_bytes"},
                        timeout=60).text
    held: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{"):
            labels, value = line.rsplit(" ", 1)
            kind = labels.split('cache_type="', 1)[1].split('"', 1)[0]
            held[kind] = held.get(kind, 0) + float(value) / 2**20
    return ", ".join(f"{kind} {mb:.0f} MB" for kind, mb in sorted(held.items(), key=lambda kv: -kv[1]) if mb >= 1)


async def one_class(port: int, pid: int, args: argparse.Namespace, pictures: list[Path], checkpoint: bytes,
                    first: int) -> tuple[float, list[str]]:
    """``args.learners`` tabs (learner numbers from ``first``) arrive, do their part, then all close.

    Prints the round's figures; returns (its peak RSS, its problems)."""
    rng = random.Random(first)
    samples, stop = [], asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pid, samples, stop))
    start = time.perf_counter()
    results = await asyncio.gather(*(learner(port, first + i, pictures[i], checkpoint, rng.uniform(0, args.arrival))
                                     for i in range(args.learners)), return_exceptions=True)
    class_s, load = time.perf_counter() - start, load_average()
    tabs = [r for r in results if not isinstance(r, BaseException)]
    problems = [p for _, _, found in tabs for p in found] + [f"a learner failed: {r!r}" for r in results
                                                               if isinstance(r, BaseException)]
    connected, held = rss_mb(pid), held_mb(port)
    for tab, _, _ in tabs:
        await tab.__aexit__()
    await asyncio.sleep(5)
    stop.set()
    await sampler
    seconds = sorted(took for _, took, _ in tabs) or [float("nan")]
    print(f"{args.learners} learners arriving over {args.arrival:g} s: all done after {class_s:.0f} s; per learner "
          f"(open, photo, checkpoint) median {statistics.median(seconds):.1f} s, max {seconds[-1]:.1f} s; {load}")
    print(f"  problems: {len(problems)}" + "".join(f"\n    {problem}" for problem in problems[:20]))
    print(f"  server RSS: peak {max(samples):.0f} MB; all {len(tabs)} connected {connected:.0f} MB ({held}); "
          f"5 s after they closed {rss_mb(pid):.0f} MB")
    return max(samples), problems


async def soak(args: argparse.Namespace, pictures: list[Path], checkpoint: bytes, small: Path) -> bool:
    with server() as (port, proc):
        async with Learner(port) as first:  # a fresh server's first visit: torch still importing in the background
            shown = (await first.visit("classify", timeout=TIMEOUT_S)).exceptions
        print(f"first visit to /classify: {len(shown)} exception(s) {shown}")
        tab, took, problems = await learner(port, 0, small, checkpoint, 0)  # warm-up: imports, caches, code paths
        await tab.__aexit__()
        if problems:
            raise SystemExit("warm-up: " + "; ".join(problems))
        await asyncio.sleep(5)
        idle = rss_mb(proc.pid)
        print(f"server idle: {idle:.0f} MB ({held_mb(port)}), 5 s after a warm-up learner did the same with a small "
              f"photo in {took:.1f} s; {load_average()}")
        peak, problems = idle, []
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}:")
            round_peak, found = await one_class(port, proc.pid, args, pictures, checkpoint, 1 + round_ * args.learners)
            peak, problems = max(peak, round_peak), problems + found
            await asyncio.sleep(RECONNECT_S + 5)
            poke, _, _ = await learner(port, 0, small, checkpoint, 0)  # its disconnect reaps the expired sessions
            await poke.__aexit__()
            await asyncio.sleep(5)
            after = rss_mb(proc.pid)
            print(f"  after the {RECONNECT_S} s reconnect window: {after:.0f} MB ({held_mb(port)})")
        if args.trim:
            subprocess.run(["gdb", "-p", str(proc.pid), "-batch", "-ex", "call (int) malloc_trim(0)"],
                           capture_output=True, check=True, timeout=120)
            await asyncio.sleep(2)
            print(f"after glibc's malloc_trim(0) in the server: {rss_mb(proc.pid):.0f} MB (what the allocator kept "
                  f"but no object used)")
    print(f"server RSS: idle {idle:.0f} MB; peak {peak:.0f} MB (limit {LIMIT_MB}); after {after:.0f} MB, "
          f"{after - idle:+.0f} MB from idle (limit +{RETURN_MB}); problems: {len(problems)}")
    return not problems and peak < LIMIT_MB and after - idle < RETURN_MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=10.0, help="learners arrive over this many seconds")
    parser.add_argument("--rounds", type=int, default=1, help="classes one after another (does memory keep growing?)")
    parser.add_argument("--trim", action="store_true",
                        help="at the end, call malloc_trim(0) in the server (with gdb) and measure again")
    parser.add_argument("--png-every", type=int, default=5, help="every n-th photo is a PNG (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        folder = Path(tmp)
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            pictures = pool.starmap(photo, [(i, folder, args.png_every) for i in range(args.learners)])
            checkpoint = pool.apply(bomb)
        (folder / "warm-up").mkdir()
        small = photo(0, folder / "warm-up", 0, 640, 427)
        print(f"{args.learners} photos of 40 MP: {sum(p.stat().st_size for p in pictures) / 2**20:.0f} MB in all "
              f"(largest {max(p.stat().st_size for p in pictures) / 2**20:.1f} MB); zip-bomb checkpoint: "
              f"{len(checkpoint) / 2**20:.1f} MB, declares 2 GB")
        ok = asyncio.run(soak(args, pictures, checkpoint, small))
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
