"""Convolution: F.conv2d on the course's 5×5 matrix, window by window, then on a photo.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
from functools import partial

import numpy as np
import streamlit as st

from core import course
from core.basics import kernels, ops, sizes
from core.basics.ops import ConvSettings
from ui import lang, lesson, screen_px, share, speed_control, t, tensor_shape, urlmatrix, urlstate
from ui.conv_views import channels_view, fixes, photo_view
from ui.loading import wait_for_torch
from ui.practice import practice_section
from ui.urlform import apply, form

INPUT_LIMITS = (2, 9, 2, 9)   # rows and columns a link may ask for: the editor's own range
KERNEL_LIMITS = (1, 7, 1, 7)


def reset() -> None:
    apply(ConvSettings(), "conv")
    urlmatrix.set_matrix("conv", "x", course.CONV_INPUT)
    urlmatrix.set_matrix("conv", "weight", kernels.preset("course"))


def randomize(rows: int, cols: int) -> None:
    urlmatrix.set_matrix("conv", "x", np.random.default_rng().integers(0, 6, size=(rows, cols)))


def explain(trace: ops.Trace, settings: ConvSettings, view: lesson.View, *, weight: np.ndarray) -> lesson.Explanation:
    from core import viz
    from core.basics import codegen
    from ui import animation_labels

    x = trace.input
    return lesson.Explanation(
        figure=viz.window_animation(trace, animation_labels(), view.duration, view.start, view.picked, screen_px()),
        legend=lesson.window_legend(trace, view.picked),
        size_latex=sizes.size_latex(),
        size_lines=sizes.size_lines(x.shape, weight.shape, settings.stride, settings.padding, settings.dilation),
        shape=t("conv.result_shape", input=tensor_shape(1, 1, *x.shape),
                output=tensor_shape(1, 1, *trace.output.shape), h=x.shape[0], w=x.shape[1]),
        code=codegen.conv2d(x, weight, settings, lang()))


def steps_view(x: np.ndarray, w: np.ndarray, settings: ConvSettings, duration: int) -> None:
    lesson.show(lesson.Operation("conv", settings, partial(ops.conv2d_trace, x, w), fixes, partial(explain, weight=w),
                                 duration, clickable=True))


st.title(t("conv.title"))
st.markdown(t("conv.intro"))
share.copy_link()

# what became of a link's values is said in one line above the controls (the matrices' too, in an expander)
with urlstate.notes_above():
    c1, c2, c3, c4 = st.columns(4)
    editor = st.expander(t("conv.edit"), expanded=any(n in st.query_params for n in ("x", "weight")))
    left, right = editor.columns(2)
    settings = form(ConvSettings, scope="conv", cells=[c1, c2, c3, right, right])  # the kernel beside its matrix
    with c4:
        duration = speed_control("conv_speed")
    with left:
        x = urlmatrix.matrix(t("conv.input_hint"), course.CONV_INPUT, "x", scope="conv", limits=INPUT_LIMITS)
        r1, r2 = st.columns(2)
        rows = r1.number_input(t("conv.rows"), 2, 9, 5, key="conv_rows")
        cols = r2.number_input(t("conv.cols"), 2, 9, 5, key="conv_cols")
        b1, b2 = st.columns(2)
        b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize, args=(rows, cols))
        b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)
    w = urlmatrix.matrix(t("conv.kernel_hint"), kernels.preset(settings.kernel, settings.size), "weight", scope="conv",
                         limits=KERNEL_LIMITS, origin=f"{settings.kernel}_{settings.size}", where=right)

# Only the open tab is computed: the photo's feature maps are not built while the animation is shown.
view, tabs = urlstate.tabs({"steps": t("conv.tab_steps"), "channels": t("conv.tab_channels"),
                            "photo": t("conv.tab_photo")}, "view", scope="conv")
wait_for_torch(tabs[view])
with tabs[view]:
    if view == "steps":
        steps_view(x, w, settings, duration)
    elif view == "channels":
        channels_view(settings, duration)
    else:
        photo_view(w, settings)

practice_section("conv", {"x": x, "weight": w, "stride": settings.stride, "padding": settings.padding,
                          "dilation": settings.dilation})
