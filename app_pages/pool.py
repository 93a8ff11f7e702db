"""Pooling: nn.MaxPool2d (and AvgPool2d) on the course's matrix, window by window, then on a photo."""
import numpy as np
import streamlit as st

from core import codegen, course, features, ops, viz
from ui import (
    animation_labels,
    labels,
    matrix_editor,
    photo_picker,
    settings_problem,
    show_code,
    speed_control,
    t,
    tensor_shape,
)

DEFAULTS = {"pool_kernel": 3, "pool_stride": 0, "pool_padding": 0, "pool_dilation": 1, "pool_ceil": True,
            "pool_mode": "max", "pool_include_pad": True}

st.session_state.setdefault("pool_input", course.CONV_INPUT)
st.session_state.setdefault("pool_version", 0)


def reset() -> None:
    st.session_state.update(DEFAULTS, pool_input=course.CONV_INPUT, pool_version=st.session_state.pool_version + 1)


def randomize() -> None:
    rng = np.random.default_rng()
    st.session_state.update(pool_input=rng.integers(0, 10, size=rng.integers(4, 10, size=2)),
                            pool_version=st.session_state.pool_version + 1)


st.title(t("pool.title"))
st.markdown(t("pool.intro"))

c1, c2, c3, c4 = st.columns(4)
kernel = c1.slider("kernel_size", 1, 5, DEFAULTS["pool_kernel"], key="pool_kernel", persist_state="session")
stride_names = {0: t("pool.stride_default")}
stride_choice = c2.select_slider(t("pool.stride"), options=[0, 1, 2, 3, 4, 5], value=DEFAULTS["pool_stride"],
                                 format_func=lambda s: stride_names.get(s, str(s)),
                                 key="pool_stride", persist_state="session")
padding = c3.slider(t("conv.padding"), 0, 2, DEFAULTS["pool_padding"], key="pool_padding", persist_state="session")
dilation = c4.slider(t("conv.dilation"), 1, 3, DEFAULTS["pool_dilation"], key="pool_dilation", persist_state="session")
c1, c2, c3, c4 = st.columns(4)
mode = c1.segmented_control(t("pool.mode"), ["max", "avg"], format_func=labels("pool.mode_"),
                            default=DEFAULTS["pool_mode"], required=True, key="pool_mode", persist_state="session")
ceil_mode = c2.toggle("ceil_mode", DEFAULTS["pool_ceil"], key="pool_ceil", persist_state="session")
include_pad = c3.toggle("count_include_pad", DEFAULTS["pool_include_pad"], key="pool_include_pad",
                        disabled=mode != "avg", persist_state="session")
with c4:
    duration = speed_control("pool_speed")
stride = stride_choice or kernel

with st.expander(t("pool.edit")):
    x = matrix_editor(st.session_state.pool_input, f"pool_x_{st.session_state.pool_version}", t("conv.input_hint"))
    b1, b2, _ = st.columns([1, 1, 2])
    b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize)
    b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)

try:
    trace = ops.pool2d_trace(x, kernel, stride, padding, dilation, ceil_mode, mode, include_pad)
except ops.SettingsError as err:
    trace = None
    fixes = {
        "pool_pad_too_big": [(t("pool.fix_padding", limit=kernel // 2), {"pool_padding": kernel // 2})],
        "avg_no_dilation": [(t("conv.fix_dilation"), {"pool_dilation": 1})],
        "pool_too_small": [(t("pool.fix_ceil"), {"pool_ceil": True})] if not ceil_mode else [],
    }.get(err.code, [])
    settings_problem(err, fixes + [(t("conv.reset"), {**DEFAULTS})], key="pool_problem")

if trace is not None:
    st.plotly_chart(viz.window_animation(trace, animation_labels(), duration), key="pool_animation",
                    config={"displayModeBar": False})
    st.caption(t("anim.legend"))
    left, right = st.columns(2)
    with left:
        st.subheader(t("conv.size_title"))
        bracket = (r"\left\lceil", r"\right\rceil") if ceil_mode else (r"\left\lfloor", r"\right\rfloor")
        st.latex(rf"H_{{out}} = {bracket[0]} \frac{{H_{{in}} + 2p - d\,(k-1) - 1}}{{s}} {bracket[1]} + 1")
        for axis, n in (("H", x.shape[0]), ("W", x.shape[1])):
            line = ops.size_formula(n, kernel, stride, padding, dilation, ceil_mode)
            st.markdown(f"**{axis}<sub>out</sub>** = {line}", unsafe_allow_html=True)
            if ceil_mode and ops.last_window_dropped(n, kernel, stride, padding, dilation):
                out = ops.pool_output_size(n, kernel, stride, padding, dilation, True)
                st.warning(t("pool.dropped", axis=axis, start=out * stride, limit=n + padding, out=out))
        st.markdown(t("pool.ceil_rule"))
        st.markdown(t("pool.result_shape", input=tensor_shape(1, 1, *x.shape),
                      output=tensor_shape(1, 1, *trace.output.shape)))
    with right:
        show_code(codegen.pool2d(x, mode, kernel, stride, padding, dilation, ceil_mode, include_pad))

st.divider()
st.subheader(t("pool.photo_title"))
st.markdown(t("pool.photo_intro"))
photo = photo_picker("pool_photo", longest=240)
if photo is not None and trace is not None:
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
