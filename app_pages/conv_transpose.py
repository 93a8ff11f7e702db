"""Transposed convolution: F.conv_transpose2d on the course convolution's 3×3 result, one input cell at a time.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
import numpy as np
import streamlit as st

from core import course
from core.basics import ops, transposed
from ui import CHART, animation_labels, lang, lesson, screen_px, speed_control, t, tensor_shape, urlstate
from ui.practice import practice_section

SCOPE = "conv_transpose"
DEFAULTS = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}
COURSE_RESULT = np.array([[10, 12, 12], [18, 16, 16], [13, 9, 3]])  # F.conv2d(course input, course kernel)
INPUT_LIMITS = (1, 6, 1, 6)
KERNEL_LIMITS = (1, 5, 1, 5)


def reset() -> None:
    st.session_state.update(DEFAULTS)
    urlstate.set_matrix(SCOPE, "x", COURSE_RESULT)
    urlstate.set_matrix(SCOPE, "weight", course.CONV_KERNEL)


def fixes(err: ops.SettingsError) -> list[tuple[str, dict]]:
    """The one change that makes PyTorch accept the settings, then the way back to the defaults."""
    limit = err.params.get("limit")
    offered = {"output_padding_too_big": [(t("conv_transpose.fix_output_padding", limit=limit), {"output_padding": limit})],
               "transpose_too_small": [(t("conv_transpose.fix_padding", limit=limit), {"padding": limit})]}
    return offered.get(err.code, [])


def explain(trace: transposed.TransposeTrace, *_: object) -> lesson.Explanation:
    from core import viz

    x, w = trace.x, trace.weight
    labels = animation_labels() | {"input": t("conv_transpose.input"), "output": t("conv_transpose.output")}

    def not_an_inverse() -> None:
        st.subheader(t("conv_transpose.not_inverse_title"))
        st.markdown(t("conv_transpose.not_inverse"))
        st.plotly_chart(viz.matrices([course.CONV_INPUT, trace.output],
                                     [t("conv_transpose.course_input"), t("conv_transpose.this_output")], screen_px(share=0.5)),
                        key="conv_transpose_compare", config=CHART)

    course_numbers = (np.array_equal(x, COURSE_RESULT) and np.array_equal(w, course.CONV_KERNEL)
                      and trace.output.shape == course.CONV_INPUT.shape)  # what "the same kernel" says
    return lesson.Explanation(
        figure=viz.scatter_animation(trace, labels, duration, screen_px()),
        legend=" ".join([t("conv_transpose.legend")] + [t("conv_transpose.legend_cropped")] * viz.scatter_cropped(trace)),
        size_latex=(r"\begin{aligned}H_{out} = {} & (H_{in} - 1)\,s - 2p + d\,(k-1) \\ & + \text{output\_padding} + 1"
                    r"\end{aligned}"),
        size_lines=tuple((axis, transposed.size_formula(n, k, stride, padding, output_padding, dilation))
                         for axis, n, k in (("H", x.shape[0], w.shape[0]), ("W", x.shape[1], w.shape[1]))),
        shape=t("conv_transpose.result_shape", input=tensor_shape(1, 1, *x.shape),
                output=tensor_shape(1, 1, *trace.output.shape)),
        code=transposed.code(x, w, stride, padding, output_padding, dilation, lang()),
        extra=not_an_inverse if course_numbers else None)


st.title(t("conv_transpose.title"))
st.markdown(t("conv_transpose.intro"))
urlstate.copy_link()

c1, c2, c3, c4, c5 = st.columns(5)
stride = urlstate.slider(t("conv_transpose.stride"), 1, 4, DEFAULTS["stride"], "stride", where=c1)
padding = urlstate.slider(t("conv_transpose.padding"), 0, 3, DEFAULTS["padding"], "padding", where=c2)
output_padding = urlstate.slider(t("conv_transpose.output_padding"), 0, 3, DEFAULTS["output_padding"],
                                 "output_padding", where=c3)
dilation = urlstate.slider(t("conv_transpose.dilation"), 1, 3, DEFAULTS["dilation"], "dilation", where=c4)
with c5:
    duration = speed_control("conv_transpose_speed")

with urlstate.notes_above(), st.expander(t("conv_transpose.edit"),
                                         expanded=any(n in st.query_params for n in ("x", "weight"))):
    left, right = st.columns(2)
    with left:
        x = urlstate.matrix(t("conv_transpose.input_hint"), COURSE_RESULT, "x", scope=SCOPE, limits=INPUT_LIMITS)
    with right:
        w = urlstate.matrix(t("conv_transpose.kernel_hint"), course.CONV_KERNEL, "weight", scope=SCOPE,
                            limits=KERNEL_LIMITS)
    st.button(t("conv_transpose.reset"), icon=":material/restart_alt:", on_click=reset)

lesson.show(lesson.Operation(
    SCOPE, lambda: transposed.conv_transpose2d_trace(x, w, stride, padding, output_padding, dilation), fixes, explain,
    DEFAULTS, reset_label="conv_transpose.reset"))

practice_section("conv_transpose", {"x": x, "weight": w, "stride": stride, "padding": padding,
                                    "output_padding": output_padding, "dilation": dilation})
