"""The Transforms page's tabs but Compose (``ui.compose``): ToTensor and the course's pieces around it, Normalize,
Resize, and RandomCrop with CenterCrop, the flip and ColorJitter.

Each view takes the photo, draws its settings (``core.data.transform_settings``, bound to the URL), asks
``core.data.transforms`` for the result and shows it with the code that makes it, run on that very photo. Random
transforms draw from a local torch.Generator, never from the global seed. Torch is imported inside the views: the
page draws them only once the background import is done.
"""
from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from core.data import images
from core.data.transform_settings import (
    CropSettings,
    CustomNormalize,
    NormalizeSettings,
    RandomSettings,
    ResizePair,
    ResizeSettings,
    ResizeSide,
)
from ui import CHART, explain, lang, photo_source, screen_px, show_code, t, urlstate
from ui.urlform import form

PICKER = "tf_photo"  # the page's photo picker: its key, and the file the snippets open
THUMB = 110  # the flips' and jitters' longer side: a 1024×1 strip at width=110 would be 0 px tall (PIL refuses)


def code_block(photo: Image.Image, code: str, not_run: str | None = None) -> None:
    """The snippet, run on the very image this page shows (unless ``not_run`` says why not)."""
    show_code(code, files={photo_source(PICKER): photo}, not_run=not_run)


def to_tensor_view(photo: Image.Image) -> None:
    from core.data import channels
    from core.data import transforms as T

    tensor = T.build({"name": "ToTensor"})(photo)
    left, right = st.columns(2)
    a = np.asarray(photo)
    left.markdown(t("tf.pil_side", size=photo.size, mode=photo.mode, shape=a.shape, dtype=a.dtype,
                    low=int(a.min()), high=int(a.max())))
    left.image(photo, caption="img", width="content")
    right.markdown(t("tf.tensor_side", shape=tuple(tensor.shape), dtype=str(tensor.dtype),
                     low=f"{tensor.min():.4f}", high=f"{tensor.max():.4f}"))
    right.image(images.fit(channels.channel_strip(tensor), 1200), caption="tensor_img[0] (R) · [1] (G) · [2] (B)",
                width="stretch")
    right.caption(t("tf.channels_caption"))
    st.dataframe(channels.pixel_rows(photo, tensor), hide_index=True)
    st.markdown(t("tf.to_tensor_explain"))
    code_block(photo, T.to_tensor_code(photo_source(PICKER), lang()))
    around_to_tensor(photo)


def around_to_tensor(photo: Image.Image) -> None:
    """The course's other pieces around ToTensor: __call__, ToPILImage, and OpenCV's BGR against PIL."""
    from core.chapters import imaging

    st.subheader(t("gaps.call_title"))
    st.markdown(t("gaps.call"))
    show_code(imaging.call_snippet(lang()))
    st.subheader(t("gaps.pil_title"))
    r = imaging.read(photo)
    st.markdown(t("gaps.to_pil", mode=r.round_trip.mode, size=r.round_trip.size,
                  same=t("gaps.same_yes" if r.same else "gaps.same_no")))
    left, right = st.columns(2)
    left.image(r.rgb, caption=t("gaps.as_pil"), width="stretch")
    right.image(r.bgr, caption=t("gaps.as_cv2"), width="stretch")   # shown as if it were R, G, B: the colours swap
    st.markdown(t("gaps.cv2", rgb=str(r.rgb[0, 0].tolist()), bgr=str(r.bgr[0, 0].tolist()), shape=r.rgb.shape))
    code_block(photo, imaging.snippet(photo_source(PICKER), lang()))
    show_code(imaging.cv2_snippet(photo_source(PICKER), lang()), not_run=t("gaps.cv2_not_run"))


def normalize_view(photo: Image.Image) -> None:
    from core import viz
    from core.basics import features
    from core.data import transforms as T

    preset = form(NormalizeSettings, scope="tf", cells=[st])  # not in a column: on a phone its options wrap
    mean, std = (form(CustomNormalize, scope="tf", columns=6) if preset.custom else preset).mean_std()
    tensor = T.build({"name": "ToTensor"})(photo)
    out = T.build({"name": "Normalize", "mean": mean, "std": std})(tensor)
    v, r = float(tensor[0, 0, 0]), float(out[0, 0, 0])
    st.markdown(t("tf.normalize_formula", v=f"{v:.4f}", m=mean[0], s=std[0], r=f"{r:.4f}"))
    left, right = st.columns(2)
    left.markdown(f"**{t('tf.before')}** ({tensor.min():.2f} … {tensor.max():.2f})")
    left.plotly_chart(viz.channel_histograms(tensor.numpy()), key="tf_hist_before", config=CHART)
    right.markdown(f"**{t('tf.after')}** ({out.min():.2f} … {out.max():.2f})")
    right.plotly_chart(viz.channel_histograms(out.numpy()), key="tf_hist_after", config=CHART)
    c1, c2, c3 = st.columns(3)
    c1.image(photo, caption=t("tf.shown_original"), width="stretch")
    c2.image(features.to_image(out[None]), caption=t("tf.shown_normalized"), width="stretch")
    c3.image(features.to_image(T.denormalize(out, mean, std)[None]), caption=t("tf.shown_back"), width="stretch")
    st.markdown(t("tf.normalize_explain"))
    code_block(photo, T.normalize_code(photo_source(PICKER), mean, std, lang()))


def resize_view(photo: Image.Image) -> None:
    import torch

    from core.data import transforms as T

    c1, c2, c3 = st.columns(3)
    settings = form(ResizeSettings, scope="tf", cells=[c1, c3])
    sizes = ResizePair if settings.resize == "pair" else ResizeSide
    step = settings.step(form(sizes, scope="tf", cells=[c2, c2]).size)
    code = T.resize_code(step, photo_source(PICKER), lang())
    try:
        out = T.apply(step, photo, torch.Generator())
    except T.TooBig as err:
        st.warning(explain(err, step=T.expression(step), size=photo.size))
        code_block(photo, code, not_run=t("tf.not_run_too_big"))
        return
    left, right = st.columns(2)
    left.image(photo, caption=t("tf.size_before", size=photo.size), width="content")
    right.image(out, caption=t("tf.size_after", size=out.size), width="content")
    st.markdown(t("tf.resize_explain"))
    code_block(photo, code)


def crop_view(photo: Image.Image) -> None:
    from core import viz
    from core.data import transforms as T

    shortest = min(photo.size)
    c1, c2, c3, c4 = st.columns(4)
    size = urlstate.slider("size", 16, shortest + 64, max(16, min(256, shortest)), "crop_size", where=c1,
                           fits=True)
    d1, d2 = st.columns(2)
    settings = form(CropSettings, scope="tf", cells=[c2, c3, c4, d1, d2])
    padded_w, padded_h = settings.padded(*photo.size)
    if size > min(padded_w, padded_h):
        st.error(t("tf.crop_too_big_here", size=size, width=padded_w, height=padded_h))
    else:
        padded, boxes, crops = T.random_crops(photo, size, settings.padding, settings.fill, settings.padding_mode,
                                              settings.n, settings.seed)
        st.markdown(t("tf.crop_explain", size=size, padding=settings.padding))
        left, right = st.columns([3, 2])
        left.plotly_chart(viz.image_with_boxes(np.asarray(padded), boxes, width_px=screen_px(share=0.6)), key="tf_boxes",
                          config=CHART)
        with right:  # a row of columns per three crops: a phone stacks them in order (1, 2, 3, 4…, not 1, 4, 2…)
            for row in range(0, len(crops), 3):
                for column, k in zip(st.columns(3), range(row, min(row + 3, len(crops)))):
                    column.image(crops[k], caption=f"{k + 1}: top={boxes[k][0]}, left={boxes[k][1]}", width="stretch")
        code_block(photo, T.crop_code(settings.step(size), settings.seed, settings.n, photo_source(PICKER), lang()))
    more_transforms(photo, settings.seed)


def more_transforms(photo: Image.Image, seed: int) -> None:
    """CenterCrop, and four calls each of RandomHorizontalFlip and ColorJitter after torch.manual_seed(seed)."""
    import torch

    from core.data import transforms as T

    st.subheader(t("tf.more_title"))
    c1, c2, c3 = st.columns(3)
    with c1:
        shortest, longest = min(photo.size), max(2, max(photo.size))
        center = urlstate.slider("CenterCrop size", 1, longest, max(1, shortest // 2), "center_size", fits=True)
        st.image(images.fit(T.build({"name": "CenterCrop", "size": center})(photo), 1024),
                 caption=f"CenterCrop({center})", width="content")
    settings = form(RandomSettings, scope="tf", cells=[c2, c3, c3])
    for column, step in ((c2, settings.flip()), (c3, settings.color_jitter())):
        generator = torch.Generator().manual_seed(seed)
        column.image([images.fit(T.apply(step, photo, generator), THUMB) for _ in range(4)],
                     caption=[f"#{i + 1}" for i in range(4)], width="content")
    st.caption(t("tf.more_caption"))
