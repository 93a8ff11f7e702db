"""One run on the Training page: its phase and progress while it trains (redrawn every second), its curves,
insight and layers once it has epochs, the device it trains on, and the owner's caps on what a run may ask for."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
import torch

from core import errors
from core.errors import CodedError
from core.training import runs, train, trainviz
from core.training.events import Phase, Step
from core.training.jobs import Job, QueueFull
from core.training.recipes import RecipeName
from ui.confusion import insight_view
from ui.language import class_label, explain, t
from ui.tblogs import run_expander
from ui.training import me, no_worker_note, reachable, submit, trainings, where
from ui.training_inside import layers_view
from ui.widgets import CHART, screen_px


def device_line() -> str:
    device = train.pick_device("auto")
    if device.type == "cuda":
        return t("train.device_cuda", name=torch.cuda.get_device_name(0))
    if device.type == "mps":
        return t("train.device_mps")
    return t("train.device_cpu", threads=torch.get_num_threads())


def error_text(error: Exception) -> str:
    """A failed job's error in the learner's language: data problems, settings that cannot train, anything else."""
    if isinstance(error, CodedError):
        return explain(error)
    first = (str(error).splitlines() or [""])[0]
    return t("train.failed", error=f"{type(error).__name__}: {errors.without_paths(first)}")


def phase_line(job: Job) -> tuple[float, str]:
    """The job's phase in words, with its own progress (0–1)."""
    tracker = job.detail
    eta = tracker.eta() if tracker else None
    left = "…" if eta is None else f"{eta:.0f}"
    if job.stop_event.is_set():
        return 1.0, t("train.phase_stopping")
    if tracker is None or tracker.phase == Phase.PREPARING:
        if tracker is None or not tracker.total:
            return 0.0, t("train.phase_preparing_wait")
        if tracker.cached:
            return 1.0, t("train.phase_cached", total=f"{tracker.total:,}")
        return tracker.done / tracker.total, t("train.phase_preparing", done=f"{tracker.done:,}",
                                               total=f"{tracker.total:,}")
    epochs = tracker.started.epochs if tracker.started else 0
    fraction = tracker.done / tracker.total if tracker.total else 0.0
    if tracker.phase == Phase.TESTING:
        return fraction, t("train.phase_testing", epoch=tracker.epoch, done=f"{tracker.done:,}",
                           total=f"{tracker.total:,}", eta=left)
    if tracker.phase == Phase.SAVING:
        return 1.0, t("train.phase_saving", epoch=tracker.epoch, eta=left)
    return fraction, t("train.progress", epoch=tracker.epoch, epochs=epochs, done=tracker.done, total=tracker.total,
                       eta=left)


def draw_curves(curves: trainviz.Curves) -> None:
    """The four charts of these runs, two by two (one under another on a phone), titled in the learner's language."""
    titles = [t("train.chart_loss"), t("train.chart_test_loss"), t("train.chart_acc"), t("train.chart_speed")]
    figures = trainviz.curves(curves, titles, (t("train.axis_step"), t("train.axis_epoch")))
    for row in (figures[:2], figures[2:]):
        for column, fig in zip(st.columns(2), row, strict=True):
            column.plotly_chart(fig, config=CHART)


def wait_text(seconds: float | None) -> str:
    """A queued job's expected wait: seconds under a minute (never "about 0 min"), else minutes."""
    if seconds is None:
        return "…"
    if seconds < 59.5:
        return t("train.wait_s", n=max(1, round(seconds)))
    return t("train.wait_min", n=round(seconds / 60))


def show_run(run: runs.Run | None, source: Path, live_steps: list[dict] | None = None) -> None:
    """This configuration's run: curves (stacked two by two; one under another on a phone) and the last insight
    (its confusion cells open their images from ``source``, the data set it trained on)."""
    metrics = run.metrics if run else []
    steps = (run.steps() if run else []) + (live_steps or [])
    if run is not None and run.damaged:
        st.caption(t("train.damaged", count=run.damaged))
    if steps or metrics:   # four empty charts would hold back the first phase line by a second on a slow device
        draw_curves({t("train.this_run"): (steps, metrics)})
    if run is not None and run.settings.recipe == RecipeName.FAST and metrics:   # epoch 2's steps are coming: why they may jump
        st.caption(f":material/query_stats: {t('train_runs.loss_jump')}")
    if metrics:
        last = metrics[-1]
        st.caption(t("train.test_loss_line", epoch=last.epoch, mean=f"{last.test_loss:.4f}",
                     sum=f"{last.test_loss_sum:.2f}", batch=last.test_loss_sum_batch))
    seen = run.folder.insight() if run else None
    if seen is not None:
        st.markdown(f"**{t('train.insight_title', epoch=seen.epoch)}**")
        classes = [class_label(name) for name in seen.classes]
        classes += [f"#{i}" for i in range(len(classes), len(seen.confusion))]  # outputs past a small set's classes
        left, right = st.columns(2)
        left.caption(t("train.insight_grid"))
        left.plotly_chart(trainviz.prediction_grid(seen.images.numpy(), seen.labels.tolist(),
                                                   seen.predicted.tolist(), classes, screen_px(share=0.5)),
                          config=CHART)
        right.caption(t("train.insight_filters"))
        right.image(trainviz.filter_sheet(seen.filters.numpy()), width="stretch")
        insight_view(seen, classes, source)
    layers_view(metrics)
    if metrics:
        run_expander(run.key)


def owner_button(job: Job, key: str) -> None:
    """Cancel (queued) or Stop (training) for the browser that started the job, drawn outside the live view: a click
    that lands while a fragment redraws itself every second can be dropped (1 or 2 clicks in 8 in a busy one)."""
    if not job.may_stop(me()):
        return
    if job.waiting:
        st.button(t("train.cancel"), icon=":material/close:", key=f"cancel_{key}",
                  on_click=trainings().cancel, args=(job, me()))
    else:
        st.button(t("train.stop"), icon=":material/stop:", on_click=job.stop, args=(me(),), key=f"stop_{key}",
                  disabled=job.stop_event.is_set())


@st.fragment(run_every=1.0)
def live(key: str, source: Path, waiting: bool) -> None:
    """A queued or running job, redrawn every second while the rest of the page stays usable.

    source: the data set it trains on; waiting: whether the page drew it queued (with Cancel): once that changes, the
    whole page runs again."""
    if not reachable():
        st.warning(t("jobs_redis.unreachable"), icon=":material/cloud_off:")
        return
    job = trainings().get(key)
    if job is None or not (job.running or job.waiting) or job.waiting != waiting:
        st.rerun(scope="app")   # it ended, or it started: the page shows it as it is now
    if job.waiting:
        start = trainings().expected_start(job)
        st.info(t("train.queued", place=trainings().position(job), size=len(trainings().queued()),
                  start=wait_text(start)), icon=":material/hourglass_top:")
        no_worker_note()
        return
    tracker = job.detail
    if tracker is not None and tracker.resumed_from:
        st.caption(t("train.resuming", epoch=tracker.resumed_from))
    fraction, text = phase_line(job)
    st.progress(min(1.0, fraction), text=text)
    st.caption(t("jobs_redis.trains_on", where=where(job)))
    if not job.may_stop(me()):
        st.caption(t("train.watching"))
    run = runs.load(runs.runs_root() / key)
    last = run.metrics[-1].epoch if run and run.metrics else 0
    show_run(run, source, [{"step": e.step, "loss": e.loss} for e in job.snapshot()
                   if isinstance(e, Step) and e.epoch > last])


def start(config: train.Config, found) -> None:
    """Start's callback: queue the job before the page reruns, so the rerun already shows its first phase."""
    try:
        submit(config, found)
    except QueueFull as full:
        st.session_state["train_full"] = full.size
    else:
        runs.prune(protect=trainings().active())


def capped(epochs: int, subset: int, train_images: int | None) -> tuple[int, int]:
    """The owner's caps (MAX_EPOCHS, MAX_TRAIN_IMAGES), applied with a note when they bind."""
    max_epochs, max_images = int(os.environ.get("MAX_EPOCHS", 0)), int(os.environ.get("MAX_TRAIN_IMAGES", 0))
    if max_epochs and epochs > max_epochs:
        st.caption(f":orange[:material/speed:] {t('train.cap_epochs', cap=max_epochs)}")
        epochs = max_epochs
    if max_images and (subset == 0 or subset > max_images) and (train_images is None or train_images > max_images):
        st.caption(f":orange[:material/speed:] {t('train.cap_images', cap=f'{max_images:,}')}")
        subset = max_images
    return epochs, subset
