"""The transforms a pipeline offers, as data: one ``Kind`` per transform, which knows its default parameters,
how torchvision takes them, and the compact form a link carries.

A step itself is a plain dict ({"name": ..., **params}), so the page can add, remove and reorder steps and
edit their values, and a link can hold the whole pipeline; ``KINDS[step["name"]]`` says what the step is.
What a link may set is bounded by the step editor's own ranges and words: an unknown step or a value outside
them in a hand-edited URL is a QueryError the page explains. Nothing here needs torch; ``core.data.transforms``
builds and runs the steps from ``Kind.arguments``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from core.query import QueryError

NORMALIZE_PRESETS = {
    "course": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}
INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
PADDING_MODES = ("constant", "edge", "reflect", "symmetric")
MOST_STEPS = 12
# What a step's parameters may be when they come from a link: the step editor's own ranges.
RANGES: dict[str, tuple[float, float]] = {"size": (8, 512), "padding": (0, 64), "fill": (0, 255), "p": (0, 1),
                                          "brightness": (0, 1), "contrast": (0, 1), "saturation": (0, 1),
                                          "hue": (0, 0.5)}
WORDS = {"interpolation": INTERPOLATIONS, "padding_mode": PADDING_MODES, "preset": tuple(NORMALIZE_PRESETS)}
DEFAULT_PIPELINE = "Resize(size=512);ToTensor;Normalize"  # the course's Compose([Resize(512), ToTensor(), Normalize(…)])


def _value(key: str, text: str, default: object) -> object:
    """One parameter's value as a link writes it, refused (ValueError) outside the step editor's choices."""
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


@dataclass(frozen=True)
class Kind:
    """One transform a pipeline offers: ``transforms.<name>``, its parameters' defaults (in the page's order), and
    how it is called: ``positional`` by position, ``named`` always by name, any other only where it differs
    from its default (the course writes ``RandomCrop(100, padding=4)``, not every default)."""

    name: str
    defaults: Mapping[str, object] = field(default_factory=dict)
    positional: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    def new(self) -> dict:
        """A step of this kind with the default parameters (its own lists, so editing it leaves the defaults)."""
        return {"name": self.name, **{k: list(v) if isinstance(v, list | tuple) else v for k, v in self.defaults.items()}}

    def arguments(self, step: dict) -> tuple[list, dict]:
        """The step's arguments to ``transforms.<name>``: (positional, by name), as the course's code passes them."""
        args = [step[k] for k in self.positional]
        kwargs = {k: step[k] for k in self.defaults
                  if k not in self.positional and (k in self.named or step[k] != self.defaults[k])}
        return args, kwargs

    @property
    def settings(self) -> tuple[str, ...]:
        """What a learner sets, in the step editor or a link: its parameters."""
        return tuple(self.defaults)

    def link(self, step: dict) -> dict:
        """The parameters a link writes: those that differ from the defaults."""
        return {k: v for k, v in step.items() if k in self.defaults and v != self.defaults[k]}

    def read(self, key: str, text: str) -> dict:
        """What ``key=text`` in a link sets on a step (ValueError when the key or value is not one the page offers)."""
        if key not in self.settings:
            raise ValueError(key)
        return {key: _value(key, text, self.defaults[key])}


@dataclass(frozen=True)
class PresetKind(Kind):
    """Normalize: its mean and std travel in a link as the name of a preset (``preset=imagenet``)."""

    presets: Mapping[str, tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)

    @property
    def settings(self) -> tuple[str, ...]:
        """Its mean and std are set together, as a preset."""
        return ("preset",)

    def preset(self, step: dict) -> str:
        """The preset the step's mean and std are ("course" when they are none)."""
        return next((name for name, (mean, std) in self.presets.items()
                     if list(mean) == list(step["mean"]) and list(std) == list(step["std"])), "course")

    def link(self, step: dict) -> dict:
        name = self.preset(step)
        return {"preset": name} if name != "course" else {}

    def read(self, key: str, text: str) -> dict:
        if key not in self.settings:
            raise ValueError(key)
        mean, std = self.presets[_value(key, text, "")]
        return {"mean": list(mean), "std": list(std)}


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("ToTensor"),
    PresetKind("Normalize", {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}, ("mean", "std"),
               presets=NORMALIZE_PRESETS),
    Kind("Resize", {"size": [512, 512], "interpolation": "bilinear"}, ("size",)),
    Kind("CenterCrop", {"size": 224}, ("size",)),
    Kind("RandomCrop", {"size": 256, "padding": 0, "fill": 0, "padding_mode": "constant"}, ("size",)),
    Kind("RandomHorizontalFlip", {"p": 0.5}, named=("p",)),
    Kind("ColorJitter", {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
         named=("brightness", "contrast", "saturation", "hue")),
)}
STEPS = tuple(KINDS)
DEFAULTS: dict[str, Mapping[str, object]] = {name: kind.defaults for name, kind in KINDS.items()}


def to_query(steps: list[dict]) -> str:
    """A pipeline as a compact URL value: ``Resize(size=512);ToTensor;Normalize(preset=imagenet)``.

    Only parameters that differ from the step's defaults are written; a pair is ``512x384``.
    """
    parts = []
    for step in steps:
        params = KINDS[step["name"]].link(step)
        text = ",".join(f"{k}={'x'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())
        parts.append(f"{step['name']}({text})" if text else step["name"])
    return ";".join(parts)


def from_query(text: str) -> list[dict]:
    """The steps of a ``to_query`` value; a QueryError names what could not be read."""
    steps = []
    for part in [p for p in text.split(";") if p][:MOST_STEPS + 1]:
        name, _, rest = part.partition("(")
        if name not in KINDS or (rest and not rest.endswith(")")):
            raise QueryError("unknown_step", value=part[:30])
        kind = KINDS[name]
        step = kind.new()
        for item in [i for i in rest[:-1].split(",") if i]:
            key, _, raw = item.partition("=")
            try:
                step.update(kind.read(key, raw))
            except ValueError:
                raise QueryError("bad_step_value", value=f"{name}({item})"[:40]) from None
        steps.append(step)
    if len(steps) > MOST_STEPS:
        raise QueryError("too_many_steps", most=MOST_STEPS)
    return steps
