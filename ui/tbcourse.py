"""The TensorBoard page's views of the course's logs, tab by tab, and the caches behind them.

The logs are the same for everyone with the same ``LogSettings``: written once per server (core.chapters.tbcourse)
and read back; each tab draws only what it shows, from what TensorBoard's reader found.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from core import viz
from core.basics import features
from core.chapters import reshaping, snippets, tbcourse, tbevents
from core.chapters.tbcourse import ImagesSettings, LogSettings, ScalarsSettings
from core.data import cachedir, images, paths
from core.data.sample import SAMPLE
from core.model import layer_table
from core.training import runs
from ui import CHART, lang, show_code, t, urlstate
from ui.tblogs import scalar_chart
from ui.training import run_label
from ui.urlform import form


@st.cache_resource(show_spinner=False, max_entries=4)
def store(data_root: Path) -> Path | None:
    """Where the course's logs of each setting are kept once written (None: nowhere writable, written each time)."""
    return cachedir.writable(cachedir.shared_candidates(data_root))


def batches(batch_size: int) -> list[list[torch.Tensor]]:
    return tbcourse.sample_batches(SAMPLE / "test", batch_size, epochs=tbcourse.EPOCHS)


@st.cache_data(max_entries=4, show_spinner=False)
def course_logs(folder: Path | None, settings: LogSettings) -> tbcourse.CourseLogs:
    """The same for everyone with these settings: written once per server into ``folder``, read back from there."""
    return tbcourse.stored(folder, np.array(images.sample(settings.image)), settings.batch_size, batches)


@st.cache_resource(show_spinner=False, max_entries=8)
def warm(folder: Path, sample: str) -> threading.Thread:
    """Write this photo's logs for every batch size into ``folder`` in the background, once per server: the
    learner who moves the batch_size slider next reads them there instead of waiting ~10 s for the writer.

    Not a daemon: one killed inside the writer's native code aborts the interpreter as it exits; it stops instead
    after the setting it is writing once the server's main thread has ended."""
    thread = threading.Thread(target=tbcourse.write_ahead,
                              args=(folder, np.array(images.sample(sample)), tbcourse.BATCH_SIZES, batches,
                                    threading.main_thread().is_alive),
                              name=f"tensorboard-warm-{sample}")
    thread.start()
    return thread


@st.cache_data(max_entries=4, show_spinner=False)
def first_grid(batch_size: int):
    """Without tensorboard: the DataLoader's first batch as the grid add_images would have logged."""
    return features.to_image(tbcourse.grid(tbcourse.sample_batches(SAMPLE / "test", batch_size, epochs=1)[0][0])[None])


@st.cache_data(show_spinner=False)
def same_tag_twice() -> tuple[tuple[int, float], ...]:
    return tbcourse.same_tag_twice()


@st.cache_data(max_entries=16, show_spinner=False)
def run_logs(folder: str, stamp: float) -> tbevents.Logs | None:
    """A training run's own event files (stamp: their newest change, so a run still training is read again)."""
    try:
        return tbevents.read(runs.runs_root() / folder)
    except Exception:  # noqa: BLE001 - a damaged or half-written event file gets a note, never a traceback
        return None


@st.cache_resource(max_entries=4, show_spinner=False)
def course_reshape(batch_size: int) -> reshaping.Reshaped:
    """The same for everyone with this batch size: the course's conv1 on the DataLoader's first batch."""
    return reshaping.course_reshape(tbcourse.sample_batches(SAMPLE / "test", batch_size, epochs=1)[0][0])


def offline(settings: LogSettings, code: str, img_array: np.ndarray) -> None:
    """Without tensorboard: the code not run, and what its calls would log, drawn here."""
    show_code(code, not_run=t("tensorboard.not_run"))
    st.markdown(t("tensorboard.hwc", shape=str(img_array.shape)))
    st.image(first_grid(settings.batch_size), caption=t("tensorboard.grid_offline"))
    stages = [("", (3, 32, 32))] + [(r.layer.split("(")[0], r.shape[1:]) for r in layer_table("course")]
    st.plotly_chart(viz.architecture(stages), key="tb_graph_offline", config=CHART)


def scalars_tab(logs: tbevents.Logs) -> None:
    """Each tag's curve and its value at the chosen step; the reading code; the same-tag trap."""
    st.markdown(t("tensorboard.scalars"))
    step = form(ScalarsSettings, scope="tensorboard", columns=1).global_step
    for column, (tag, events) in zip(st.columns(len(logs.scalars)), logs.scalars.items()):
        column.plotly_chart(scalar_chart(tag, events), key=f"tb_scalar_{tag}", config=CHART)
        column.metric(tag, f"{events[step][1]:g}", help=f"step {events[step][0]}")
    tag = "y=2x"
    events = logs.scalars[tag]
    show_code(snippets.tensorboard_read(tag, lang()),
              output=f"{list(logs.scalars)} {list(logs.images)}\n{len(events)} {events[-1][0]} {events[-1][1]}")
    st.markdown(t("tensorboard.same_tag"))
    mixed = same_tag_twice()
    st.plotly_chart(scalar_chart("y=2x", mixed, height=260), key="tb_same_tag", config=CHART)
    show_code(snippets.tensorboard_same_tag(lang()),
              output=f"{len(mixed)}\n{[(step, value) for step, value in mixed[98:102]]}")


def images_tab(result: tbcourse.CourseLogs, img_array: np.ndarray, batch_size: int) -> None:
    """The photo logged with dataformats='HWC' and the error without it; the DataLoader's batches per step."""
    logs = result.logs
    test = logs.images["test"][0]
    st.markdown(t("tensorboard.hwc", shape=str(img_array.shape)))
    st.image(test.png, caption=f"test · step {test.step} · {test.width}×{test.height}")
    st.markdown(t("tensorboard.wrong"))
    st.code(f'writer.add_image("test", img_array, 1)\n# {result.wrong_dataformats}', language="python", wrap_lines=True)
    st.markdown(t("tensorboard.batches"))
    epoch = form(ImagesSettings, scope="tensorboard", columns=1).epoch
    pictures = logs.images[f"Epoch: {epoch}"]
    # the step's bounds follow the batch size (how many batches an epoch has), so a link's step is fitted to them
    shown = urlstate.slider("step", 0, len(pictures) - 1, 0, "step", fits=True)
    picture = pictures[shown]
    # half the width of a wide screen (about twice the grid's size); the whole width on a phone, where columns
    # stack: a fixed width=512 pushed the phone's page sideways
    st.columns(2)[0].image(picture.png, caption=f"Epoch: {epoch} · step {picture.step} · {picture.width}×{picture.height}",
                           width="stretch")
    st.caption(t("tensorboard.batches_note", n=len(pictures), batch_size=batch_size))
    reshape_section(batch_size)


def reshape_section(batch_size: int) -> None:
    """The course's reshape(-1, 3, 30, 30) to show a 6-channel output with add_images, and view against reshape."""
    st.subheader(t("gaps.reshape_title"))
    st.markdown(t("gaps.reshape_intro", n=batch_size, twice=2 * batch_size))
    r = course_reshape(batch_size)
    left, right = st.columns(2)
    left.image(features.to_image(tbcourse.grid(r.imgs[:8])[None]), caption=t("gaps.reshape_input"), width="stretch")
    # add_images clips floats to [0, 1] (× 255): the conv's negative numbers show as black, as in TensorBoard
    right.image(features.to_image(tbcourse.grid(r.shown[:16].clamp(0, 1))[None]), caption=t("gaps.reshape_output"),
                width="stretch")
    show_code(reshaping.snippet("assets/cifar10-sample/test", batch_size, lang()), output=reshaping.printed(r))
    st.markdown(t("gaps.view"))


def graphs_tab(logs: tbevents.Logs) -> None:
    """add_graph's trace: the network's stages and each aten op with its output shape."""
    st.markdown(t("tensorboard.graph"))
    stages = [("", tbcourse.GRAPH_INPUT[1:])] + [(op.scope.split("[")[0], op.shape[1:]) for op in logs.graph]
    st.plotly_chart(viz.architecture(stages), key="tb_graph", config=CHART)
    st.dataframe([{"scope": f"Tudui/Sequential[model]/{op.scope}", "op": f"aten::{op.op}", "shape": str(list(op.shape))}
                  for op in logs.graph], hide_index=True)


def run_name(folder: str) -> str:
    """A run's log folder as the training page names the run (recipe, network, epochs, best accuracy); a folder
    that holds no readable run keeps its own name."""
    run = runs.load(runs.runs_root() / Path(folder).parent)
    return run_label(run) if run is not None else folder


def files_tab(result: tbcourse.CourseLogs) -> None:
    """The logs as a zip with the command that opens them, and every training run's own logs."""
    st.markdown(t("tensorboard.download_intro"))
    st.download_button(t("tensorboard.download"), result.zip, "logs.zip", "application/zip",
                       icon=":material/download:", key="tb_zip")
    st.code("tensorboard --logdir=logs --port=6007", language="bash")
    st.dataframe([{t("tensorboard.col_file"): f"logs/{name}", t("tensorboard.col_size"): f"{size / 1e6:.2f} MB"}
                  for name, size in result.logs.files], hide_index=True)
    st.subheader(t("tensorboard.runs_title"))
    root = runs.runs_root()
    folders = tbevents.run_event_dirs(root)
    if not folders:
        st.info(t("tensorboard.no_runs"), icon=":material/info:")
        return
    st.code(f"tensorboard --logdir={root.name} --port=6007", language="bash")
    names = {name: run_name(name) for name in (paths.relative(f, root) for f in folders)}
    # the runs on this server, newest last: options that follow the folder, so not a settings field
    folder = urlstate.choice(t("tensorboard.run"), list(names), list(names)[-1], "run", scope="tensorboard",
                             kind="selectbox", format_func=names.get)
    stamp = max(p.stat().st_mtime for p in (root / folder).iterdir())
    found = run_logs(folder, stamp)
    if not found or not found.scalars:
        st.warning(t("tensorboard.damaged"), icon=":material/broken_image:")
        return
    for k, (tag, events) in enumerate(found.scalars.items()):
        if k % 2 == 0:
            row = st.columns(2)
        row[k % 2].plotly_chart(scalar_chart(tag, events), key=f"tb_run_{tag}", config=CHART)
