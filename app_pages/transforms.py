"""Transforms: what ToTensor, Normalize, Resize and the random crops do to a photo, and a Compose pipeline to build.

The title, intro and photo picker need no PyTorch, so they draw at once; the open tab waits for the background import.
Random transforms draw from a local torch.Generator (core.data.transforms), never from the global seed.
"""
import uuid

import numpy as np
import streamlit as st

from core.data import images
from ui import CHART, explain, labels, lang, photo_picker, photo_source, screen_px, share, show_code, t, urlstate
from ui.loading import wait_for_torch
from ui.practice import practice_section

CHANNELS = ("mean_r", "mean_g", "mean_b", "std_r", "std_g", "std_b")
THUMB = 110  # the flips' and jitters' longer side: a 1024×1 strip at width=110 would be 0 px tall (PIL refuses)


def code_block(photo, code: str, not_run: str | None = None) -> None:
    """The snippet, run on the very image this page shows (unless ``not_run`` says why not)."""
    show_code(code, files={photo_source("tf_photo"): photo}, not_run=not_run)


def pixel_rows(photo, tensor) -> list[dict]:
    """A few pixels before and after ToTensor: the corner, its neighbours and the centre (those the photo has)."""
    a = np.asarray(photo)
    spots = dict.fromkeys(((0, 0), (0, 1), (1, 0), (a.shape[0] // 2, a.shape[1] // 2)))
    return [{"(y, x)": f"({y}, {x})", "PIL (R, G, B)": str(tuple(int(v) for v in a[y, x])),
             "tensor[:, y, x]": "[" + ", ".join(f"{float(v):.4f}" for v in tensor[:, y, x]) + "]"}
            for y, x in spots if y < a.shape[0] and x < a.shape[1]]


def to_tensor_view(photo) -> None:
    from PIL import Image

    from core.data import transforms as T

    tensor = T.build({"name": "ToTensor"})(photo)
    left, right = st.columns(2)
    a = np.asarray(photo)
    left.markdown(t("tf.pil_side", size=photo.size, mode=photo.mode, shape=a.shape, dtype=a.dtype,
                    low=int(a.min()), high=int(a.max())))
    left.image(photo, caption="img", width="content")
    right.markdown(t("tf.tensor_side", shape=tuple(tensor.shape), dtype=str(tensor.dtype),
                     low=f"{tensor.min():.4f}", high=f"{tensor.max():.4f}"))
    grey = images.to_uint8(tensor).transpose(2, 0, 1)                   # [3, H, W]: each channel a grey picture
    gap = np.full((grey.shape[1], max(2, grey.shape[2] // 40)), 255, np.uint8)
    strip = np.hstack([grey[0], gap, grey[1], gap, grey[2]])             # the channels side by side, one picture
    right.image(images.fit(Image.fromarray(strip), 1200), caption="tensor_img[0] (R) · [1] (G) · [2] (B)",
                width="stretch")
    right.caption(t("tf.channels_caption"))
    st.dataframe(pixel_rows(photo, tensor), hide_index=True)
    st.markdown(t("tf.to_tensor_explain"))
    code_block(photo, T.to_tensor_code(photo_source("tf_photo"), lang()))
    around_to_tensor(photo)


def around_to_tensor(photo) -> None:
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
    code_block(photo, imaging.snippet(photo_source("tf_photo"), lang()))
    show_code(imaging.cv2_snippet(photo_source("tf_photo"), lang()), not_run=t("gaps.cv2_not_run"))


def normalize_view(photo) -> None:
    from core import viz
    from core.basics import features
    from core.data import transforms as T

    preset = urlstate.choice(t("tf.preset"), [*T.NORMALIZE_PRESETS, "custom"], "course", "normalize", scope="tf",
                             format_func=labels("tf.preset_"))
    if preset == "custom":
        columns = st.columns(6)
        values = [urlstate.number(name, -2.0 if k < 3 else 0.01, 2.0 if k < 3 else 5.0, 0.5, name, 0.01,
                                  where=columns[k]) for k, name in enumerate(CHANNELS)]
        mean, std = values[:3], values[3:]
    else:
        mean, std = (list(v) for v in T.NORMALIZE_PRESETS[preset])
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
    code_block(photo, T.normalize_code(photo_source("tf_photo"), mean, std, lang()))


def resize_view(photo) -> None:
    import torch

    from core.data import transforms as T

    c1, c2, c3 = st.columns(3)
    mode = urlstate.choice(t("tf.resize_mode"), ["pair", "int"], "pair", "resize", scope="tf",
                           format_func=labels("tf.resize_"), where=c1)
    interpolation = urlstate.choice("interpolation", T.INTERPOLATIONS, "bilinear", "interpolation", scope="tf",
                                    kind="selectbox", where=c3)
    if mode == "pair":
        size: int | list[int] = [urlstate.slider("h", 8, 512, 512, "h", where=c2),
                                 urlstate.slider("w", 8, 512, 512, "w", where=c2)]
    else:
        size = urlstate.slider("size", 8, 512, 256, "size", where=c2)
    step = {"name": "Resize", "size": size, "interpolation": interpolation}
    code = T.resize_code(step, photo_source("tf_photo"), lang())
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


def crop_view(photo) -> None:
    import torch

    from core import viz
    from core.data import transforms as T

    shortest = min(photo.size)
    c1, c2, c3, c4 = st.columns(4)
    size = urlstate.slider("size", 16, shortest + 64, max(16, min(256, shortest)), "crop_size", where=c1,
                           fits=True)
    padding = urlstate.slider("padding", 0, 64, 0, "padding", where=c2)
    fill = urlstate.slider("fill", 0, 255, 0, "fill", where=c3)
    padding_mode = urlstate.choice("padding_mode", T.PADDING_MODES, "constant", "padding_mode", scope="tf",
                                   kind="selectbox", where=c4)
    c1, c2 = st.columns(2)
    n = urlstate.slider(t("tf.crop_count"), 1, 9, 6, "n", where=c1)
    seed = urlstate.number("torch.manual_seed", 0, 10_000, 0, "seed", where=c2)
    padded_w, padded_h = photo.size[0] + 2 * padding, photo.size[1] + 2 * padding
    if size > min(padded_w, padded_h):
        st.error(t("tf.crop_too_big_here", size=size, width=padded_w, height=padded_h))
    else:
        padded, boxes, crops = T.random_crops(photo, size, padding, fill, padding_mode, n, seed)
        st.markdown(t("tf.crop_explain", size=size, padding=padding))
        left, right = st.columns([3, 2])
        left.plotly_chart(viz.image_with_boxes(np.asarray(padded), boxes, width_px=screen_px(share=0.6)), key="tf_boxes",
                          config=CHART)
        with right:  # a row of columns per three crops: a phone stacks them in order (1, 2, 3, 4…, not 1, 4, 2…)
            for row in range(0, len(crops), 3):
                for column, k in zip(st.columns(3), range(row, min(row + 3, len(crops)))):
                    column.image(crops[k], caption=f"{k + 1}: top={boxes[k][0]}, left={boxes[k][1]}", width="stretch")
        step = {"name": "RandomCrop", "size": size, "padding": padding, "fill": fill, "padding_mode": padding_mode}
        code_block(photo, T.crop_code(step, seed, n, photo_source("tf_photo"), lang()))

    st.subheader(t("tf.more_title"))
    c1, c2, c3 = st.columns(3)
    with c1:
        longest = max(2, max(photo.size))
        center = urlstate.slider("CenterCrop size", 1, longest, max(1, shortest // 2), "center_size", fits=True)
        st.image(images.fit(T.build({"name": "CenterCrop", "size": center})(photo), 1024),
                 caption=f"CenterCrop({center})", width="content")
    with c2:
        p = urlstate.slider("RandomHorizontalFlip p", 0.0, 1.0, 0.5, "p", step=0.05)
        generator = torch.Generator().manual_seed(seed)
        flip = {"name": "RandomHorizontalFlip", "p": p}
        st.image([images.fit(T.apply(flip, photo, generator), THUMB) for _ in range(4)],
                 caption=[f"#{i + 1}" for i in range(4)], width="content")
    with c3:
        jitter = urlstate.slider("ColorJitter brightness = contrast = saturation", 0.0, 1.0, 0.4, "jitter", step=0.05)
        hue = urlstate.slider("hue", 0.0, 0.5, 0.1, "hue", step=0.05)
        generator = torch.Generator().manual_seed(seed)
        step = {"name": "ColorJitter", "brightness": jitter, "contrast": jitter, "saturation": jitter, "hue": hue}
        st.image([images.fit(T.apply(step, photo, generator), THUMB) for _ in range(4)],
                 caption=[f"#{i + 1}" for i in range(4)], width="content")
    st.caption(t("tf.more_caption"))


def with_id(step: dict) -> dict:
    return {**step, "id": uuid.uuid4().hex[:8]}


def move(i: int, j: int) -> None:
    steps = st.session_state.tf_steps
    steps[i], steps[j] = steps[j], steps[i]


def size_editor(step: dict, key: str) -> None:
    """A step's size, one integer (the shorter side, or a square) or (h, w), as torchvision takes either."""
    one = isinstance(step["size"], int)
    if st.toggle(t("tf.resize_int"), one, key=f"{key}_int"):
        step["size"] = st.slider(t("tf.arg_size"), 8, 512, step["size"] if one else 256, key=f"{key}_size")
    else:
        h, w = step["size"] if not one else (512, 512)
        step["size"] = [st.slider(t("tf.arg_h"), 8, 512, h, key=f"{key}_h"),
                        st.slider(t("tf.arg_w"), 8, 512, w, key=f"{key}_w")]


def step_editor(step: dict) -> None:
    """The parameters of one step in its popover, each widget starting from the step's own value: a word from
    its list, a number in the range a link may hold too (core.data.transform_steps), Normalize's preset."""
    from core.data import transforms as T

    key = f"tf_p_{step['id']}"
    kind = T.KINDS[step["name"]]
    for name in kind.settings:
        if name == "size":
            size_editor(step, key)
        elif name == "preset":
            presets = list(T.NORMALIZE_PRESETS)
            preset = st.selectbox(t("tf.preset"), presets, index=presets.index(kind.preset(step)),
                                  format_func=labels("tf.preset_"), key=f"{key}_preset")
            step.update(kind.read("preset", preset))
        elif name in T.WORDS:
            words = T.WORDS[name]
            step[name] = st.selectbox(t(f"tf.arg_{name}"), words, index=words.index(step[name]), key=f"{key}_{name}")
        elif isinstance(kind.defaults[name], float):
            low, high = T.RANGES[name]
            step[name] = st.slider(t(f"tf.arg_{name}"), float(low), float(high), float(step[name]), 0.05,
                                   key=f"{key}_{name}")
        else:
            low, high = T.RANGES[name]
            step[name] = st.slider(t(f"tf.arg_{name}"), low, high, int(step[name]), key=f"{key}_{name}")
    if not kind.settings:
        st.caption(t("tf.no_params"))


def compose_view(photo) -> None:
    from core.basics import features
    from core.data import transforms as T

    st.markdown(t("tf.compose_intro"))
    urlstate.custom("compose", "tf_steps", lambda text: [with_id(s) for s in T.from_query(text)])
    if "tf_steps" not in st.session_state:
        st.session_state.tf_steps = [with_id(s) for s in T.from_query(T.DEFAULT_PIPELINE)]
    steps = st.session_state.tf_steps
    for i, step in enumerate(steps):
        code, tools = st.columns([3, 2], vertical_alignment="center")
        code.code(T.expression(step), language=None, wrap_lines=True)
        tools = tools.container(horizontal=True)  # the four tools stay one row on a phone, where columns stack
        with tools.popover("", icon=":material/tune:", help=t("tf.edit_step")):
            step_editor(step)
        tools.button("", icon=":material/arrow_upward:", key=f"up_{step['id']}", disabled=i == 0,
                     on_click=move, args=(i, i - 1), help=t("tf.up"))
        tools.button("", icon=":material/arrow_downward:", key=f"down_{step['id']}", disabled=i == len(steps) - 1,
                     on_click=move, args=(i, i + 1), help=t("tf.down"))
        tools.button("", icon=":material/delete:", key=f"del_{step['id']}", on_click=steps.pop, args=(i,),
                     help=t("tf.remove"))
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    new = c1.selectbox(t("tf.add"), T.STEPS, key="tf_new_step")
    c2.button(t("tf.add_button"), icon=":material/add:", disabled=len(steps) >= T.MOST_STEPS,
              on_click=lambda: steps.append(with_id(T.KINDS[new].new())))
    seed = urlstate.number("torch.manual_seed", 0, 10_000, 0, "compose_seed", where=c3)
    plain = [{k: v for k, v in s.items() if k != "id"} for s in steps]
    text = T.to_query(plain)
    urlstate.write("compose", None if text == T.DEFAULT_PIPELINE else text)

    stages = T.run(photo, plain, seed)
    rows = [{t("tf.col_step"): s.expression, t("tf.col_type"): s.kind, t("tf.col_shape"): str(s.shape),
             t("tf.col_detail"): s.detail, t("tf.col_range"): f"{s.low:.3f} … {s.high:.3f}"}
            for s in stages if s.error is None]
    st.dataframe(rows, hide_index=True)
    failed = stages[-1].error
    if failed:
        st.error(explain(failed), icon=":material/error:")
    else:
        last = stages[-1].value
        shown = last if not hasattr(last, "shape") else features.to_image(last[None].clamp(0, 1))
        st.image(images.fit(shown, 1024), caption=t("tf.result", shape=stages[-1].shape), width="content")
    code_block(photo, T.code(plain, seed, photo_source("tf_photo"), lang()), not_run=t("tf.not_run_failed") if failed else None)


VIEWS = {"to_tensor": to_tensor_view, "normalize": normalize_view, "resize": resize_view, "crop": crop_view,
         "compose": compose_view}

st.title(t("transforms.title"))
st.markdown(t("transforms.intro"))
share.copy_link()
photo = photo_picker("tf_photo", longest=1024, runs_code=True)
if photo is not None:
    view, tabs = urlstate.tabs({"to_tensor": "ToTensor", "normalize": "Normalize", "resize": "Resize",
                                "crop": t("tf.tab_crop"), "compose": "Compose"}, "view", scope="tf")
    with tabs[view]:
        wait_for_torch()
        VIEWS[view](photo)

practice_section("transforms")
