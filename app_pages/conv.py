"""Convolution: F.conv2d on the course's 5×5 matrix, window by window, then on a photo.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
import numpy as np
import streamlit as st

from core import course
from core.basics import kernels
from core.basics.ops import SettingsError
from ui import (
    CHART,
    labels,
    lang,
    lesson,
    photo_picker,
    screen_px,
    settings_problem,
    show_code,
    speed_control,
    t,
    tensor_shape,
    urlstate,
)
from ui.loading import wait_for_torch
from ui.practice import practice_section

DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "kernel_size": 3, "conv_kernel": "course"}
INPUT_LIMITS = (2, 9, 2, 9)   # rows and columns a link may ask for: the editor's own range
KERNEL_LIMITS = (1, 7, 1, 7)
PHOTO_PRESETS = ("identity", "box_blur", "edge", "sharpen", "sobel_x", "sobel_y")
CHANNEL_INPUTS = ("matrix", "photo")  # the multi-channel view's input: the course's matrix ×3, or a photo's crop
CROP_PHOTO_PX = 48                    # the photo's longer side there: the 5×5 crop's box stays visible


def reset() -> None:
    st.session_state.update(DEFAULTS)
    urlstate.set_matrix("conv", "x", course.CONV_INPUT)
    urlstate.set_matrix("conv", "weight", kernels.preset("course"))


def randomize(rows: int, cols: int) -> None:
    urlstate.set_matrix("conv", "x", np.random.default_rng().integers(0, 6, size=(rows, cols)))


def fixes(err: SettingsError, padding: int, dilation: int) -> list[tuple[str, dict]]:
    """A padding that makes the kernel fit (when a small one does), and dilation 1."""
    offered = []
    if err.code == "conv_kernel_too_big" and padding < err.params["need"] <= 3:
        offered.append((t("conv.fix_padding", need=err.params["need"]), {"padding": err.params["need"]}))
    if dilation > 1:
        offered.append((t("conv.fix_dilation"), {"dilation": 1}))
    return offered


def steps_view(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int, duration: int) -> None:
    from core import viz
    from core.basics import codegen, ops
    from ui import animation_labels

    def explain(trace: ops.Trace, start: int, picked: tuple[int, int] | None) -> lesson.Explanation:
        return lesson.Explanation(
            figure=viz.window_animation(trace, animation_labels(), duration, start, picked, screen_px()),
            legend=lesson.window_legend(trace, picked),
            size_latex=r"H_{out} = \left\lfloor \frac{H_{in} + 2p - d\,(k-1) - 1}{s} \right\rfloor + 1",
            size_lines=tuple((axis, ops.size_formula(n, k, stride, padding, dilation))
                             for axis, n, k in (("H", x.shape[0], w.shape[0]), ("W", x.shape[1], w.shape[1]))),
            shape=t("conv.result_shape", input=tensor_shape(1, 1, *x.shape),
                    output=tensor_shape(1, 1, *trace.output.shape), h=x.shape[0], w=x.shape[1]),
            code=codegen.conv2d(x, w, stride, padding, dilation, lang()))

    lesson.show(lesson.Operation("conv", lambda: ops.conv2d_trace(x, w, stride, padding, dilation),
                                 lambda err: fixes(err, padding, dilation), explain, DEFAULTS, clickable=True))


def crop_slider(label: str, last: int, name: str, where) -> int:
    """Where the crop starts along one side (``top`` or ``left`` in the URL, torchvision's crop names); the
    middle by default; another photo moves it into its own range."""
    return urlstate.slider(label, 0, last, last // 2, name, where=where, fits=True)


def photo_crop() -> np.ndarray | None:
    """The R, G, B of a 5×5 crop of a photo the learner picks and moves: [3, 5, 5], the pixels' 0–255 values."""
    from core import viz
    from core.basics import multichannel

    photo = photo_picker("conv_photo", longest=CROP_PHOTO_PX, link=True)
    if photo is None:
        return None
    pixels = np.asarray(photo)
    room = multichannel.crop_room(*pixels.shape[:2])
    if room is None:
        st.warning(t("conv.crop_too_small", width=photo.width, height=photo.height, size=multichannel.CROP))
        return None
    c1, c2 = st.columns(2)
    top = crop_slider(t("conv.crop_top"), room[0], "top", c1)
    left = crop_slider(t("conv.crop_left"), room[1], "left", c2)
    box = viz.image_with_boxes(pixels, [(top, left, multichannel.CROP, multichannel.CROP)], height=220,
                               colour=viz.base.WINDOW, width_px=screen_px())  # the colour of the windows in it
    st.plotly_chart(box, key="conv_crop", config=CHART)
    st.caption(t("conv.channels_photo", top=top, left=left, px=CROP_PHOTO_PX))
    return multichannel.photo_crop(pixels, top, left)


def channels_view(k: int, stride: int, padding: int, dilation: int, duration: int) -> None:
    """nn.Conv2d(3, 2, k) (or depthwise, groups=3) on three channels, animated: the course's matrix in each, or a
    5×5 crop of a photo whose R, G and B differ (so do the partial sums)."""
    from core import viz
    from core.basics import multichannel
    from ui import animation_labels

    source = urlstate.choice(t("conv.channels_input"), list(CHANNEL_INPUTS), CHANNEL_INPUTS[0], "input", scope="conv",
                             format_func=labels("conv.channels_input_"))
    if source == "photo":
        x = photo_crop()
        if x is None:
            return
    else:
        x = np.stack([course.CONV_INPUT] * 3)
    groups = urlstate.choice(t("conv.groups"), [1, 3], 1, "groups", scope="conv")
    depthwise = "_depthwise" if groups == 3 else ""  # one window per output channel, not three
    out_channels = 3 if groups == 3 else 2
    st.caption(t(f"conv.groups_line_{groups}", out_channels=out_channels))
    if source != "photo":
        st.caption(t(f"conv.channels_matrix{depthwise}"))
    weight = multichannel.default_weight(out_channels, 3 // groups, k)
    bias = np.array([1.0, -1.0, 0.0][:out_channels])
    try:
        trace = multichannel.conv2d_trace(x, weight, bias, stride, padding, dilation, groups)
    except SettingsError as err:
        settings_problem(err, fixes(err, padding, dilation) + [(t("conv.reset"), {**DEFAULTS})],
                         key="conv_channels_problem")
        return
    st.markdown(t(f"conv.channels_intro{depthwise}", weight=tensor_shape(*weight.shape), input=tensor_shape(1, *x.shape),
                  output=tensor_shape(1, *trace.output.shape), out_channels=out_channels, groups=groups))
    names = animation_labels() | {"channel": t("conv.channel", c="{c}"), "out_channel": t("conv.out_channel", i="{i}"),
                                  "bias": t("conv.bias")}
    st.plotly_chart(viz.channels_animation(trace, names, duration, screen_px()), key="conv_channels", config=CHART)
    st.caption(t(f"conv.channels_legend{depthwise}"))
    show_code(multichannel.code(x, weight, bias, stride, padding, dilation, groups, lang()))


def photo_view(w: np.ndarray, stride: int, padding: int, dilation: int) -> None:
    from core import viz
    from core.basics import features, ops

    st.markdown(t("conv.photo_intro"))
    photo = photo_picker("conv_photo", longest=160, link=True)
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
        st.plotly_chart(viz.feature_grid(maps, titles, columns=4, cell_px=150, width_px=screen_px()), key="conv_rgb",
                        config=CHART)
        st.markdown(t("conv.rgb_shapes", input=tensor_shape(*image.shape), weight=tensor_shape(1, 3, *w.shape),
                      output=tensor_shape(1, 1, *summed.shape)))

    st.subheader(t("conv.presets_title"))
    maps = features.preset_maps(image, PHOTO_PRESETS).numpy()
    st.plotly_chart(viz.feature_grid(maps, [t(f"kernels.{p}") for p in PHOTO_PRESETS], columns=3, width_px=screen_px()),
                    key="conv_presets", config=CHART)
    st.caption(t("conv.grey_caption"))

    st.subheader(t("conv.course_title"))
    if min(image.shape[-2:]) < 3:
        st.warning(t("conv.photo_too_small_course", shape=tensor_shape(*image.shape)))
        return
    layer, out = features.course_conv(image)
    st.code(str(layer), language=None)
    st.plotly_chart(viz.feature_grid(out[0].numpy(), [t("conv.out_channel", i=i) for i in range(6)], columns=3,
                                     width_px=screen_px()),
                    key="conv_course", config=CHART)
    st.markdown(t("conv.course_shapes", input=tensor_shape(*image.shape), output=tensor_shape(*out.shape),
                  weight=tensor_shape(*layer.weight.shape), formula=ops.size_formula(32, 3, 1, 0, 1)))


st.title(t("conv.title"))
st.markdown(t("conv.intro"))
urlstate.copy_link()

c1, c2, c3, c4 = st.columns(4)
stride = urlstate.slider(t("conv.stride"), 1, 4, DEFAULTS["stride"], "stride", where=c1)
padding = urlstate.slider(t("conv.padding"), 0, 3, DEFAULTS["padding"], "padding", where=c2)
dilation = urlstate.slider(t("conv.dilation"), 1, 3, DEFAULTS["dilation"], "dilation", where=c3)
with c4:
    duration = speed_control("conv_speed")

# a shared matrix is shown; what became of a link's value for a control in here is said above, where it shows
with urlstate.notes_above(), st.expander(t("conv.edit"), expanded=any(n in st.query_params for n in ("x", "weight"))):
    left, right = st.columns(2)
    with left:
        x = urlstate.matrix(t("conv.input_hint"), course.CONV_INPUT, "x", scope="conv", limits=INPUT_LIMITS)
        r1, r2 = st.columns(2)
        rows = r1.number_input(t("conv.rows"), 2, 9, 5, key="conv_rows")
        cols = r2.number_input(t("conv.cols"), 2, 9, 5, key="conv_cols")
        b1, b2 = st.columns(2)
        b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize, args=(rows, cols))
        b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)
    with right:
        preset = urlstate.choice(t("conv.preset"), kernels.PRESETS, DEFAULTS["conv_kernel"], "kernel", scope="conv",
                                 kind="selectbox", format_func=labels("kernels."))
        fixed = kernels.FIXED_SIZE.get(preset)
        ksize = urlstate.slider(t("conv.kernel_size"), 1, 7, DEFAULTS["kernel_size"], "kernel_size",
                                disabled=fixed is not None)
        k = fixed or ksize
        w = urlstate.matrix(t("conv.kernel_hint"), kernels.preset(preset, k), "weight", scope="conv",
                            limits=KERNEL_LIMITS, origin=f"{preset}_{k}")

# Only the open tab is computed: the photo's feature maps are not built while the animation is shown.
view, tabs = urlstate.tabs({"steps": t("conv.tab_steps"), "channels": t("conv.tab_channels"),
                            "photo": t("conv.tab_photo")}, "view", scope="conv")
wait_for_torch(tabs[view])
with tabs["steps"]:
    if view == "steps":
        steps_view(x, w, stride, padding, dilation, duration)
with tabs["channels"]:
    if view == "channels":
        channels_view(k, stride, padding, dilation, duration)
with tabs["photo"]:
    if view == "photo":
        photo_view(w, stride, padding, dilation)

practice_section("conv", {"x": x, "weight": w, "stride": stride, "padding": padding, "dilation": dilation})
