"""Layers: ReLU / Sigmoid, Flatten + Linear, and the course's loss functions, every number written out.

The title, intro and tabs need no PyTorch, so they draw at once; the open tab waits for the background import.
"""
import numpy as np
import streamlit as st

from core import course
from ui import CHART, lang, photo_picker, screen_px, share, show_code, t, tensor_shape, urlmatrix, urlstate
from ui.loading import wait_for_torch
from ui.practice import practice_section

LIMITS = (1, 6, 1, 8)


def vector(v) -> str:
    return "[" + ", ".join(f"{float(x):.4f}" for x in v) + "]"


@st.cache_resource(max_entries=64, show_spinner=False)
def activation_figures(x: tuple[tuple[float, ...], ...], width_px: int):
    """The input beside ReLU and Sigmoid of it (drawn for a plot ``width_px`` wide), and both curves with its values
    marked.

    The same for everyone with this input (most learners keep the course's), so
    built once per process: Plotly's figure building was the page's largest cost.
    """
    from core import viz
    from core.basics import layers

    x = np.array(x)
    out = layers.activations(x)
    c = layers.curves()
    flat = x.ravel()
    matrices = viz.matrices([x, out["relu"].numpy(), out["sigmoid"].numpy()],
                            ["input", "ReLU(input)", "Sigmoid(input)"], width_px)
    curves = viz.curves(c["x"], {"ReLU": c["relu"], "Sigmoid": c["sigmoid"]},
                        {"ReLU(input)": (flat, out["relu"].numpy().ravel()),
                         "Sigmoid(input)": (flat, out["sigmoid"].numpy().ravel())})
    return matrices, curves


def act_view() -> None:
    import torch

    from core.basics import codegen, features

    st.markdown(t("layers.act_intro"))
    left, right = st.columns([1, 2])
    with left:
        x = urlmatrix.matrix(t("layers.act_input"), course.ACTIVATION_INPUT, "input", scope="layers", limits=LIMITS)
    matrices, curves = activation_figures(tuple(map(tuple, x.tolist())), screen_px(share=2 / 3))
    right.plotly_chart(matrices, key="act_matrices", config=CHART)
    st.plotly_chart(curves, key="act_curves", config=CHART)
    st.markdown(t("layers.act_explain"))
    show_code(codegen.activations(x, lang()))

    st.subheader(t("layers.act_photo_title"))
    photo = photo_picker("act_photo", longest=200)
    if photo is not None:
        image = features.to_tensor(photo)
        normalized = (image - 0.5) / 0.5
        shown = {
            t("layers.photo_plain"): image,
            "ReLU": torch.relu(image),
            "Sigmoid": torch.sigmoid(image),
            t("layers.photo_normalized"): normalized,
            t("layers.photo_relu_normalized"): torch.relu(normalized),
        }
        columns = st.columns(len(shown))
        for column, (name, tensor) in zip(columns, shown.items()):
            column.image(features.to_image(tensor), caption=name, width="stretch")
            column.caption(t("layers.range", low=f"{tensor.min():.3f}", high=f"{tensor.max():.3f}"))
        st.markdown(t("layers.act_photo_explain"))


def show_paths(paths: dict, batch: int, last: int) -> None:
    """The course's torch.flatten beside nn.Flatten, batch by batch: where the first raises on the last batch."""
    for column, name in zip(st.columns(2), ("whole", "keep")):
        with column:
            st.markdown(f"**{t(f'layers.path_{name}')}**")
            for i, step in enumerate(paths[name]):
                label = t("layers.full_batch", n=batch) if i < 2 else t("layers.last_batch_label", n=last)
                if step.error:
                    st.markdown(f"`{step.code}` ({label}) → :red[**{t('layers.raises')}**]")
                    st.code(f"RuntimeError: {step.error}", language=None, wrap_lines=True)
                else:
                    st.markdown(f"`{step.code}` ({label}) → {tensor_shape(*step.shape)}")


def flat_view() -> None:
    from core import model
    from core.basics import codegen, layers

    st.markdown(t("layers.flat_intro"))
    c1, c2, c3, c4 = st.columns(4)
    batch = urlstate.slider("batch_size", 1, 128, 64, "batch_size", where=c1)
    channels = urlstate.slider(t("layers.channels"), 1, 3, 3, "channels", where=c2)
    size = urlstate.slider(t("layers.size"), 1, 32, 32, "size", where=c3)
    total = urlstate.number(t("layers.dataset_size"), 1, 100_000, 10_000, "dataset_size", where=c4)
    full, rest = divmod(total, batch)
    if full == 0:  # the one batch there is: nothing to compare it with
        st.markdown(t("layers.one_batch", total=total, batch=batch))
    else:
        last = rest or batch
        st.markdown(t("layers.last_batch" if rest else "layers.last_batch_even", total=total, batch=batch, full=full,
                      last=last))
        show_paths(layers.flatten_paths(batch, channels, size, size, last), batch, last)
    st.info(t("layers.flat_lesson", features=channels * size * size), icon=":material/lightbulb:")
    show_code(codegen.flatten(batch, channels, size, size, lang()))

    st.subheader(t("layers.quick_title"))
    rows = [r for r in model.layer_table("course", (64, 3, 32, 32)) if r.index <= 7]
    st.markdown("\n".join(f"- `{r.layer}` → {tensor_shape(*r.shape)}" for r in rows))
    st.markdown(t("layers.quick_explain"))


def loss_view() -> None:
    from core import viz
    from core.basics import codegen, layers

    st.markdown(t("layers.loss_intro"))
    left, right = st.columns([1, 2])
    with left:
        pair = urlmatrix.matrix(t("layers.loss_pair"), np.array([course.LOSS_INPUT, course.LOSS_TARGET]),
                               "input_target", scope="layers", limits=(2, 2, 1, 8))
    inputs, targets = pair[0], pair[1]
    r = layers.regression_losses(inputs, targets)
    n = len(inputs)
    with right:
        st.markdown(t("layers.l1_steps", diff=vector(r["abs"]), total=f"{float(r['l1_sum']):.4f}", n=n,
                      mean=f"{float(r['l1_mean']):.4f}"))
        st.markdown(t("layers.mse_steps", diff=vector(r["square"]), total=f"{float(r['mse_sum']):.4f}", n=n,
                      mean=f"{float(r['mse_mean']):.4f}"))
        st.caption(t("layers.reduction"))

    st.subheader(t("layers.ce_title"))
    left, right = st.columns([1, 2])
    with left:
        logits = urlmatrix.matrix(t("layers.logits"), np.array([course.CROSS_ENTROPY_LOGITS]), "logits",
                                 scope="layers", limits=(1, 1, 2, 10))[0]
        target = urlstate.choice(t("layers.target"), list(range(len(logits))), course.CROSS_ENTROPY_TARGET, "target",
                                 scope="layers", kind="selectbox")
    ce = layers.cross_entropy_steps(logits, target)
    with right:
        st.markdown(t("layers.ce_steps", exp=vector(ce["exp"]), sum=f"{float(ce['sum_exp']):.4f}",
                      softmax=vector(ce["softmax"]), target=target, picked=f"{float(ce['picked']):.4f}",
                      lse=f"{float(ce['log_sum_exp']):.4f}", loss=f"{float(ce['loss']):.4f}",
                      p=f"{float(ce['softmax'][target]):.4f}", grad=vector(ce["grad"])))
        st.plotly_chart(viz.bars([str(i) for i in range(len(logits))], ce["softmax"].tolist(), target,
                                 y_title="softmax"), key="ce_bars", config=CHART)
    show_code(codegen.losses(inputs, targets, logits, target, lang()))


def mine() -> dict:
    """The values the learner has set on the page, whichever tab is open: what practice's "use my settings" asks about."""
    pair = urlmatrix.shown_matrix(np.array([course.LOSS_INPUT, course.LOSS_TARGET]), "input_target", scope="layers",
                                 limits=(2, 2, 1, 8))
    logits = urlmatrix.shown_matrix(np.array([course.CROSS_ENTROPY_LOGITS]), "logits", scope="layers",
                                   limits=(1, 1, 2, 10))[0]
    return {"input": urlmatrix.shown_matrix(course.ACTIVATION_INPUT, "input", scope="layers", limits=LIMITS),
            "inputs": pair[0], "targets": pair[1], "logits": logits,
            "target": urlstate.shown_choice(list(range(len(logits))), course.CROSS_ENTROPY_TARGET, "target",
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
