"""The Layers page's figures: activations as matrices, curves and a photo; the two flatten paths batch by batch; the
losses' steps written out. Each takes what core computed (or the values it is computed from) and draws it."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from ui import CHART, photo_picker, screen_px, t, tensor_shape

if TYPE_CHECKING:  # core.basics.layers imports torch: the page's title draws before that import ends
    from core.basics.layers import FlattenSettings, Step


def vector(v) -> str:
    """A tensor's values as the steps write them: four decimals, in brackets."""
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


def activations(x: np.ndarray, beside) -> None:
    """The matrices in ``beside`` (two thirds of the width), the curves below at full width."""
    matrices, curves = activation_figures(tuple(map(tuple, x.tolist())), screen_px(share=2 / 3))
    beside.plotly_chart(matrices, key="act_matrices", config=CHART)
    st.plotly_chart(curves, key="act_curves", config=CHART)


def photo_activations() -> None:
    """A photo after ToTensor, through ReLU and Sigmoid, and normalised before ReLU, each with its value range."""
    from core.basics import features, layers

    st.subheader(t("layers.act_photo_title"))
    photo = photo_picker("act_photo", longest=200)
    if photo is None:
        return
    shown = layers.photo_activations(features.to_tensor(photo))
    names = {"plain": t("layers.photo_plain"), "relu": "ReLU", "sigmoid": "Sigmoid",
             "normalized": t("layers.photo_normalized"), "relu_normalized": t("layers.photo_relu_normalized")}
    for column, (name, tensor) in zip(st.columns(len(shown)), shown.items()):
        column.image(features.to_image(tensor), caption=names[name], width="stretch")
        column.caption(t("layers.range", low=f"{tensor.min():.3f}", high=f"{tensor.max():.3f}"))
    st.markdown(t("layers.act_photo_explain"))


def _paths(paths: dict[str, list[Step]], batch: int, last: int) -> None:
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


def batches(settings: FlattenSettings) -> None:
    """How the data set splits into batches, and both flatten paths over a full batch and the last one (with one
    batch alone there is nothing to compare it with)."""
    from core.basics import layers

    total, batch, full, last = settings.dataset_size, settings.batch_size, settings.full_batches, settings.last_batch
    if full == 0:
        st.markdown(t("layers.one_batch", total=total, batch=batch))
        return
    even = total % batch == 0
    st.markdown(t("layers.last_batch_even" if even else "layers.last_batch", total=total, batch=batch, full=full,
                  last=last))
    _paths(layers.flatten_paths(settings), batch, last)


def regression_steps(r: dict, n: int) -> None:
    """L1Loss and MSELoss from their differences to their mean and sum."""
    st.markdown(t("layers.l1_steps", diff=vector(r["abs"]), total=f"{float(r['l1_sum']):.4f}", n=n,
                  mean=f"{float(r['l1_mean']):.4f}"))
    st.markdown(t("layers.mse_steps", diff=vector(r["square"]), total=f"{float(r['mse_sum']):.4f}", n=n,
                  mean=f"{float(r['mse_mean']):.4f}"))
    st.caption(t("layers.reduction"))


def cross_entropy(ce: dict, target: int) -> None:
    """CrossEntropyLoss's steps, exp to the gradient, and the softmax as bars with the target marked."""
    from core import viz

    st.markdown(t("layers.ce_steps", exp=vector(ce["exp"]), sum=f"{float(ce['sum_exp']):.4f}",
                  softmax=vector(ce["softmax"]), target=target, picked=f"{float(ce['picked']):.4f}",
                  lse=f"{float(ce['log_sum_exp']):.4f}", loss=f"{float(ce['loss']):.4f}",
                  p=f"{float(ce['softmax'][target]):.4f}", grad=vector(ce["grad"])))
    st.plotly_chart(viz.bars([str(i) for i in range(len(ce["softmax"]))], ce["softmax"].tolist(), target,
                             y_title="softmax"), key="ce_bars", config=CHART)
