"""Pooling: nn.MaxPool2d (and AvgPool2d) on the course's matrix, window by window, then on a photo.

The title, intro and controls need no PyTorch, so they draw at once; the figures wait for the background import.
"""
from dataclasses import replace
from functools import partial

import numpy as np
import streamlit as st

from core import course
from core.basics import ops, sizes
from core.basics.ops import PoolSettings
from ui import lang, lesson, photo_picker, screen_px, share, speed_control, t, tensor_shape, urlmatrix, urlstate
from ui.practice import practice_section
from ui.urlform import apply, form

INPUT_LIMITS = (1, 9, 1, 9)


def reset() -> None:
    apply(PoolSettings(), "pool")
    urlmatrix.set_matrix("pool", "x", course.CONV_INPUT)


def randomize() -> None:
    rng = np.random.default_rng()
    urlmatrix.set_matrix("pool", "x", rng.integers(0, 10, size=rng.integers(4, 10, size=2)))


def fixes(err: ops.SettingsError, settings: PoolSettings) -> list[tuple[str, PoolSettings]]:
    """Half the kernel as padding, dilation 1 for avg pooling, or ceil_mode's extra window."""
    half = settings.kernel_size // 2
    return {
        "pool_pad_too_big": [(t("pool.fix_padding", limit=half), replace(settings, padding=half))],
        "avg_no_dilation": [(t("conv.fix_dilation"), replace(settings, dilation=1))],
        "pool_too_small": [(t("pool.fix_ceil"), replace(settings, ceil_mode=True))] if not settings.ceil_mode else [],
    }.get(err.code, [])


def explain(trace: ops.Trace, settings: PoolSettings, view: lesson.View) -> lesson.Explanation:
    from core import viz
    from core.basics import codegen
    from ui import animation_labels

    shape = trace.in_shape
    return lesson.Explanation(
        figure=viz.window_animation(trace, animation_labels(), view.duration, view.start, view.picked, screen_px()),
        legend=lesson.window_legend(trace, view.picked),
        size_latex=sizes.size_latex(settings.ceil_mode),
        size_lines=settings.size_lines(shape),
        warnings=tuple(t("pool.dropped", **dropped) for dropped in settings.dropped(shape)),
        notes=(t("pool.ceil_rule"),),
        shape=t("pool.result_shape", input=tensor_shape(1, 1, *shape), output=tensor_shape(1, 1, *trace.output.shape)),
        code=codegen.pool2d(trace.input, settings, lang()))


def photo_view(settings: PoolSettings, refused: bool) -> None:
    """The same pooling on every channel of a photo (not where PyTorch refuses the settings: the lesson says why)."""
    from core.basics import features

    st.divider()
    st.subheader(t("pool.photo_title"))
    st.markdown(t("pool.photo_intro"))
    photo = photo_picker("pool_photo", longest=240)
    if photo is None or refused:
        return
    image = features.to_tensor(photo)
    try:
        pooled = features.pool(image, settings)
    except RuntimeError:
        st.warning(t("pool.photo_too_small"))
        st.stop()
    left, right = st.columns(2)
    left.image(photo, caption=t("pool.before", shape=tuple(image.shape)), width="stretch")
    right.image(features.to_image(pooled), caption=t("pool.after", shape=tuple(pooled.shape)), width="stretch")
    st.caption(t("pool.photo_caption"))


st.title(t("pool.title"))
st.markdown(t("pool.intro"))
share.copy_link()

# what became of a link's values is said in one line above the controls (the matrix's too, in a collapsed expander)
with urlstate.notes_above():
    settings = form(PoolSettings, scope="pool")
    with st.columns(4)[0]:
        duration = speed_control("pool_speed")
    with st.expander(t("pool.edit"), expanded="x" in st.query_params):
        x = urlmatrix.matrix(t("conv.input_hint"), course.CONV_INPUT, "x", scope="pool", limits=INPUT_LIMITS)
        b1, b2, _ = st.columns([1, 1, 2])
        b1.button(t("conv.random"), icon=":material/casino:", on_click=randomize)
        b2.button(t("conv.reset"), icon=":material/restart_alt:", on_click=reset)

trace = lesson.show(lesson.Operation("pool", settings, partial(ops.pool2d_trace, x), fixes, explain, duration,
                                     clickable=True))
photo_view(settings, refused=trace is None)

practice_section("pool", {"x": x, "kernel_size": settings.kernel_size, "stride": settings.step,
                          "padding": settings.padding, "dilation": settings.dilation,
                          "ceil_mode": settings.ceil_mode, "mode": settings.mode})
