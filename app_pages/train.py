"""Training: CIFAR10-quick trained in a shared background queue, with named phases, live curves and insight."""
import os

import streamlit as st

from core.data import discovery
from core.model import ARCHITECTURES
from core.training import runs, scripts, train
from core.training.recipes import FAST_TRICKS, RECIPES, RecipeName
from ui import labels, lang, show_code, t, urlstate
from ui.data import dataset_picker
from ui.owndata import shown_here, trains_here
from ui.practice import practice_section
from ui.training import compare_picker, job_key, queue_note, reachable, run_label, trainings
from ui.training_inside import compare_view
from ui.training_run import capped, device_line, draw_curves, error_text, live, owner_button, show_run, start

BATCHES = (32, 64, 128, 256, 512)


st.title(t("train.title"))
st.markdown(t("train.intro"))
on_cpu = train.pick_device("auto").type == "cpu"
if not queue_note():
    st.info(device_line(), icon=":material/memory:")
picked = dataset_picker(t("data.choose"), discovery.trainable, key="dataset")
if picked is None:
    st.markdown(t("train.needs_data"))
    st.stop()
if not trains_here(picked.found):
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
              on_click=st.session_state.__setitem__, args=(urlstate.choice_key("train", "recipe"), RecipeName.COURSE))
if recipe == RecipeName.FAST:
    st.markdown("\n".join(f"- {t('train.trick_' + trick)}" for trick in FAST_TRICKS))

job = trainings().get(key) if reachable() else None
earlier = runs.load(runs.runs_root() / key)
if job is not None and (job.running or job.waiting):
    owner_button(job, key)
    live(key, picked.path, job.waiting)
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
        show_run(earlier, picked.path)

with st.expander(t("train.code_title")):
    script = scripts.generate(config.resolved(), picked.shown, picked.found.kind, lang(),
                              discovery.held_out(picked.found.splits))
    st.caption(t(f"train.script_{'course' if recipe == RecipeName.COURSE else 'fast'}"))
    show_code(script, not_run=t("common.not_run"))
    st.caption(t("train.tensorboard"))

finished = [r for r in runs.comparable() if shown_here(r.settings.data)]
if finished:
    st.subheader(t("train.compare_title"))
    by_key = {r.key: r for r in finished}
    names = {r.key: run_label(r) for r in finished}
    chosen = compare_picker(finished, key)
    if chosen:
        draw_curves({names[r.key]: (r.steps(), r.metrics) for r in chosen})
    if len(chosen) >= 2:
        compare_view(*((names[r.key], r.metrics) for r in chosen[:2]), more=len(chosen) > 2)
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
