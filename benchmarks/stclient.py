"""A headless learner for the capacity benchmarks: Streamlit's own websocket protocol, no browser.

A Chromium per learner costs ~150 MB and a core's worth of start-up; 30 of them on a 2-core
machine would measure the browsers, not the server. This client speaks what the browser
speaks to the server (protobuf BackMsg / ForwardMsg over ``/_stcore/stream``): it asks for
a page run with the page's name and query string, exactly as a deep link or a sidebar click
does, and waits for the run to finish. It changes widgets and uploads files the way the
frontend does (below). It does not fetch the media files (photos) a page references over
HTTP, nor draw anything: the server's side of a visit is all there.

Widgets, as the frontend handles them: every widget in a run's deltas carries its id, which
ends with the widget's ``key``; a change is a rerun BackMsg carrying the widget states the
client holds (the server keeps the others' last values). An upload is three steps:
a ``file_urls_request`` BackMsg, answered by a ``file_urls_response`` ForwardMsg with one
``/_stcore/upload_file/<session>/<file>`` URL per file; an HTTP PUT of the file there
(multipart, field ``file``, with the XSRF cookie and its ``X-Xsrftoken`` header, as the
browser sends them); then a rerun whose file-uploader state names the file.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import streamlit_server  # noqa: E402

XSRF_COOKIE = "_streamlit_xsrf"
SHOWN_TEXT = {"heading", "alert", "markdown"}  # elements whose body a check may read


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


async def sample_rss(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    """The server's RSS every 0.25 s into ``samples`` until ``stop`` is set (its peak is what a class costs)."""
    while not stop.is_set():
        samples.append(rss_mb(pid))
        await asyncio.sleep(0.25)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, to print beside a figure (other work shares the cores)."""
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


@dataclass
class Visit:
    page: str
    seconds: float
    ok: bool
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception the page showed
    shown: list[str] = field(default_factory=list)       # the text of its headings, alerts and markdown


@dataclass
class Learner:
    """One browser tab: one websocket session that visits pages in turn, changes widgets and uploads files."""

    port: int
    lang: str = "zh"
    visits: list[Visit] = field(default_factory=list)
    session_id: str = ""
    _ws: object = None
    _http: requests.Session | None = None
    _pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    _page: str = ""
    _page_hash: str = ""
    _query: str = ""
    _widgets: dict[str, object] = field(default_factory=dict)  # widget key -> its element proto (last run)
    _states: dict[str, WidgetState] = field(default_factory=dict)  # widget id -> the value this client set

    async def __aenter__(self) -> Learner:
        self._ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                            max_size=None, open_timeout=60, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()
        if self._http is not None:
            self._http.close()

    async def visit(self, page: str, timeout: float = 60.0, quiet: float = 0.3, query: str | None = None) -> Visit:
        """Open ``page`` (its URL path, "" for home) and wait until its run has finished and no other starts.

        ``query``: the link's query string (default ``lang=<lang>``).
        """
        self._page, self._query, self._states = page, query if query is not None else f"lang={self.lang}", {}
        msg = BackMsg()
        msg.rerun_script.query_string = self._query
        msg.rerun_script.page_name = page
        if page in self._pages:
            msg.rerun_script.page_script_hash = self._pages[page]
        return await self._run(msg, timeout, quiet)

    def widget(self, key: str):
        """The element proto of the widget ``key`` as the last run drew it."""
        if key not in self._widgets:
            raise LookupError(f"no widget {key!r} on /{self._page} (last run drew {sorted(self._widgets)}; "
                              f"it showed {self.visits[-1].shown[-3:] if self.visits else []})")
        return self._widgets[key]

    async def choose(self, key: str, option: int, timeout: float = 60.0) -> Visit:
        """Click option number ``option`` (negative: from the end) of the segmented control or pills ``key``."""
        element = self.widget(key)
        state = WidgetState(id=element.id)
        state.string_array_value.data.append(element.options[option].content)
        return await self._rerun(state, timeout)

    async def upload(self, key: str, name: str, content: bytes, mime: str, timeout: float = 120.0) -> Visit:
        """Give the file uploader ``key`` one file, as a browser does (the module's docstring)."""
        widget_id = self.widget(key).id
        ask = BackMsg()
        ask.file_urls_request.request_id = uuid.uuid4().hex
        ask.file_urls_request.file_names.append(name)
        ask.file_urls_request.session_id = self.session_id
        await self._ws.send(ask.SerializeToString())
        urls = None
        while urls is None:
            fwd = self._handle(await asyncio.wait_for(self._ws.recv(), timeout))
            if fwd.WhichOneof("type") == "file_urls_response" \
                    and fwd.file_urls_response.response_id == ask.file_urls_request.request_id:
                urls = fwd.file_urls_response.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, content, mime)
        state = WidgetState(id=widget_id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(content), urls.file_id
        info.file_urls.CopyFrom(urls)
        return await self._rerun(state, timeout)

    def _put(self, path: str, name: str, content: bytes, mime: str) -> None:
        base = f"http://127.0.0.1:{self.port}"
        if self._http is None:  # the XSRF cookie, set on any page or health response
            self._http = requests.Session()
            self._http.get(f"{base}/_stcore/health", timeout=30).raise_for_status()
        token = self._http.cookies.get(XSRF_COOKIE, "")
        self._http.put(f"{base}{path}", files={"file": (name, content, mime)}, headers={"X-Xsrftoken": token},
                       timeout=120).raise_for_status()

    async def _rerun(self, state: WidgetState, timeout: float) -> Visit:
        self._states[state.id] = state
        msg = BackMsg()
        msg.rerun_script.query_string = self._query
        msg.rerun_script.page_name = self._page
        msg.rerun_script.page_script_hash = self._page_hash
        msg.rerun_script.widget_states.widgets.extend(self._states.values())
        return await self._run(msg, timeout, 0.3)

    def _handle(self, raw: bytes) -> ForwardMsg:
        """Keep what later messages need (session id, pages, query string, widgets) from one ForwardMsg."""
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        kind = fwd.WhichOneof("type")
        if kind == "navigation":
            self._pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            self._page_hash = fwd.navigation.page_script_hash  # the page this run shows
        elif kind == "new_session":
            self.session_id = fwd.new_session.initialize.session_id
            self._widgets = {}
        elif kind == "page_info_changed":
            self._query = fwd.page_info_changed.query_string
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            inner = getattr(element, element.WhichOneof("type"))
            widget_id = getattr(inner, "id", "") if "id" in inner.DESCRIPTOR.fields_by_name else ""
            if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
                self._widgets[widget_id.split("-", 2)[2]] = inner
        return fwd

    async def _run(self, msg: BackMsg, timeout: float, quiet: float) -> Visit:
        """Send ``msg`` and read until the run it starts has finished and no other started within ``quiet`` s."""
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        finished, ok, exceptions, shown = False, False, [], []
        deadline = start + timeout
        while True:
            wait = (quiet if finished else deadline - time.perf_counter())
            if wait <= 0:
                break
            try:
                raw = await asyncio.wait_for(self._ws.recv(), wait)
            except TimeoutError:
                break
            fwd = self._handle(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                finished, shown = False, []
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                what = element.WhichOneof("type")
                if what == "exception":
                    exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])
                elif what in SHOWN_TEXT:
                    shown.append(getattr(element, what).body)
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    finished, ok = True, True
                    settled = time.perf_counter()
        seconds = (settled if ok else time.perf_counter()) - start
        visit = Visit(self._page, seconds, ok and finished, exceptions, shown)
        self.visits.append(visit)
        return visit
