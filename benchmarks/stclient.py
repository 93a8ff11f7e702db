"""A headless learner for the capacity benchmarks: Streamlit's own websocket protocol, no browser.

A Chromium per learner costs ~150 MB and a core's worth of start-up; 30 of them on a 2-core
machine would measure the browsers, not the server. This client speaks what the browser
speaks to the server (protobuf BackMsg / ForwardMsg over ``/_stcore/stream``): it asks for
a page run with the page's name and query string, exactly as a deep link or a sidebar click
does, and waits for the run to finish. It does not fetch the media files (photos) a page
references over HTTP, nor draw anything: the server's side of a visit is all there.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import streamlit_server  # noqa: E402


@contextmanager
def server(env: dict[str, str] | None = None):
    """`streamlit run streamlit_app.py` (tests/browser.py's), file watcher off; yields (port, process).

    No file watcher: a class server's sources do not change, and on this machine other work writes files
    all the time (the watcher's rescans cost more CPU than the pages).
    """
    with streamlit_server({"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", **(env or {})}) as (url, proc):
        yield int(url.rsplit(":", 1)[1]), proc


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Visit:
    page: str
    seconds: float
    ok: bool
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception the page showed


@dataclass
class Learner:
    """One browser tab: one websocket session that visits pages in turn."""

    port: int
    lang: str = "zh"
    visits: list[Visit] = field(default_factory=list)
    _ws: object = None
    _pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash

    async def __aenter__(self) -> Learner:
        self._ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                            max_size=None, open_timeout=60, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def visit(self, page: str, timeout: float = 60.0, quiet: float = 0.3) -> Visit:
        """Open ``page`` (its URL path, "" for home) and wait until its run has finished and no other starts."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = f"lang={self.lang}"
        state.page_name = page
        if page in self._pages:
            state.page_script_hash = self._pages[page]
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        finished, ok, exceptions = False, False, []
        deadline = start + timeout
        while True:
            wait = (quiet if finished else deadline - time.perf_counter())
            if wait <= 0:
                break
            try:
                raw = await asyncio.wait_for(self._ws.recv(), wait)
            except TimeoutError:
                break
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self._pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "new_session":
                finished = False
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                    and fwd.delta.new_element.WhichOneof("type") == "exception":
                shown = fwd.delta.new_element.exception
                exceptions.append(f"{shown.type}: {shown.message}"[:200])
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    finished, ok = True, True
                    settled = time.perf_counter()
        seconds = (settled if ok else time.perf_counter()) - start
        visit = Visit(page, seconds, ok and finished, exceptions)
        self.visits.append(visit)
        return visit
