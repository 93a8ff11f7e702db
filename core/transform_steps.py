"""The transforms a pipeline offers, as data: each step's name and default parameters, and a pipeline
in the compact form a link carries.

A step is a plain dict ({"name": ..., **params}), so the page can add, remove and
reorder steps and a link can hold the whole pipeline. What a link may set is
bounded by the step editor's own ranges and words: an unknown step or a value
outside them in a hand-edited URL is a QueryError the page explains. Nothing
here needs torch; ``core.transforms`` builds and runs the steps.
"""
from __future__ import annotations

from core.query import QueryError

NORMALIZE_PRESETS = {
    "course": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}
INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
PADDING_MODES = ("constant", "edge", "reflect", "symmetric")
DEFAULTS: dict[str, dict] = {
    "ToTensor": {},
    "Normalize": {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
    "Resize": {"size": [512, 512], "interpolation": "bilinear"},
    "CenterCrop": {"size": 224},
    "RandomCrop": {"size": 256, "padding": 0, "fill": 0, "padding_mode": "constant"},
    "RandomHorizontalFlip": {"p": 0.5},
    "ColorJitter": {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
}
STEPS = tuple(DEFAULTS)
MOST_STEPS = 12
# What a step's parameters may be when they come from a link: the step editor's own ranges.
RANGES: dict[str, tuple[float, float]] = {"size": (8, 512), "padding": (0, 64), "fill": (0, 255), "p": (0, 1),
                                          "brightness": (0, 1), "contrast": (0, 1), "saturation": (0, 1),
                                          "hue": (0, 0.5)}
WORDS = {"interpolation": INTERPOLATIONS, "padding_mode": PADDING_MODES, "preset": tuple(NORMALIZE_PRESETS)}
DEFAULT_PIPELINE = "Resize(size=512);ToTensor;Normalize"  # the course's Compose([Resize(512), ToTensor(), Normalize(…)])


def _preset(step: dict) -> str:
    return next((name for name, (mean, std) in NORMALIZE_PRESETS.items()
                 if list(mean) == list(step["mean"]) and list(std) == list(step["std"])), "course")


def to_query(steps: list[dict]) -> str:
    """A pipeline as a compact URL value: ``Resize(size=512);ToTensor;Normalize(preset=imagenet)``.

    Only parameters that differ from the step's defaults are written; a pair is ``512x384``.
    """
    parts = []
    for step in steps:
        name = step["name"]
        if name == "Normalize":
            params = {"preset": _preset(step)} if _preset(step) != "course" else {}
        else:
            params = {k: v for k, v in step.items() if k in DEFAULTS[name] and v != DEFAULTS[name][k]}
        text = ",".join(f"{k}={'x'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())
        parts.append(f"{name}({text})" if text else name)
    return ";".join(parts)


def _value(key: str, text: str, default):
    if key in WORDS:
        if text not in WORDS[key]:
            raise ValueError(text)
        return text
    if key == "size" and "x" in text:
        return [_value(key, v, 0) for v in text.split("x", 1)]
    value = float(text) if isinstance(default, float) else int(text)
    low, high = RANGES[key]
    if not low <= value <= high:
        raise ValueError(text)
    return value


def from_query(text: str) -> list[dict]:
    """The steps of a ``to_query`` value; a QueryError names what could not be read."""
    steps = []
    for part in [p for p in text.split(";") if p][:MOST_STEPS + 1]:
        name, _, rest = part.partition("(")
        if name not in DEFAULTS or (rest and not rest.endswith(")")):
            raise QueryError("unknown_step", value=part[:30])
        step = {"name": name, **{k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS[name].items()}}
        for item in [i for i in rest[:-1].split(",") if i]:
            key, _, raw = item.partition("=")
            allowed = ("preset",) if name == "Normalize" else DEFAULTS[name]
            try:
                if key not in allowed:
                    raise ValueError(key)
                value = _value(key, raw, DEFAULTS[name].get(key, ""))
            except ValueError:
                raise QueryError("bad_step_value", value=f"{name}({item})"[:40]) from None
            if key == "preset":
                step["mean"], step["std"] = (list(v) for v in NORMALIZE_PRESETS[value])
            else:
                step[key] = value
        steps.append(step)
    if len(steps) > MOST_STEPS:
        raise QueryError("too_many_steps", most=MOST_STEPS)
    return steps
