"""Convolution: F.conv2d on the course's 5×5 matrix, window by window, then on a photo."""
import numpy as np
import streamlit as st

from core import codegen, course, features, kernels, ops, viz
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

DEFAULTS = {"conv_stride": 1, "conv_padding": 0, "conv_dilation": 1, "conv_preset": "course", "conv_ksize": 3}
PHOTO_PRESETS = ("identity", "box_blur", "edge", "sharpen", "sobel_x", "sobel_y")
CHART = {"displayModeBar": False}

st.session_state.setdefault("conv_input", course.CONV_INPUT)
st.session_state.setdefault("conv_version", 0)


def reset() -> None:
    st.session_state.update(DEFAULTS, conv_input=course.CONV_INPUT, conv_version=st.session_state.conv_version + 1)


def randomize(rows: int, cols: int) -> None:
    st.session_state.update(conv_input=np.random.default_rng().integers(0, 6, size=(rows, cols)),
                            conv_version=st.session_state.conv_version + 1)


def steps_view(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int, duration: int) -> None:
    try:
        trace = ops.conv2d_trace(x, w, stride, padding, dilation)
    except ops.SettingsError as err:
        fixes = []
        if err.code == "conv_kernel_too_big" and padding < err.params["need"] <= 3:
            fixes.append((t("conv.fix_padding", need=err.params["need"]), {"conv_padding": err.params["need"]}))
        if dilation > 1:
            fixes.append((t("conv.fix_dilation"), {"conv_dilation": 1}))
        settings_problem(err, fixes + [(t("conv.reset"), {**DEFAULTS})], key="conv_problem")
        return
    st.plotly_chart(viz.window_animation(trace, animation_labels(), duration), key="conv_animation", config=CHART)
    st.caption(t("anim.legend"))
    left, right = st.columns(2)
    with left:
        st.subheader(t("conv.size_title"))
        st.latex(r"H_{out} = \left\lfloor \frac{H_{in} + 2p - d\,(k-1) - 1}{s} \right\rfloor + 1")
        for axis, n, k in (("H", x.shape[0], w.shape[0]), ("W", x.shape[1], w.shape[1])):
            st.markdown(f"**{axis}<sub>out</sub>** = {ops.size_formula(n, k, stride, padding, dilation)}",
                        unsafe_allow_html=True)
        st.markdown(t("conv.result_shape", input=tensor_shape(1, 1, *x.shape),
                      output=tensor_shape(1, 1, *trace.output.shape)))
    with right:
        show_code(codegen.conv2d(x, w, stride, padding, dilation))


def photo_view(w: np.ndarray, stride: int, padding: int, dilation: int) -> None:
    st.markdown(t("conv.photo_intro"))
    photo = photo_picker("conv_photo", longest=160)
    if photo is None:
        return
    image = features.to_tensor(photo)
    st.subheader(t("conv.rgb_title"))
    st.markdown(t("conv.rgb_text", k=w.shape[0], kw=w.shape[1]))
    try:
        per_channel, summed = features.rgb_convolution(image, w, stride, padding, dilation)
    except RuntimeError:
        st.warning(t("conv.photo_kernel_too_big"))
    else:
        maps = [*image[0].numpy(), np.asarray(photo), *per_channel.numpy(), summed.numpy()]
        titles = ([t("conv.channel", c=c) for c in "RGB"] + [t("conv.photo")]
                  + [t("conv.channel_out", c=c) for c in "RGB"] + [t("conv.sum")])
        st.plotly_chart(viz.feature_grid(maps, titles, columns=4, cell_px=150), key="conv_rgb", config=CHART)
        st.markdown(t("conv.rgb_shapes", input=tensor_shape(*image.shape), weight=tensor_shape(1, 3, *w.shape),
                      output=tensor_shape(1, 1, *summed.shape)))

    st.subheader(t("conv.presets_title"))
    maps = features.preset_maps(image, PHOTO_PRESETS).numpy()
    st.plotly_chart(viz.feature_grid(maps, [t(f"kernels.{p}") for p in PHOTO_PRESETS], columns=3),
                    key="conv_presets", config=CHART)
    st.caption(t("conv.grey_caption"))

    st.subheader(t("conv.course_title"))
    layer, out = features.course_conv(image)
    st.code(str(layer), language=None)
    st.plotly_chart(viz.feature_grid(out[0].numpy(), [t("conv.out_channel", i=i) for i in range(6)], columns=3),
                    key="conv_course", config=CHART)
    st.markdown(t("conv.course_shapes", input=tensor_shape(*image.shape), output=tensor_shape(*out.shape),
                  weight=tensor_shape(*layer.weight.shape), formula=ops.size_formula(32, 3, 1, 0, 1)))


st.title(t("conv.title"))
st.markdown(t("conv.intro"))

c1, c2, c3, c4 = st.columns(4)
stride = c1.slider(t("conv.stride"), 1, 4, DEFAULTS["conv_stride"], key="conv_stride", persist_state="session")
padding = c2.slider(t("conv.padding"), 0, 3, DEFAULTS["conv_padding"], key="conv_padding", persist_state="session")
dilation = c3.slider(t("conv.dilation"), 1, 3, DEFAULTS["conv_dilation"], key="conv_dilation", persist_state="session")
with c4:
    duration = speed_control("conv_speed")

with st.expander(t("conv.edit")):
    left, right = st.columns(2)
    with left:
        x = matrix_editor(st.session_state.conv_input, f"conv_x_{st.session_state.conv_version}", t("conv.input_hint"))
        r1, r2 = st.columns(2)
        rows = r1.number_input(t("conv.rows"), 2, 9, 5, key="conv_rows")
        cols = r2.number_input(t("conv.cols"), 2, 9, 5, key="conv_cols")
        b1, b2 = st.columns(2)
        b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize, args=(rows, cols))
        b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)
    with right:
        preset = st.selectbox(t("conv.preset"), kernels.PRESETS, format_func=labels("kernels."), key="conv_preset",
                              persist_state="session")
        fixed = kernels.FIXED_SIZE.get(preset)
        ksize = st.slider(t("conv.kernel_size"), 1, 7, DEFAULTS["conv_ksize"], key="conv_ksize",
                          disabled=fixed is not None, persist_state="session")
        k = fixed or ksize
        w = matrix_editor(kernels.preset(preset, k, seed=st.session_state.conv_version),
                          f"conv_w_{preset}_{k}_{st.session_state.conv_version}", t("conv.kernel_hint"))

# Only the open tab is computed: the photo's feature maps are not built while the animation is shown.
steps_tab, photo_tab = st.tabs([t("conv.tab_steps"), t("conv.tab_photo")], key="conv_view", on_change="rerun")
with steps_tab:
    if steps_tab.open:
        steps_view(x, w, stride, padding, dilation, duration)
with photo_tab:
    if photo_tab.open:
        photo_view(w, stride, padding, dilation)
