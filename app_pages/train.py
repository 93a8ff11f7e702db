"""Training: CIFAR10-quick trained in a background job, with live curves; finished runs compared and downloaded."""
from pathlib import Path

import streamlit as st
import torch

from core import codegen, data, runs, train, viz
from core.jobs import Busy, Registry
from core.model import ARCHITECTURES
from ui import labels, show_code, t
from ui.data import cifar10_panel, found_datasets

CHART = {"displayModeBar": False}


@st.cache_resource(show_spinner=False)
def trainings() -> Registry:
    """Shared by every session of this process: one config is one job, and one job trains at a time."""
    return Registry(max_running=1)


def device_line() -> str:
    device = train.pick_device("auto")
    if device.type == "cuda":
        return t("train.device_cuda", name=torch.cuda.get_device_name(0))
    if device.type == "mps":
        return t("train.device_mps")
    return t("train.device_cpu", threads=torch.get_num_threads())


def trainable(found: list[data.Found]) -> list[data.Found]:
    """CIFAR-10, or folder data sets with train/ and test/ splits."""
    return [f for f in found if f.kind == "cifar10" or (f.kind == "folder" and {"train", "test"} <= set(f.splits))]


def curve_titles() -> list[str]:
    return [t("train.chart_loss"), t("train.chart_test_loss"), t("train.chart_acc"), t("train.chart_speed")]


def run_label(run: runs.Run) -> str:
    c = run.config
    best = max((m["test_acc"] for m in run.metrics), default=0)
    return (f"{c['recipe']} · {t('arch.' + c['arch'])} · {len(run.metrics)}/{c['epochs']} epochs · lr {c['lr']} · "
            f"batch {c['batch_size']}{' · subset ' + str(c['subset']) if c.get('subset') else ''} · {best:.1%}")


def error_text(error: Exception) -> str:
    """A failed job's error in the learner's language: data problems, settings that cannot train, anything else."""
    if isinstance(error, train.TrainingError):
        return t(f"train.error_{error.code}", **error.params)
    if isinstance(error, data.DataError):
        return t(f"data.error_{error.code}", **error.params)
    return t("train.failed", error=str(error).splitlines()[0])


@st.fragment(run_every=1.0)
def live(key: str) -> None:
    """Progress, ETA and curves of a running job, redrawn every second while the rest of the page stays usable."""
    job = trainings().get(key)
    if job is None or not job.running:
        st.rerun(scope="app")  # it finished: the page shows it as a finished run
    run = runs.load(runs.runs_root() / key)
    metrics = run.metrics if run else []
    last = metrics[-1]["epoch"] if metrics else 0
    steps = (run.steps() if run else []) + [e for e in job.snapshot() if e["type"] == "step" and e["epoch"] > last]
    eta = job.eta()
    fraction = job.done / job.total if job.total else 0.0
    epoch = steps[-1]["epoch"] if steps else last
    st.progress(fraction, text=t("train.progress", done=int(job.done), total=int(job.total), epoch=epoch,
                                 eta="…" if eta is None else f"{eta:.0f}"))
    st.button(t("train.stop"), icon=":material/stop:", on_click=job.stop, key=f"stop_{key}")
    st.plotly_chart(viz.training_curves({t("train.this_run"): (steps, metrics)}, curve_titles()),
                    key=f"live_{key}", config=CHART)


st.title(t("train.title"))
st.markdown(t("train.intro"))
st.info(device_line(), icon=":material/memory:")
root = data.data_root()
sources = trainable(found_datasets(str(root)))
if not sources:
    st.markdown(t("train.needs_data"))
    cifar10_panel(root)
    st.stop()

c1, c2, c3 = st.columns([2, 2, 3])
source_names = [f.name for f in sources]
source = c1.selectbox(t("data.choose"), range(len(sources)), format_func=source_names.__getitem__,
                      key="train_data")
recipe = c2.segmented_control(t("train.recipe"), list(train.RECIPES), format_func=labels("train.recipe_"),
                              default="improved", required=True, key="train_recipe", persist_state="session")
arch = c3.segmented_control(t("model.arch"), ARCHITECTURES, format_func=labels("arch."), default="course",
                            required=True, key="train_arch", persist_state="session")
defaults = train.RECIPES[recipe]
on_cpu = train.pick_device("auto").type == "cpu"
c1, c2, c3, c4, c5 = st.columns(5)
epochs = c1.number_input("epochs", 1, 100, 5 if on_cpu else defaults["epochs"], key="train_epochs")
lr = c2.number_input("lr", 1e-5, 1.0, None, format="%g", placeholder=f"{defaults['lr']} ({t('train.recipe_default')})",
                     key="train_lr")
batches = {None: f"{defaults['batch_size']} ({t('train.recipe_default')})"} | {b: str(b) for b in (32, 64, 128, 256, 512)}
batch_size = c3.selectbox("batch_size", list(batches), key="train_batch", format_func=batches.get)
optimizers = {None: f"{defaults['optimizer']} ({t('train.recipe_default')})", "sgd": "sgd", "adam": "adam"}
optimizer = c4.selectbox("optimizer", list(optimizers), key="train_optimizer", format_func=optimizers.get)
subset = c5.number_input(t("train.subset"), 0, 50_000, 5_000 if on_cpu else 0, 1000, key="train_subset",
                         help=t("train.subset_help"))
config = train.Config(data=str(data.inside(root, sources[source].path)), recipe=recipe, arch=arch, epochs=epochs,
                      lr=lr, batch_size=batch_size, optimizer=optimizer, subset=subset or None)
key = config.key()
earlier = runs.load(runs.runs_root() / key)
job = trainings().get(key)
st.caption(t(f"train.about_{recipe}"))

if job is not None and job.running:
    live(key)
else:
    if job is not None and job.state == "failed":
        st.error(error_text(job.error), icon=":material/error:")
    if earlier is not None and earlier.complete:
        st.success(t("train.already", acc=f"{earlier.metrics[-1]['test_acc']:.1%}"), icon=":material/check_circle:")
    else:
        resume = earlier is not None and earlier.metrics
        label = t("train.resume", epoch=len(earlier.metrics) + 1) if resume else t("train.start")
        if st.button(label, icon=":material/play_arrow:", type="primary", key="train_start"):
            try:
                trainings().start(key, runs.training_work(config))
            except Busy as busy:
                st.warning(t("train.busy", done=int(busy.running.done), total=int(busy.running.total)),
                           icon=":material/hourglass_top:")
            else:
                st.rerun()
    others = [j for j in trainings().running() if j.key != key]
    if others:
        st.info(t("train.other_running", done=int(others[0].done), total=int(others[0].total)),
                icon=":material/hourglass_top:")

with st.expander(t("train.code_title")):
    if recipe == "course":
        resolved = config.resolved()
        shown_path = str(Path(config.data).relative_to(data.REPO)) if Path(config.data).is_relative_to(data.REPO) \
            else config.data
        show_code(codegen.training(sources[source].kind, shown_path, arch, resolved.lr, resolved.batch_size,
                                   resolved.epochs, resolved.optimizer), runs=False)
    else:
        st.markdown(t("train.cli"))
        show_code(codegen.train_command(config), language="bash", runs=False)
    st.caption(t("train.tensorboard"))

finished = runs.all_runs()
if finished:
    st.subheader(t("train.compare_title"))
    by_key = {r.key: r for r in finished}
    names = {r.key: run_label(r) for r in finished}  # options are the stable keys: labels change as epochs finish
    default = [earlier.key] if earlier is not None and earlier.metrics else list(by_key)[:1]
    chosen = st.multiselect(t("train.compare"), list(by_key), default=default, format_func=names.get,
                            key="train_compare")
    if chosen:
        curves = {names[k][:40]: (by_key[k].steps(), by_key[k].metrics) for k in chosen}
        st.plotly_chart(viz.training_curves(curves, curve_titles()), key="compare_chart", config=CHART)
    st.subheader(t("train.download_title"))
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = by_key[c1.selectbox(t("train.download_run"), list(by_key), format_func=names.get, key="train_download_run")]
    if pick.metrics:
        epoch = c2.number_input("epoch", 1, len(pick.metrics), len(pick.metrics), key="train_download_epoch")
        path: Path = pick.checkpoint(epoch)
        if path.is_file():
            c3.download_button(t("train.download"), path.read_bytes(), file_name=f"tudui_{pick.config['arch']}_"
                               f"epoch{epoch}.pth", mime="application/octet-stream", icon=":material/download:")
        st.caption(t("train.download_note"))
