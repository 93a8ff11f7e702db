"""Layers: ReLU / Sigmoid, Flatten + Linear, and the course's loss functions, every number written out.

The title, intro and tabs need no PyTorch, so they draw at once; the open tab waits for the background import.
"""
import numpy as np
import streamlit as st

from core import course
from ui import lang, layers_views, share, show_code, t, tensor_shape, urlmatrix, urlstate
from ui.loading import wait_for_torch
from ui.practice import practice_section
from ui.urlform import form, shown_choice

LIMITS = (1, 6, 1, 8)
PAIR, PAIR_LIMITS = np.array([course.LOSS_INPUT, course.LOSS_TARGET]), (2, 2, 1, 8)
LOGITS, LOGITS_LIMITS = np.array([course.CROSS_ENTROPY_LOGITS]), (1, 1, 2, 10)


def act_view() -> None:
    from core.basics import codegen

    st.markdown(t("layers.act_intro"))
    left, right = st.columns([1, 2])
    with left:
        x = urlmatrix.matrix(t("layers.act_input"), course.ACTIVATION_INPUT, "input", scope="layers", limits=LIMITS)
    layers_views.activations(x, beside=right)
    st.markdown(t("layers.act_explain"))
    show_code(codegen.activations(x, lang()))
    layers_views.photo_activations()


def flat_view() -> None:
    from core import model
    from core.basics import codegen, layers

    st.markdown(t("layers.flat_intro"))
    settings = form(layers.FlattenSettings, scope="layers")
    layers_views.batches(settings)
    st.info(t("layers.flat_lesson", features=settings.features), icon=":material/lightbulb:")
    show_code(codegen.flatten(settings.batch_size, settings.channels, settings.size, settings.size, lang()))

    st.subheader(t("layers.quick_title"))
    rows = [r for r in model.layer_table("course", (64, 3, 32, 32)) if r.index <= 7]
    st.markdown("\n".join(f"- `{r.layer}` → {tensor_shape(*r.shape)}" for r in rows))
    st.markdown(t("layers.quick_explain"))


def loss_view() -> None:
    from core.basics import codegen, layers

    st.markdown(t("layers.loss_intro"))
    left, right = st.columns([1, 2])
    with left:
        inputs, targets = urlmatrix.matrix(t("layers.loss_pair"), PAIR, "input_target", scope="layers",
                                           limits=PAIR_LIMITS)
    with right:
        layers_views.regression_steps(layers.regression_losses(inputs, targets), len(inputs))

    st.subheader(t("layers.ce_title"))
    left, right = st.columns([1, 2])
    with left:
        logits = urlmatrix.matrix(t("layers.logits"), LOGITS, "logits", scope="layers", limits=LOGITS_LIMITS)[0]
    target = form(layers.CrossEntropySettings, scope="layers", cells=[left],
                  options={"target": range(len(logits))}).target
    with right:
        layers_views.cross_entropy(layers.cross_entropy_steps(logits, target), target)
    show_code(codegen.losses(inputs, targets, logits, target, lang()))


def mine() -> dict:
    """The values the learner has set on the page, whichever tab is open: what practice's "use my settings" asks about."""
    pair = urlmatrix.shown_matrix(PAIR, "input_target", scope="layers", limits=PAIR_LIMITS)
    logits = urlmatrix.shown_matrix(LOGITS, "logits", scope="layers", limits=LOGITS_LIMITS)[0]
    return {"input": urlmatrix.shown_matrix(course.ACTIVATION_INPUT, "input", scope="layers", limits=LIMITS),
            "inputs": pair[0], "targets": pair[1], "logits": logits,
            "target": shown_choice(list(range(len(logits))), course.CROSS_ENTROPY_TARGET, "target",
                                            scope="layers")}


st.title(t("layers.title"))
st.markdown(t("layers.intro"))
share.copy_link()
VIEWS = {"activation": act_view, "flatten": flat_view, "loss": loss_view}
view, tabs = urlstate.tabs({"activation": t("layers.tab_act"), "flatten": t("layers.tab_flat"),
                            "loss": t("layers.tab_loss")}, "view", scope="layers")
with tabs[view]:
    wait_for_torch()
    VIEWS[view]()

practice_section("layers", mine())
