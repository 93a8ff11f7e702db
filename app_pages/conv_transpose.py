"""Transposed convolution: F.conv_transpose2d on the course convolution's 3×3 result, one input cell at a time.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
from dataclasses import replace
from functools import partial

import numpy as np
import streamlit as st

from core import course
from core.basics import ops, transposed
from core.basics.transposed import TransposeSettings
from ui import CHART, animation_labels, lang, lesson, screen_px, share, speed_control, t, tensor_shape, urlmatrix, urlstate
from ui.practice import practice_section
from ui.urlform import apply, form

SCOPE = "conv_transpose"
COURSE_RESULT = np.array([[10, 12, 12], [18, 16, 16], [13, 9, 3]])  # F.conv2d(course input, course kernel)
INPUT_LIMITS = (1, 6, 1, 6)
KERNEL_LIMITS = (1, 5, 1, 5)


def reset() -> None:
    apply(TransposeSettings(), SCOPE)
    urlmatrix.set_matrix(SCOPE, "x", COURSE_RESULT)
    urlmatrix.set_matrix(SCOPE, "weight", course.CONV_KERNEL)


def fixes(err: ops.SettingsError, settings: TransposeSettings) -> list[tuple[str, TransposeSettings]]:
    """The one change that makes PyTorch accept the settings, then the way back to the defaults."""
    limit = err.params.get("limit")
    offered = {"output_padding_too_big": [(t("conv_transpose.fix_output_padding", limit=limit),
                                           replace(settings, output_padding=limit))],
               "transpose_too_small": [(t("conv_transpose.fix_padding", limit=limit), replace(settings, padding=limit))]}
    return offered.get(err.code, [])


def not_an_inverse(output: np.ndarray) -> None:
    """The course's 3×3 result, transposed with the same kernel, is 5×5 again but not the course's input."""
    from core import viz

    st.subheader(t("conv_transpose.not_inverse_title"))
    st.markdown(t("conv_transpose.not_inverse"))
    st.plotly_chart(viz.matrices([course.CONV_INPUT, output],
                                 [t("conv_transpose.course_input"), t("conv_transpose.this_output")], screen_px(share=0.5)),
                    key="conv_transpose_compare", config=CHART)


def explain(trace: transposed.TransposeTrace, settings: TransposeSettings, view: lesson.View) -> lesson.Explanation:
    from core import viz

    x, w = trace.x, trace.weight
    labels = animation_labels() | {"input": t("conv_transpose.input"), "output": t("conv_transpose.output")}
    course_numbers = (np.array_equal(x, COURSE_RESULT) and np.array_equal(w, course.CONV_KERNEL)
                      and trace.output.shape == course.CONV_INPUT.shape)  # what "the same kernel" says
    return lesson.Explanation(
        figure=viz.scatter_animation(trace, labels, view.duration, screen_px()),
        legend=" ".join([t("conv_transpose.legend")] + [t("conv_transpose.legend_cropped")] * viz.scatter_cropped(trace)),
        size_latex=transposed.SIZE_LATEX,
        size_lines=settings.size_lines(x.shape, w.shape),
        shape=t("conv_transpose.result_shape", input=tensor_shape(1, 1, *x.shape),
                output=tensor_shape(1, 1, *trace.output.shape)),
        code=transposed.code(x, w, settings, lang()),
        extra=partial(not_an_inverse, trace.output) if course_numbers else None)


st.title(t("conv_transpose.title"))
st.markdown(t("conv_transpose.intro"))
share.copy_link()

with urlstate.notes_above():  # what became of a link's values, in one line above the controls
    *cells, speed = st.columns(5)
    settings = form(TransposeSettings, scope=SCOPE, cells=cells)
    with speed:
        duration = speed_control("conv_transpose_speed")
    with st.expander(t("conv_transpose.edit"), expanded=any(n in st.query_params for n in ("x", "weight"))):
        left, right = st.columns(2)
        x = urlmatrix.matrix(t("conv_transpose.input_hint"), COURSE_RESULT, "x", scope=SCOPE, limits=INPUT_LIMITS,
                             where=left)
        w = urlmatrix.matrix(t("conv_transpose.kernel_hint"), course.CONV_KERNEL, "weight", scope=SCOPE,
                             limits=KERNEL_LIMITS, where=right)
        st.button(t("conv_transpose.reset"), icon=":material/restart_alt:", on_click=reset)

lesson.show(lesson.Operation(SCOPE, settings, partial(transposed.conv_transpose2d_trace, x, w), fixes, explain,
                             duration, reset_label="conv_transpose.reset"))

practice_section("conv_transpose", {"x": x, "weight": w, **vars(settings)})
