"""Transforms: what ToTensor, Normalize, Resize and the random crops do to a photo, and a Compose pipeline to build."""
import uuid

import numpy as np
import streamlit as st
import torch

from core import features, viz
from core import transforms as T
from ui import labels, photo_picker, photo_source, show_code, t

CHART = {"displayModeBar": False}


def code_block(photo, code: str) -> None:
    """The snippet, run on the very image this page shows."""
    show_code(code, files={photo_source("tf_photo"): photo})


def pixel_rows(photo, tensor: torch.Tensor) -> list[dict]:
    a = np.asarray(photo)
    return [{"(y, x)": f"({y}, {x})", "PIL (R, G, B)": str(tuple(int(v) for v in a[y, x])),
             "tensor[:, y, x]": "[" + ", ".join(f"{float(v):.4f}" for v in tensor[:, y, x]) + "]"}
            for y, x in ((0, 0), (0, 1), (1, 0), (a.shape[0] // 2, a.shape[1] // 2))]


def to_tensor_view(photo) -> None:
    tensor = T.build({"name": "ToTensor"})(photo)
    left, right = st.columns(2)
    a = np.asarray(photo)
    left.markdown(t("tf.pil_side", size=photo.size, mode=photo.mode, shape=a.shape, dtype=a.dtype,
                    low=int(a.min()), high=int(a.max())))
    right.markdown(t("tf.tensor_side", shape=tuple(tensor.shape), dtype=str(tensor.dtype),
                     low=f"{tensor.min():.4f}", high=f"{tensor.max():.4f}"))
    st.dataframe(pixel_rows(photo, tensor), hide_index=True)
    st.markdown(t("tf.to_tensor_explain"))
    code_block(photo, "\n".join([
        "from PIL import Image", "import numpy as np", "from torchvision import transforms", "",
        f"img = Image.open({photo_source('tf_photo')!r}).convert('RGB')",
        "print(img.size, img.mode, np.asarray(img).shape)",
        "tensor_trans = transforms.ToTensor()", "tensor_img = tensor_trans(img)",
        "print(tensor_img.shape, tensor_img.dtype)", "print(tensor_img[:, 0, 0])"]))


def normalize_view(photo) -> None:
    preset = st.segmented_control(t("tf.preset"), [*T.NORMALIZE_PRESETS, "custom"], format_func=labels("tf.preset_"),
                                  default="course", required=True, key="tf_norm_preset", persist_state="session")
    if preset == "custom":
        columns = st.columns(6)
        mean = [columns[c].number_input(f"mean[{c}]", -2.0, 2.0, 0.5, 0.01, key=f"tf_mean_{c}") for c in range(3)]
        std = [columns[3 + c].number_input(f"std[{c}]", 0.01, 5.0, 0.5, 0.01, key=f"tf_std_{c}") for c in range(3)]
    else:
        mean, std = (list(v) for v in T.NORMALIZE_PRESETS[preset])
    if min(std) <= 0:
        st.error(t("tf.std_positive"))
        return
    tensor = T.build({"name": "ToTensor"})(photo)
    out = T.build({"name": "Normalize", "mean": mean, "std": std})(tensor)
    v, r = float(tensor[0, 0, 0]), float(out[0, 0, 0])
    st.markdown(t("tf.normalize_formula", v=f"{v:.4f}", m=mean[0], s=std[0], r=f"{r:.4f}"))
    left, right = st.columns(2)
    left.markdown(f"**{t('tf.before')}** (0 … 1)")
    left.plotly_chart(viz.channel_histograms(tensor.numpy()), key="tf_hist_before", config=CHART)
    right.markdown(f"**{t('tf.after')}** ({out.min():.2f} … {out.max():.2f})")
    right.plotly_chart(viz.channel_histograms(out.numpy()), key="tf_hist_after", config=CHART)
    c1, c2, c3 = st.columns(3)
    c1.image(photo, caption=t("tf.shown_original"), width="stretch")
    c2.image(features.to_image(out[None]), caption=t("tf.shown_normalized"), width="stretch")
    c3.image(features.to_image(T.denormalize(out, mean, std)[None]), caption=t("tf.shown_back"), width="stretch")
    st.markdown(t("tf.normalize_explain"))
    code_block(photo, "\n".join([
        "from PIL import Image", "from torchvision import transforms", "",
        f"img = Image.open({photo_source('tf_photo')!r}).convert('RGB')",
        "img_tensor = transforms.ToTensor()(img)",
        f"trans_norm = transforms.Normalize({tuple(mean)}, {tuple(std)})", "img_norm = trans_norm(img_tensor)",
        "print(img_tensor[0][0][0], img_norm[0][0][0])", "print(img_norm.min(), img_norm.max())"]))


def resize_view(photo) -> None:
    c1, c2, c3 = st.columns(3)
    mode = c1.segmented_control(t("tf.resize_mode"), ["pair", "int"], format_func=labels("tf.resize_"), default="pair",
                                required=True, key="tf_resize_mode", persist_state="session")
    interpolation = c3.selectbox("interpolation", T.INTERPOLATIONS, key="tf_interp", persist_state="session")
    if mode == "pair":
        h = c2.slider("h", 8, 512, 512, key="tf_h", persist_state="session")
        w = c2.slider("w", 8, 512, 512, key="tf_w", persist_state="session")
        size: int | list[int] = [h, w]
    else:
        size = c2.slider("size", 8, 512, 256, key="tf_size", persist_state="session")
    step = {"name": "Resize", "size": size, "interpolation": interpolation}
    out = T.build(step)(photo)
    left, right = st.columns(2)
    left.image(photo, caption=t("tf.size_before", size=photo.size), width="stretch")
    right.image(out, caption=t("tf.size_after", size=out.size), width=min(out.size[0], 700))
    st.markdown(t("tf.resize_explain"))
    code_block(photo, "\n".join(["from PIL import Image", "from torchvision import transforms"]
                        + (["from torchvision.transforms import InterpolationMode"] if interpolation != "bilinear" else [])
                        + ["", f"img = Image.open({photo_source('tf_photo')!r}).convert('RGB')", "print(img.size)",
                           f"trans_resize = {T.expression(step)}", "img_resize = trans_resize(img)",
                           "print(img_resize.size)"]))


def crop_view(photo) -> None:
    c1, c2, c3, c4 = st.columns(4)
    size = c1.slider("size", 16, min(photo.size) + 64, min(256, min(photo.size)), key="tf_crop_size",
                     persist_state="session")
    padding = c2.slider("padding", 0, 64, 0, key="tf_crop_padding", persist_state="session")
    fill = c3.slider("fill", 0, 255, 0, key="tf_crop_fill", persist_state="session")
    padding_mode = c4.selectbox("padding_mode", T.PADDING_MODES, key="tf_crop_mode", persist_state="session")
    c1, c2 = st.columns(2)
    n = c1.slider(t("tf.crop_count"), 1, 9, 6, key="tf_crop_n", persist_state="session")
    seed = c2.number_input("torch.manual_seed", 0, 10_000, 0, key="tf_crop_seed", persist_state="session")
    padded_w, padded_h = photo.size[0] + 2 * padding, photo.size[1] + 2 * padding
    if size > min(padded_w, padded_h):
        st.error(t("tf.crop_too_big_here", size=size, width=padded_w, height=padded_h))
        return
    padded, boxes, crops = T.random_crops(photo, size, padding, fill, padding_mode, n, seed)
    st.markdown(t("tf.crop_explain", size=size, padding=padding))
    left, right = st.columns([3, 2])
    left.plotly_chart(viz.image_with_boxes(np.asarray(padded), boxes), key="tf_boxes", config=CHART)
    with right:
        columns = st.columns(3)
        for k, (crop, box) in enumerate(zip(crops, boxes)):
            columns[k % 3].image(crop, caption=f"{k + 1}: top={box[0]}, left={box[1]}", width="stretch")
    step = {"name": "RandomCrop", "size": size, "padding": padding, "fill": fill, "padding_mode": padding_mode}
    code_block(photo, "\n".join(["import torch", "from PIL import Image", "from torchvision import transforms", "",
                         f"img = Image.open({photo_source('tf_photo')!r}).convert('RGB')",
                         f"trans_random = {T.expression(step)}", f"torch.manual_seed({seed})",
                         f"for i in range({n}):", "    img_crop = trans_random(img)", "    print(img_crop.size)"]))

    st.subheader(t("tf.more_title"))
    c1, c2, c3 = st.columns(3)
    with c1:
        center = st.slider("CenterCrop size", 16, max(photo.size), min(photo.size) // 2, key="tf_center")
        st.image(T.build({"name": "CenterCrop", "size": center})(photo), caption=f"CenterCrop({center})",
                 width="stretch")
    with c2:
        p = st.slider("RandomHorizontalFlip p", 0.0, 1.0, 0.5, 0.05, key="tf_flip_p")
        torch.manual_seed(seed)
        flips = [T.build({"name": "RandomHorizontalFlip", "p": p})(photo) for _ in range(4)]
        st.image(flips, caption=[f"#{i + 1}" for i in range(4)], width=110)
    with c3:
        jitter = st.slider("ColorJitter brightness = contrast = saturation", 0.0, 1.0, 0.4, 0.05, key="tf_jitter")
        hue = st.slider("hue", 0.0, 0.5, 0.1, 0.05, key="tf_hue")
        torch.manual_seed(seed)
        step = {"name": "ColorJitter", "brightness": jitter, "contrast": jitter, "saturation": jitter, "hue": hue}
        st.image([T.build(step)(photo) for _ in range(4)], caption=[f"#{i + 1}" for i in range(4)], width=110)
    st.caption(t("tf.more_caption"))


def step_defaults(name: str) -> dict:
    return {"name": name, "id": uuid.uuid4().hex[:8], **T.DEFAULTS[name]}


def move(i: int, j: int) -> None:
    steps = st.session_state.tf_steps
    steps[i], steps[j] = steps[j], steps[i]


def step_editor(step: dict) -> None:
    """The parameters of one step in its popover."""
    key = f"tf_p_{step['id']}"
    name = step["name"]
    if name == "Normalize":
        preset = st.selectbox(t("tf.preset"), list(T.NORMALIZE_PRESETS), format_func=labels("tf.preset_"),
                              key=f"{key}_preset")
        step["mean"], step["std"] = (list(v) for v in T.NORMALIZE_PRESETS[preset])
    elif name == "Resize":
        if st.toggle(t("tf.resize_int"), isinstance(step["size"], int), key=f"{key}_int"):
            step["size"] = st.slider("size", 8, 512, 256, key=f"{key}_size")
        else:
            step["size"] = [st.slider("h", 8, 512, 512, key=f"{key}_h"), st.slider("w", 8, 512, 512, key=f"{key}_w")]
        step["interpolation"] = st.selectbox("interpolation", T.INTERPOLATIONS, key=f"{key}_interp")
    elif name in ("CenterCrop", "RandomCrop"):
        step["size"] = st.slider("size", 8, 512, step["size"], key=f"{key}_size")
        if name == "RandomCrop":
            step["padding"] = st.slider("padding", 0, 64, step["padding"], key=f"{key}_pad")
            step["padding_mode"] = st.selectbox("padding_mode", T.PADDING_MODES, key=f"{key}_mode")
    elif name == "RandomHorizontalFlip":
        step["p"] = st.slider("p", 0.0, 1.0, step["p"], 0.05, key=f"{key}_p")
    elif name == "ColorJitter":
        for k in ("brightness", "contrast", "saturation"):
            step[k] = st.slider(k, 0.0, 1.0, step[k], 0.05, key=f"{key}_{k}")
        step["hue"] = st.slider("hue", 0.0, 0.5, step["hue"], 0.05, key=f"{key}_hue")
    else:
        st.caption(t("tf.no_params"))


def compose_view(photo) -> None:
    st.markdown(t("tf.compose_intro"))
    if "tf_steps" not in st.session_state:
        st.session_state.tf_steps = [step_defaults("Resize") | {"size": 512}, step_defaults("ToTensor"),
                                     step_defaults("Normalize")]
    steps = st.session_state.tf_steps
    for i, step in enumerate(steps):
        c0, c1, c2, c3, c4 = st.columns([6, 1, 1, 1, 1], vertical_alignment="center")
        with c1.popover("", icon=":material/tune:", help=t("tf.edit_step")):
            step_editor(step)
        c0.code(T.expression(step), language=None)
        c2.button("", icon=":material/arrow_upward:", key=f"up_{step['id']}", disabled=i == 0,
                  on_click=move, args=(i, i - 1), help=t("tf.up"))
        c3.button("", icon=":material/arrow_downward:", key=f"down_{step['id']}", disabled=i == len(steps) - 1,
                  on_click=move, args=(i, i + 1), help=t("tf.down"))
        c4.button("", icon=":material/delete:", key=f"del_{step['id']}", on_click=steps.pop, args=(i,),
                  help=t("tf.remove"))
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    new = c1.selectbox(t("tf.add"), T.STEPS, key="tf_new_step")
    c2.button(t("tf.add_button"), icon=":material/add:", on_click=lambda: steps.append(step_defaults(new)))
    seed = c3.number_input("torch.manual_seed", 0, 10_000, 0, key="tf_compose_seed")

    stages = T.run(photo, [{k: v for k, v in s.items() if k != "id"} for s in steps], seed)
    rows = [{t("tf.col_step"): s.expression, t("tf.col_type"): s.kind, t("tf.col_shape"): str(s.shape),
             t("tf.col_detail"): s.detail, t("tf.col_range"): f"{s.low:.3f} … {s.high:.3f}"}
            for s in stages if s.error is None]
    st.dataframe(rows, hide_index=True)
    failed = stages[-1].error
    if failed:
        reason = T.explain(failed)
        st.error(t("tf.failed", step=stages[-1].expression, error=failed), icon=":material/error:")
        if reason:
            st.info(t(f"tf.why_{reason}"), icon=":material/lightbulb:")
    else:
        last = stages[-1].value
        shown = last if not isinstance(last, torch.Tensor) else features.to_image(last[None].clamp(0, 1))
        st.image(shown, caption=t("tf.result", shape=stages[-1].shape), width=min(shown.size[0], 512))
    code_block(photo, T.code([{k: v for k, v in s.items() if k != "id"} for s in steps], seed, photo_source("tf_photo")))


st.title(t("transforms.title"))
st.markdown(t("transforms.intro"))
photo = photo_picker("tf_photo", longest=1024)
if photo is not None:
    names = ["ToTensor", "Normalize", "Resize", t("tf.tab_crop"), "Compose"]
    views = (to_tensor_view, normalize_view, resize_view, crop_view, compose_view)
    for tab, view in zip(st.tabs(names, key="tf_view", on_change="rerun"), views):
        with tab:
            if tab.open:
                view(photo)
