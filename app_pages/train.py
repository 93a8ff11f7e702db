"""Training: CIFAR10-quick trained in a shared background queue, with named phases, live curves and insight."""
import os

import streamlit as st
import torch

from core import errors, viz
from core.data import discovery
from core.errors import CodedError
from core.model import ARCHITECTURES
from core.training import runs, scripts, train, trainviz
from core.training.events import Phase, Step
from core.training.jobs import Job, QueueFull
from core.training.recipes import FAST_TRICKS, RECIPES, RecipeName
from ui import CHART, class_label, explain, labels, lang, screen_px, show_code, t, urlstate
from ui.data import dataset_picker
from ui.practice import practice_section
from ui.training import compare_picker, job_key, me, no_worker_note, queue_note, reachable, run_label, submit, trainings, where
from ui.training_inside import layers_view

BATCHES = (32, 64, 128, 256, 512)


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


def show_run(run: runs.Run | None, live_steps: list[dict] | None = None) -> None:
    """This configuration's run: curves (stacked two by two; one under another on a phone) and the last insight."""
    metrics = run.metrics if run else []
    steps = (run.steps() if run else []) + (live_steps or [])
    if run is not None and run.damaged:
        st.caption(t("train.damaged", count=run.damaged))
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
        right.image(trainviz.filter_sheet(seen.filters.numpy()), use_container_width=True)
        st.plotly_chart(viz.confusion(seen.confusion.tolist(), classes, t("train.predicted"),
                                      t("train.true")), config=CHART)
    layers_view(metrics)


@st.fragment(run_every=1.0)
def live(key: str) -> None:
    """A queued or running job, redrawn every second while the rest of the page stays usable."""
    if not reachable():
        st.warning(t("jobs_redis.unreachable"), icon=":material/cloud_off:")
        return
    job = trainings().get(key)
    if job is None or not (job.running or job.waiting):
        st.rerun(scope="app")   # it ended: the page shows it as a finished run
    mine = job.may_stop(me())
    if job.waiting:
        start = trainings().expected_start(job)
        st.info(t("train.queued", place=trainings().position(job), size=len(trainings().queued()),
                  start=wait_text(start)), icon=":material/hourglass_top:")
        no_worker_note()
        if mine:
            st.button(t("train.cancel"), icon=":material/close:", key=f"cancel_{key}",
                      on_click=trainings().cancel, args=(job, me()))
        return
    tracker = job.detail
    if tracker is not None and tracker.resumed_from:
        st.caption(t("train.resuming", epoch=tracker.resumed_from))
    fraction, text = phase_line(job)
    st.progress(min(1.0, fraction), text=text)
    st.caption(t("jobs_redis.trains_on", where=where(job)))
    if mine:
        st.button(t("train.stop"), icon=":material/stop:", on_click=job.stop, args=(me(),), key=f"stop_{key}",
                  disabled=job.stop_event.is_set())
    else:
        st.caption(t("train.watching"))
    run = runs.load(runs.runs_root() / key)
    last = run.metrics[-1].epoch if run and run.metrics else 0
    show_run(run, [{"step": e.step, "loss": e.loss} for e in job.snapshot()
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


st.title(t("train.title"))
st.markdown(t("train.intro"))
on_cpu = train.pick_device("auto").type == "cpu"
if not queue_note():
    st.info(device_line(), icon=":material/memory:")
picked = dataset_picker(t("data.choose"), discovery.trainable, key="dataset")
if picked is None:
    st.markdown(t("train.needs_data"))
    st.stop()

c1, c2 = st.columns([2, 3])
recipe = urlstate.choice(t("train.recipe"), list(RECIPES), RecipeName.FAST if on_cpu else RecipeName.IMPROVED, "recipe",
                         scope="train", format_func=labels("train.recipe_"), where=c1)
arch = urlstate.choice(t("model.arch"), ARCHITECTURES, "course", "arch", scope="train",
                       format_func=labels("arch."), where=c2)
defaults = RECIPES[recipe].defaults()
default_label = t("train.recipe_default")   # format_func may run after the script run: fix the language now
c1, c2, c3, c4, c5 = st.columns(5)
epochs = urlstate.number("epochs", 1, 100, defaults["epochs"], "epochs", step=1, where=c1)
lr = urlstate.number("lr", 1e-5, 1.0, None, "lr", where=c2, format="%g",
                     placeholder=f"{defaults['lr']} ({default_label})")
batch_size = urlstate.choice("batch_size", [None, *BATCHES], None, "batch_size", scope=f"train_{recipe}",
                             kind="selectbox", where=c3, format_func=lambda b: str(b) if b else
                             f"{defaults['batch_size']} ({default_label})")
optimizer = urlstate.choice("optimizer", [None, "sgd", "adam"], None, "optimizer", scope=f"train_{recipe}",
                            kind="selectbox", where=c4, format_func=lambda o: o or
                            f"{defaults['optimizer']} ({default_label})")
subset = urlstate.number(t("train.subset"), 0, 50_000, 0, "subset", step=1000, where=c5, help=t("train.subset_help"))
epochs, subset = capped(int(epochs), int(subset), None)
config = train.Config(data=str(picked.path), recipe=recipe, arch=arch, epochs=epochs, lr=lr, batch_size=batch_size,
                      optimizer=optimizer, subset=subset or None)
key = job_key(config, picked.found)
settings = config.resolved()  # the recipe's defaults where the learner left a setting open
optimizer_name = t(f"train.optimizer_{RECIPES[recipe].optimizer_kind(settings.optimizer)}")
st.caption(t(f"train.about_{recipe}", batch_size=settings.batch_size, lr=f"{settings.lr:g}", optimizer=optimizer_name))
if recipe != RecipeName.COURSE:
    st.info(t("gaps.train_shown", recipe=t(f"train.recipe_{recipe}")), icon=":material/info:")
    st.button(t("gaps.train_course"), icon=":material/school:", key="train_to_course",
              on_click=st.session_state.__setitem__, args=("train_recipe", RecipeName.COURSE))
if recipe == RecipeName.FAST:
    st.markdown("\n".join(f"- {t('train.trick_' + trick)}" for trick in FAST_TRICKS))

job = trainings().get(key) if reachable() else None
earlier = runs.load(runs.runs_root() / key)
if job is not None and (job.running or job.waiting):
    live(key)
elif reachable():
    if job is not None and job.state == "failed":
        st.error(error_text(job.error), icon=":material/error:")
    if runs.stopped_before_first_epoch(runs.runs_root() / key):
        st.info(t("train_runs.stopped_first_epoch"), icon=":material/stop_circle:")
    if earlier is not None and earlier.complete:
        st.success(t("train.already", acc=f"{earlier.metrics[-1].test_acc:.1%}"), icon=":material/check_circle:")
    else:
        resume = earlier is not None and earlier.metrics
        label = t("train.resume", epoch=len(earlier.metrics) + 1) if resume else t("train.start")
        st.button(label, icon=":material/play_arrow:", type="primary", key="train_start", on_click=start,
                  args=(config, picked.found))
        if "train_full" in st.session_state:
            st.warning(t("train.queue_full", size=st.session_state.pop("train_full")), icon=":material/hourglass_top:")
    if earlier is not None and earlier.metrics:
        show_run(earlier)

with st.expander(t("train.code_title")):
    script = scripts.generate(config.resolved(), picked.shown, picked.found.kind, lang())
    st.caption(t(f"train.script_{'course' if recipe == RecipeName.COURSE else 'fast'}"))
    show_code(script, not_run=t("common.not_run"))
    st.caption(t("train.tensorboard"))

finished = runs.comparable()
if finished:
    st.subheader(t("train.compare_title"))
    by_key = {r.key: r for r in finished}
    names = {r.key: run_label(r) for r in finished}
    chosen = compare_picker(finished, key)
    if chosen:
        draw_curves({names[r.key]: (r.steps(), r.metrics) for r in chosen})
    st.caption(t("train.runs_size", count=len(finished), mb=f"{runs.size_mb():.0f}",
                 keep=os.environ.get("RUNS_KEEP", runs.DEFAULT_KEEP),
                 max_mb=os.environ.get("RUNS_MAX_MB", runs.DEFAULT_MAX_MB)))
    st.subheader(t("train.download_title"))
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = by_key[c1.selectbox(t("train.download_run"), list(by_key), format_func=names.get, key="train_download_run")]
    if pick.metrics:
        urlstate.keep_within("train_download_epoch", 1, len(pick.metrics), name="epoch", where=c2)
        epoch = c2.number_input("epoch", 1, len(pick.metrics), len(pick.metrics), key="train_download_epoch")
        path = pick.checkpoint(epoch)
        if path.is_file():
            c3.download_button(t("train.download"), path.read_bytes(), file_name=f"tudui_{pick.settings.arch}_"
                               f"epoch{epoch}.pth", mime="application/octet-stream", icon=":material/download:")
        st.caption(t("train.download_note"))

practice_section("train")
