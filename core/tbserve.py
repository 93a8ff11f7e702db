"""TensorBoard's own web app, served by the app's server at /tensorboard/ over the logs the app already has.

The course ends its TensorBoard chapter with ``tensorboard --logdir=logs``; a learner on a
deployed app has no second port to open. So the Streamlit server (``st.App``, see
streamlit_app.py) mounts TensorBoard's WSGI app, built the way ``tensorboard`` itself builds it
(``program.TensorBoard``: its plugins, its web assets, its reader), with a server class that
serves nothing: the app's server does. Three places are read, nothing is written:

- ``demo``: the TensorBoard page's own logs, one folder per photo and batch size it wrote;
- ``runs``: every training run's ``runs/<id>/tensorboard`` (core.training.rundir);
- ``/tensorboard/upload/<session>/<upload>/``: one browser session's uploaded logs folder (core.uploads names
  both parts: a hash of the session's id, a random name), its own app, gone when the folder is (the
  session ended).

The shared app is built at its first request (importing TensorBoard and reading the logs costs
memory a server that nobody asks for TensorBoard does not pay), and reloads its folders every
``RELOAD_S`` seconds so a run still training shows new epochs. A session's app reads its folder
once: an upload does not change. At most ``MAX_SESSIONS`` session apps are kept, the least
recently asked for dropped first.
"""
from __future__ import annotations

import importlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

PREFIX = "/tensorboard"
STREAMLIT = "_stcore"      # Streamlit's own paths, which its frontend also tries under a page's path
UPLOAD = "upload"         # /tensorboard/upload/<session>/<upload>/: one session's uploaded logs
RELOAD_S = 5              # how often the shared app looks for new event files (TensorBoard's own default)
MAX_SESSIONS = 8          # session apps kept at once; one asked for again after it was dropped is read again
DEMO = "tensorboard-logs"  # the TensorBoard page's own logs, beside its other caches (core.data.cachedir)

_HEX = re.compile(r"[0-9a-f]{8,64}")
Wsgi = Callable   # a WSGI application: (environ, start_response) -> iterable of bytes


def available() -> bool:
    """True when TensorBoard's program (its web app and plugins) can be imported here."""
    try:
        importlib.import_module("tensorboard.program")
    except ImportError:
        return False
    return True


class _Captured:
    """A TensorBoard "server" that keeps the WSGI app TensorBoard built and serves nothing: the app's own server
    does. ``program.TensorBoard(server_class=…)`` is TensorBoard's way to serve its app elsewhere."""

    def __init__(self, wsgi_app: Wsgi, flags) -> None:
        self.wsgi_app = wsgi_app

    def serve_forever(self) -> None:
        """Nothing to serve: TensorBoard's launch() calls this on a thread of its own, which ends at once."""

    def get_url(self) -> str:
        return PREFIX + "/"


def build(path_prefix: str, *, logdir: Path | None = None, spec: dict[str, Path] | None = None,
          reload_s: float = 0) -> Wsgi:
    """TensorBoard's WSGI app over one folder (``logdir``) or named folders (``spec``), as ``tensorboard
    --logdir`` / ``--logdir_spec`` would serve it under ``path_prefix``. reload_s=0 reads the folders once,
    before this returns; otherwise a thread of TensorBoard's own reads them again every reload_s seconds."""
    program = importlib.import_module("tensorboard.program")
    made: list[_Captured] = []

    def keep(app: Wsgi, flags) -> _Captured:
        made.append(_Captured(app, flags))
        return made[-1]

    tb = program.TensorBoard(server_class=keep)
    options = {"logdir": str(logdir)} if logdir is not None else {
        "logdir_spec": ",".join(f"{name}:{path}" for name, path in (spec or {}).items())}
    tb.configure(path_prefix=path_prefix, reload_interval=reload_s, load_fast="false",
                 reload_task="blocking" if reload_s == 0 else "thread", window_title="TensorBoard", **options)
    tb.launch()
    return made[0].wsgi_app


def shared_folders() -> dict[str, Path]:
    """The folders every visitor's TensorBoard reads: the page's demo logs and the training runs."""
    from core.data import cachedir, paths
    from core.training.runs import runs_root

    folders = {"runs": runs_root()}
    store = cachedir.writable(cachedir.shared_candidates(paths.data_root()))
    if store is not None:
        folders = {"demo": store / DEMO, **folders}
    return folders


class Apps:
    """The shared app and the session apps, each built once and kept (a session's while its folder exists)."""

    def __init__(self, shared: Callable[[], dict[str, Path]], session_folder: Callable[[str], Path | None]) -> None:
        """shared: the named folders of the shared app; session_folder: a session's logs folder from the name in
        its URL, None for a name that is no session's (so a made-up name reads nothing)."""
        self._shared_folders = shared
        self._session_folder = session_folder
        self._shared: Wsgi | None = None
        self._sessions: OrderedDict[str, tuple[Path, Wsgi]] = OrderedDict()
        self._lock = threading.Lock()

    def shared(self) -> Wsgi:
        with self._lock:
            if self._shared is None:
                self._shared = build(PREFIX, spec=self._shared_folders(), reload_s=RELOAD_S)
            return self._shared

    def session(self, name: str) -> Wsgi | None:
        """The app over session ``name``'s uploaded logs; None when it has none (ended, never was)."""
        folder = self._session_folder(name)
        with self._lock:
            for gone in [kept for kept, (path, _) in self._sessions.items() if not path.is_dir()]:
                del self._sessions[gone]   # its session ended (or uploaded anew): its memory goes with its folder
            if folder is None or not folder.is_dir():
                return None
            kept = self._sessions.get(name)
            if kept is None or kept[0] != folder:
                kept = (folder, build(f"{PREFIX}/{UPLOAD}/{name}", logdir=folder))
                self._sessions[name] = kept
                while len(self._sessions) > MAX_SESSIONS:
                    self._sessions.popitem(last=False)
            self._sessions.move_to_end(name)
            return kept[1]

    def route(self, path: str) -> Wsgi | None:
        """The app that answers ``path`` (the request's path, from /tensorboard on); None: not found.

        Streamlit's own browser code, on the app's /tensorboard page, first looks for its server under that
        page's path (/tensorboard/_stcore/health): not TensorBoard's, and no reason to build it."""
        parts = path.removeprefix(PREFIX).split("/")
        if STREAMLIT in parts:
            return None
        if len(parts) > 1 and parts[1] == UPLOAD:
            return self.session("/".join(parts[2:4])) if len(parts) > 4 else None
        return self.shared()


class Route:
    """The ASGI side: a request under /tensorboard/ is answered by the WSGI app ``Apps.route`` picks, through
    Starlette's WSGI adapter (TensorBoard's app runs on a worker thread, never on the server's event loop)."""

    def __init__(self, apps: Apps) -> None:
        self.apps = apps

    async def __call__(self, scope, receive, send) -> None:
        import anyio.to_thread
        from starlette.responses import PlainTextResponse

        wsgi = await anyio.to_thread.run_sync(self.apps.route, scope["path"])
        if wsgi is None:
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return
        # TensorBoard strips its own path_prefix: it is handed the whole path, not the part after the mount
        await _adapter()(wsgi)({**scope, "root_path": ""}, receive, send)


def _adapter():
    """Starlette's WSGI adapter (deprecated there in favour of the a2wsgi package, which would be one more
    dependency for the same forty lines; its warning is not the learner's business)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.middleware.wsgi import WSGIMiddleware
    return WSGIMiddleware


def routes(apps: Apps | None = None) -> list:
    """The routes ``st.App(routes=…)`` adds to the app's server: everything under /tensorboard/, by default over
    the demo logs, the runs and the sessions' uploads."""
    from starlette.routing import Mount

    apps = apps or Apps(shared_folders, uploads_in(uploads_root()))
    return [Mount(PREFIX, app=Route(apps))]


def uploads_root() -> Path:
    """Where the sessions' uploads are (ui.session_files.folders: $UPLOADS_DIR, else core.uploads' default)."""
    from core.uploads import sessions

    return Path(os.environ.get("UPLOADS_DIR") or sessions.ROOT)


def uploads_in(root: Path) -> Callable[[str], Path | None]:
    """A session's uploaded folder from the ``<session>/<upload>`` of its URL: both hexadecimal names, as
    core.uploads makes them, so nothing in a URL can name another folder."""
    def folder(name: str) -> Path | None:
        parts = name.split("/")
        return root.joinpath(*parts) if len(parts) == 2 and all(_HEX.fullmatch(p) for p in parts) else None
    return folder
