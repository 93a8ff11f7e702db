"""Streamlit-side helpers shared by the pages, one small module per job, re-exported here.

core/ never imports streamlit; everything that needs it and is used by more
than one page lives in ui/: language (the language, strings, errors explained, class
names), code (the code block that runs its snippet), photo (the photo picker),
uploads (an upload read once, its bytes then handed back), widgets (animation
controls, settings problems, shapes, the chart config). Pages write ``from ui import t, show_code, …``.
"""
from ui.code import show_code
from ui.language import class_label, explain, labels, lang, language_switch, t
from ui.photo import photo_picker, photo_source
from ui.widgets import (
    CHART,
    SPEEDS,
    animation_labels,
    screen_px,
    settings_problem,
    speed_control,
    tensor_shape,
)

__all__ = ["CHART", "SPEEDS", "animation_labels", "class_label", "explain", "labels", "lang", "language_switch",
           "photo_picker", "photo_source", "screen_px", "settings_problem", "show_code", "speed_control", "t",
           "tensor_shape"]
