"""Pooling: nn.MaxPool2d (and AvgPool2d) on the course's matrix, window by window, then on a photo.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
import numpy as np
import streamlit as st

from core import course
from core.basics import ops
from ui import labels, lang, lesson, photo_picker, screen_px, speed_control, t, tensor_shape, urlstate
from ui.practice import practice_section

DEFAULTS = {"kernel_size": 3, "pool_stride": 0, "padding": 0, "dilation": 1, "ceil_mode": True, "pool_mode": "max",
            "count_include_pad": True}
INPUT_LIMITS = (1, 9, 1, 9)


def reset() -> None:
    st.session_state.update(DEFAULTS)
    urlstate.set_matrix("pool", "x", course.CONV_INPUT)


def randomize() -> None:
    rng = np.random.default_rng()
    urlstate.set_matrix("pool", "x", rng.integers(0, 10, size=rng.integers(4, 10, size=2)))


def fixes(err: ops.SettingsError) -> list[tuple[str, dict]]:
    """Half the kernel as padding, dilation 1 for avg pooling, or ceil_mode's extra window."""
    return {
        "pool_pad_too_big": [(t("pool.fix_padding", limit=kernel // 2), {"padding": kernel // 2})],
        "avg_no_dilation": [(t("conv.fix_dilation"), {"dilation": 1})],
        "pool_too_small": [(t("pool.fix_ceil"), {"ceil_mode": True})] if not ceil_mode else [],
    }.get(err.code, [])


def explain(trace: ops.Trace, start: int, picked: tuple[int, int] | None) -> lesson.Explanation:
    from core import viz
    from core.basics import codegen
    from ui import animation_labels

    bracket = (r"\left\lceil", r"\right\rceil") if ceil_mode else (r"\left\lfloor", r"\right\rfloor")
    dropped = []
    for axis, n in (("H", x.shape[0]), ("W", x.shape[1])):
        if ceil_mode and ops.last_window_dropped(n, kernel, stride, padding, dilation):
            out = ops.pool_output_size(n, kernel, stride, padding, dilation, True)
            dropped.append(t("pool.dropped", axis=axis, start=out * stride, limit=n + padding, out=out))
    return lesson.Explanation(
        figure=viz.window_animation(trace, animation_labels(), duration, start, picked, screen_px()),
        legend=lesson.window_legend(trace, picked),
        size_latex=rf"H_{{out}} = {bracket[0]} \frac{{H_{{in}} + 2p - d\,(k-1) - 1}}{{s}} {bracket[1]} + 1",
        size_lines=tuple((axis, ops.size_formula(n, kernel, stride, padding, dilation, ceil_mode))
                         for axis, n in (("H", x.shape[0]), ("W", x.shape[1]))),
        warnings=tuple(dropped), notes=(t("pool.ceil_rule"),),
        shape=t("pool.result_shape", input=tensor_shape(1, 1, *x.shape), output=tensor_shape(1, 1, *trace.output.shape)),
        code=codegen.pool2d(x, mode, kernel, stride, padding, dilation, ceil_mode, include_pad, lang()))


st.title(t("pool.title"))
st.markdown(t("pool.intro"))
urlstate.copy_link()

c1, c2, c3, c4 = st.columns(4)
kernel = urlstate.slider("kernel_size", 1, 5, DEFAULTS["kernel_size"], "kernel_size", where=c1)
stride_names = {0: t("pool.stride_default")}
# PyTorch's stride=None means "= kernel_size": 0 here, and left out of the URL like every default
stride_choice = urlstate.choice(t("pool.stride"), [0, 1, 2, 3, 4, 5], DEFAULTS["pool_stride"], "stride", scope="pool",
                                kind="select_slider", format_func=lambda s: stride_names.get(s, str(s)), where=c2)
padding = urlstate.slider(t("conv.padding"), 0, 2, DEFAULTS["padding"], "padding", where=c3)
dilation = urlstate.slider(t("conv.dilation"), 1, 3, DEFAULTS["dilation"], "dilation", where=c4)
c1, c2, c3, c4 = st.columns(4)
mode = urlstate.choice(t("pool.mode"), ["max", "avg"], DEFAULTS["pool_mode"], "mode", scope="pool",
                       format_func=labels("pool.mode_"), where=c1)
ceil_mode = urlstate.toggle("ceil_mode", DEFAULTS["ceil_mode"], "ceil_mode", where=c2)
include_pad = urlstate.toggle("count_include_pad", DEFAULTS["count_include_pad"], "count_include_pad", where=c3,
                              disabled=mode != "avg")
with c4:
    duration = speed_control("pool_speed")
stride = stride_choice or kernel

# a shared matrix is shown; what became of a link's value for it is said above, where it shows
with urlstate.notes_above(), st.expander(t("pool.edit"), expanded=any(n in st.query_params for n in ("x",))):
    x = urlstate.matrix(t("conv.input_hint"), course.CONV_INPUT, "x", scope="pool", limits=INPUT_LIMITS)
    b1, b2, _ = st.columns([1, 1, 2])
    b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize)
    b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)


trace = lesson.show(lesson.Operation(
    "pool", lambda: ops.pool2d_trace(x, kernel, stride, padding, dilation, ceil_mode, mode, include_pad), fixes,
    explain, DEFAULTS, clickable=True))

st.divider()
st.subheader(t("pool.photo_title"))
st.markdown(t("pool.photo_intro"))
photo = photo_picker("pool_photo", longest=240)
if photo is not None and trace is not None:
    from core.basics import features

    image = features.to_tensor(photo)
    try:
        pooled = features.pool(image, mode, kernel, stride, padding, dilation, ceil_mode, include_pad)
    except RuntimeError:
        st.warning(t("pool.photo_too_small"))
        st.stop()
    left, right = st.columns(2)
    left.image(photo, caption=t("pool.before", shape=tuple(image.shape)), width="stretch")
    right.image(features.to_image(pooled), caption=t("pool.after", shape=tuple(pooled.shape)), width="stretch")
    st.caption(t("pool.photo_caption"))

practice_section("pool", {"x": x, "kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation,
                          "ceil_mode": ceil_mode, "mode": mode})
