"""TensorBoard's own app in the page (core/tbserve.py serves it at /tensorboard/), and a learner's uploaded logs.

The frame's page asks /tensorboard/data/environment first (TensorBoard answers it with JSON). A host that
forwards only Streamlit's own paths answers with Streamlit's page or an error instead: then the frame is
replaced by one translated line, and the page's redrawn view below it is what the learner reads.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import plotly.graph_objects as go
import streamlit as st

from core import tbserve
from core.chapters import tbevents, tbupload
from core.errors import CodedError
from core.uploads import sessions
from ui import CHART, explain, session_files, t
from ui.uploads import read_once

KEY = "tblogs_zip"

FRAME = """<div id="tb-box"><iframe id="tb" title="TensorBoard" src="{src}"
 style="width:100%;height:{height}px;border:1px solid #ddd;border-radius:6px"></iframe></div>
<p id="tb-none" hidden style="font-family:sans-serif;font-size:14px;color:#555">{none}</p>
<script>
fetch({probe}).then(r => r.ok ? r.json() : Promise.reject(r.status)).catch(() => {{
  document.getElementById("tb-box").remove();
  document.getElementById("tb-none").hidden = false;
}});
</script>"""


def frame(prefix: str = tbserve.PREFIX, run_filter: str | None = None, height: int = 640) -> None:
    """TensorBoard's scalars dashboard from ``prefix`` in a frame, its runs filtered to ``run_filter`` (a
    regular expression over run names, TensorBoard's own ``runFilter``). Without TensorBoard: the reason."""
    if not tbserve.available():
        st.caption(f":material/info: {t('tblogs.not_installed')}")
        return
    query = f"?runFilter={quote(run_filter)}" if run_filter else ""
    page = FRAME.format(src=html.escape(f"{prefix}/{query}#timeseries"), height=height,
                        probe=json.dumps(f"{prefix}/data/environment"), none=html.escape(t("tblogs.unreachable")))
    st.iframe(page, height=height + 12)


def run_expander(run_key: str) -> None:
    """A training run's logs in TensorBoard itself (the Training page's run): the shared app, only this run."""
    with st.expander(t("tblogs.run_expander"), icon=":material/monitoring:"):
        frame(run_filter=f"^runs/{run_key}/")


def scalar_chart(tag: str, events: tuple[tuple[int, float], ...], height: int = 240) -> go.Figure:
    """One tag's curve, titled with the tag, as TensorBoard draws a scalar."""
    steps = [s for s, _ in events]
    few = len(steps) <= 12   # a run's epochs: each point marked, each step its own tick (never "0.5")
    figure = go.Figure(go.Scatter(x=steps, y=[v for _, v in events], mode="lines+markers" if few else "lines", name=tag))
    figure.update_layout(title={"text": tag, "font": {"size": 14}}, height=height, xaxis_title="step",
                         margin={"l": 10, "r": 24, "t": 36, "b": 10})   # room for the last step's label
    if few:
        figure.update_xaxes(tickmode="array", tickvals=steps)
    return figure


def demo_and_runs(logs_zip: bytes, store: Path | None, name: str) -> None:
    """The page's logs for this photo and batch size (unpacked where TensorBoard's app reads them) and every
    training run, in TensorBoard itself."""
    st.markdown(t("tblogs.real_intro"))
    if store is not None:
        tbevents.keep_unpacked(logs_zip, store / tbserve.DEMO / name)
    frame(run_filter=f"^(demo/{re.escape(name)}|runs/.*)$")


def _unpack(data: bytes) -> tbupload.Uploaded | CodedError:
    """The zip unpacked into a new folder of this session's (the previous logs upload removed), or why not."""
    folders = session_files.folders()
    previous = st.session_state.pop("tblogs_folder", None)
    if previous is not None:
        sessions.remove(previous)
    try:
        found = tbupload.unpack_logs(data, folders.new_item(session_files.session_id(), len(data)))
    except CodedError as err:
        return err.bare()
    st.session_state["tblogs_folder"] = found.folder
    return found


def uploaded() -> None:
    """The learner's own logs folder, zipped: its runs and tags as the page shows its own, the same-tag trap
    where it happened, and TensorBoard itself over it (this session's folder only)."""
    st.markdown(t("tblogs.yours_intro"))
    file = st.file_uploader(t("tblogs.upload"), type=["zip"], key=KEY)
    done = read_once(KEY, file, _unpack)
    if done is None:
        return
    found = done.value
    if isinstance(found, CodedError):
        st.error(explain(found), icon=":material/gpp_bad:")
        return
    if not found.folder.is_dir():   # the session's folder was cleared to keep the server's disk bounded
        st.info(t("tblogs.gone"), icon=":material/info:")
        return
    st.dataframe([{t("tblogs.col_run"): run, t("tblogs.col_tag"): tag, t("tblogs.col_kind"): kind,
                   t("tblogs.col_steps"): steps}
                  for run, logs in found.runs.items() for tag, kind, steps in _tags(logs)], hide_index=True)
    for trap in found.went_back:
        st.warning(t("tblogs.went_back", tag=trap.tag, run=trap.run, last=trap.last, step=trap.step, file=trap.file),
                   icon=":material/undo:")
    if not found.went_back:
        st.success(t("tblogs.no_trap"), icon=":material/check_circle:")
    for run, logs in found.runs.items():
        if logs.scalars or logs.images:
            st.markdown(f"**{run}**")
        for k, (tag, events) in enumerate(logs.scalars.items()):
            if k % 2 == 0:
                row = st.columns(2)
            row[k % 2].plotly_chart(scalar_chart(tag, events), key=f"tblogs_{run}_{tag}", config=CHART)
        for tag, pictures in logs.images.items():
            last = pictures[-1]
            st.columns(2)[0].image(last.png, caption=f"{tag} · step {last.step} · {last.width}×{last.height}")
    st.markdown(t("tblogs.yours_real"))
    frame(prefix=f"{tbserve.PREFIX}/{tbserve.UPLOAD}/{found.folder.relative_to(session_files.folders().root).as_posix()}")


def _tags(logs: tbevents.Logs) -> list[tuple[str, str, str]]:
    """Each tag of a run: its name, its kind (TensorBoard's tab) and its steps, first to last."""
    rows = [(tag, "SCALARS", f"{events[0][0]} … {events[-1][0]}") for tag, events in logs.scalars.items()]
    rows += [(tag, "IMAGES", f"{pictures[-1].step}") for tag, pictures in logs.images.items()]
    return rows + ([("graph", "GRAPHS", "")] if logs.graph else [])
