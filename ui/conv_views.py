"""The convolution page's refusals and its two other tabs: three channels at once, and a photo.

The page itself draws the controls and the window-by-window lesson; these views take its settings object.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from core import course
from core.basics.ops import ConvSettings, SettingsError
from ui import CHART, labels, lang, photo_picker, screen_px, settings_problem, show_code, t, tensor_shape, urlstate

PHOTO_PRESETS = ("identity", "box_blur", "edge", "sharpen", "sobel_x", "sobel_y")
CHANNEL_INPUTS = ("matrix", "photo")  # the multi-channel view's input: the course's matrix ×3, or a photo's crop
CROP_PHOTO_PX = 48                    # the photo's longer side there: the 5×5 crop's box stays visible


def fixes(err: SettingsError, settings: ConvSettings) -> list[tuple[str, ConvSettings]]:
    """A padding that makes the kernel fit (when a small one does), and dilation 1."""
    offered = []
    if err.code == "conv_kernel_too_big" and settings.padding < err.params["need"] <= 3:
        offered.append((t("conv.fix_padding", need=err.params["need"]), replace(settings, padding=err.params["need"])))
    if settings.dilation > 1:
        offered.append((t("conv.fix_dilation"), replace(settings, dilation=1)))
    return offered


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


def channels_view(settings: ConvSettings, duration: int) -> None:
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
    weight = multichannel.default_weight(out_channels, 3 // groups, settings.size)
    bias = np.array([1.0, -1.0, 0.0][:out_channels])
    try:
        trace = multichannel.conv2d_trace(x, weight, bias, settings, groups)
    except SettingsError as err:
        settings_problem(err, fixes(err, settings) + [(t("conv.reset"), ConvSettings())], "conv",
                         key="conv_channels_problem")
        return
    st.markdown(t(f"conv.channels_intro{depthwise}", weight=tensor_shape(*weight.shape), input=tensor_shape(1, *x.shape),
                  output=tensor_shape(1, *trace.output.shape), out_channels=out_channels, groups=groups))
    names = animation_labels() | {"channel": t("conv.channel", c="{c}"), "out_channel": t("conv.out_channel", i="{i}"),
                                  "bias": t("conv.bias")}
    st.plotly_chart(viz.channels_animation(trace, names, duration, screen_px()), key="conv_channels", config=CHART)
    st.caption(t(f"conv.channels_legend{depthwise}"))
    show_code(multichannel.code(x, weight, bias, settings, groups, lang()))


def photo_view(w: np.ndarray, settings: ConvSettings) -> None:
    """The kernel on R, G and B of a photo, the preset kernels' feature maps, and the course's nn.Conv2d(3, 6, 3)."""
    from core import viz
    from core.basics import features, sizes

    st.markdown(t("conv.photo_intro"))
    photo = photo_picker("conv_photo", longest=160, link=True)
    if photo is None:
        return
    image = features.to_tensor(photo)
    st.subheader(t("conv.rgb_title"))
    st.markdown(t("conv.rgb_text", k=w.shape[0], kw=w.shape[1]))
    try:
        per_channel, summed = features.rgb_convolution(image, w, settings.stride, settings.padding, settings.dilation)
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
                  weight=tensor_shape(*layer.weight.shape), formula=sizes.size_formula(32, 3, 1, 0, 1)))
