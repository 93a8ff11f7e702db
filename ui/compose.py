"""The Transforms page's Compose tab: a pipeline the learner builds (add, remove, reorder, each step's parameters in
its popover), the type and shape after every step, and its code.

The pipeline is a list of plain step dicts (``core.data.transform_steps``) kept in ``st.session_state.tf_steps`` and
in the URL (``?compose=Resize(size=512);ToTensor;Normalize``); each step carries an id of its own so that its widgets
keep their keys when steps move.
"""
from __future__ import annotations

import uuid

import streamlit as st
from PIL import Image

from core.data import images
from ui import explain, labels, lang, photo_source, t, urlstate
from ui.transforms_views import PICKER, code_block


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


def steps_list(steps: list[dict]) -> None:
    """Each step as the course writes it, with its tools: edit its parameters, move it up or down, remove it."""
    from core.data import transforms as T

    for i, step in enumerate(steps):
        code, tools = st.columns([3, 2], vertical_alignment="center")
        tools = tools.container(horizontal=True)  # the four tools stay one row on a phone, where columns stack
        with tools.popover("", icon=":material/tune:", help=t("tf.edit_step")):
            step_editor(step)
        code.code(T.expression(step), language=None, wrap_lines=True)  # after its editor: the step as just set
        tools.button("", icon=":material/arrow_upward:", key=f"up_{step['id']}", disabled=i == 0,
                     on_click=move, args=(i, i - 1), help=t("tf.up"))
        tools.button("", icon=":material/arrow_downward:", key=f"down_{step['id']}", disabled=i == len(steps) - 1,
                     on_click=move, args=(i, i + 1), help=t("tf.down"))
        tools.button("", icon=":material/delete:", key=f"del_{step['id']}", on_click=steps.pop, args=(i,),
                     help=t("tf.remove"))


def compose_view(photo: Image.Image) -> None:
    from core.basics import features
    from core.data import transforms as T

    st.markdown(t("tf.compose_intro"))
    urlstate.custom("compose", "tf_steps", lambda text: [with_id(s) for s in T.from_query(text)])
    if "tf_steps" not in st.session_state:
        st.session_state.tf_steps = [with_id(s) for s in T.from_query(T.DEFAULT_PIPELINE)]
    steps = st.session_state.tf_steps
    steps_list(steps)
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
    code_block(photo, T.code(plain, seed, photo_source(PICKER), lang()), not_run=t("tf.not_run_failed") if failed else None)
