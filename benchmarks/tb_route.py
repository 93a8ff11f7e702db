"""What TensorBoard's route (/tensorboard/, core/tbserve.py) costs the app's server: memory and CPU, mounted or not.

    python benchmarks/tb_route.py [--runs 30] [--sessions 8] [--idle 30]

Two servers over the same folders, one after the other: `streamlit run streamlit_app.py` (the route
mounted by st.App) and the same script started the way Streamlit starts a plain script (no st.App, no
route). The runs folder holds ``--runs`` runs' event files as the training code writes them (a train_loss
per step, test loss and accuracy per epoch: a class's RUNS_KEEP); the uploads folder ``--sessions``
sessions' logs (the course's y=2x written twice, a run with an image). Prints the server's resident memory
(VmRSS) and its CPU seconds over ``--idle`` seconds: started; after a learner opened the TensorBoard page
(PyTorch loaded); for the mounted server also after the shared TensorBoard has been asked for (it is built
then, and reads its folders again every RELOAD_S seconds), and after every session's own TensorBoard has been.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from stclient import Learner, cpu_s, load_average, rss_mb  # noqa: E402

from browser import free_port, streamlit_server  # noqa: E402

PLAIN = """import sys
from streamlit import config
from streamlit.web import bootstrap
config._main_script_path = sys.argv[1]
flags = {"server.port": int(sys.argv[2]), "server.headless": True, "browser.gatherUsageStats": False}
bootstrap.load_config_options(flag_options=flags)
bootstrap.run(sys.argv[1], False, [], flags)
"""


def write_runs(runs: Path, n: int) -> None:
    """``n`` runs' TensorBoard folders, by the training code's own writer: 3 epochs of 400 steps."""
    from core.training.train import _tensorboard

    for r in range(n):
        writer = _tensorboard(runs / f"run{r:03d}")
        for epoch in range(3):
            for step in range(400):
                writer.add_scalar("train_loss", 2.3 / (1 + 0.01 * (epoch * 400 + step)), epoch * 400 + step)
            writer.add_scalar("test_loss", 1.9 - 0.2 * epoch, epoch)
            writer.add_scalar("test_accuracy", 0.3 + 0.1 * epoch, epoch)
        writer.close()


def write_sessions(uploads: Path, n: int) -> list[str]:
    """``n`` sessions' uploaded logs, as core.uploads lays them out (<session>/<upload>/); their URL parts."""
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    names = []
    for s in range(n):
        folder = uploads / f"{s:024x}" / f"{s:016x}" / "logs"
        for slope in (2, 3):
            writer = SummaryWriter(str(folder), filename_suffix=f".{slope}")
            for i in range(100):
                writer.add_scalar("y=2x", slope * i, i)
            writer.close()
        writer = SummaryWriter(str(folder / "run2"))
        writer.add_image("test", np.zeros((300, 451, 3), np.uint8), 1, dataformats="HWC")
        writer.close()
        names.append(f"{s:024x}/{s:016x}")
    return names


def visit_page(port: int) -> None:
    """A learner opens the TensorBoard page's TensorBoard tab (PyTorch loaded, the page's demo logs written)."""
    async def go() -> None:
        async with Learner(port, "en") as learner:
            assert (await learner.visit("tensorboard", timeout=300, query="lang=en&tab=tensorboard")).ok

    asyncio.run(go())


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as answer:
        return answer.read().decode()


def idle_cpu(pid: int, seconds: float) -> float:
    before = cpu_s(pid)
    time.sleep(seconds)
    return cpu_s(pid) - before


def line(what: str, pid: int, seconds: float) -> None:
    cpu = idle_cpu(pid, seconds)
    print(f"{what:<44} {rss_mb(pid):7.0f} MB   {cpu:5.2f} CPU s in {seconds:.0f} s idle", flush=True)


def plain(env: dict[str, str], seconds: float) -> None:
    port = free_port()
    log = open(ROOT / "artifacts" / f"streamlit-plain-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", PLAIN, str(ROOT / "streamlit_app.py"), str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
    try:
        for _ in range(120):
            try:
                if get(f"http://127.0.0.1:{port}/_stcore/health") == "ok":
                    break
            except OSError:
                time.sleep(0.5)
        time.sleep(5)
        line("no route (a plain script), started", proc.pid, seconds)
        visit_page(port)
        line("  after a visit to the TensorBoard page", proc.pid, seconds)
        status = get(f"http://127.0.0.1:{port}/tensorboard/")
        print(f"  /tensorboard/ without the route: {'TensorBoard' if 'tb-relative-root' in status else 'Streamlit'}'s page")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def mounted(env: dict[str, str], n_runs: int, sessions: list[str], seconds: float) -> None:
    with streamlit_server(env) as (url, proc):
        time.sleep(5)
        line("route mounted, started (not yet asked)", proc.pid, seconds)
        visit_page(int(url.rsplit(":", 1)[1]))
        line("  after a visit to the TensorBoard page", proc.pid, seconds)
        start = time.time()
        get(f"{url}/tensorboard/")
        while sum(run.startswith("runs/") for run in json.loads(get(f"{url}/tensorboard/data/plugin/scalars/tags"))) < n_runs:
            time.sleep(0.5)
        print(f"  the shared TensorBoard built and read every run in {time.time() - start:.1f} s")
        line("  after /tensorboard/ (demo + runs)", proc.pid, seconds)
        start = time.time()
        for name in sessions:
            assert "y=2x" in get(f"{url}/tensorboard/upload/{name}/data/plugin/scalars/tags")
        print(f"  {len(sessions)} sessions' TensorBoards in {time.time() - start:.1f} s")
        line(f"  after {len(sessions)} sessions' own TensorBoards", proc.pid, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--idle", type=float, default=30)
    args = parser.parse_args()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tb-route-") as folder:
        runs, uploads = Path(folder) / "runs", Path(folder) / "uploads"
        write_runs(runs, args.runs)
        sessions = write_sessions(uploads, args.sessions)
        env = {"RUNS_DIR": str(runs), "UPLOADS_DIR": str(uploads), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
        print(load_average())
        plain(env, args.idle)
        mounted(env, args.runs, sessions, args.idle)
        print(load_average())


if __name__ == "__main__":
    main()
