"""torchvision.transforms as the course uses them, step by step.

A pipeline is a list of steps, each {"name": ..., **params}; ``core.data.transform_steps.KINDS[name]``
says what a step is (its parameters, how torchvision takes them, its link form), so the
same list builds the transforms, runs them one at a time (type and shape after each) and
writes the code, each with one loop and no branch per step. A step that fails keeps a
TransformError (a CodedError) for the page to explain.

Random steps draw from a local ``torch.Generator``, never from torch's global
one: many learners share one server process, and a seed set by one page must
not change what another learner's page draws. They draw the same numbers in
the same order as torchvision does from the global generator, so the page
equals the snippet's ``torch.manual_seed(seed)`` + Compose (the tests check).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import torch
import torchvision  # noqa: F401 - the package whole before its submodules (core.preload.parents_first)
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision import transforms
from torchvision.transforms import InterpolationMode

from core import i18n
from core.code.render import render
from core.data.transform_steps import (  # noqa: F401 - the steps and their link form; callers use transforms.*
    DEFAULT_PIPELINE,
    DEFAULTS,
    INTERPOLATIONS,
    KINDS,
    MOST_STEPS,
    NORMALIZE_PRESETS,
    PADDING_MODES,
    RANGES,
    STEPS,
    WORDS,
    from_query,
    to_query,
)
from core.errors import CodedError, ErrorKind

MAX_PIXELS = 25_000_000  # a Resize(256) of a 1×1000 strip would be 256×256,000: refused before it is made
# What a link's words stand for as torchvision takes them (the code writes them the same way: InterpolationMode.NEAREST).
_OBJECTS = {"interpolation": InterpolationMode}


class TransformError(CodedError, ValueError):
    """A step that failed on the page's picture, with the common mistake it comes from when it is one we know
    (its code: step_needs_pil, step_needs_tensor, step_crop_too_big, else step_failed with PyTorch's message)."""

    kind = ErrorKind.TRANSFORM


class TooBig(TransformError):
    """A step would make a picture too large to show (the page explains; PyTorch itself would try)."""


def _arguments(step: dict) -> tuple[list, dict]:
    """The step's arguments as torchvision takes them: a pair as a tuple, a word as its enum."""
    def value(key: str, v: object) -> object:
        return _OBJECTS[key](v) if key in _OBJECTS else tuple(v) if isinstance(v, list) else v
    kind = KINDS[step["name"]]
    args, kwargs = kind.arguments(step)
    return ([value(k, v) for k, v in zip(kind.positional, args)], {k: value(k, v) for k, v in kwargs.items()})


def _code(value: object) -> str:
    """One argument as the course writes it: InterpolationMode.NEAREST, 'reflect', (0.5, 0.5, 0.5), 0.4."""
    if isinstance(value, InterpolationMode):
        return f"InterpolationMode.{value.name}"
    return repr(value) if isinstance(value, str) else str(value)


def build(step: dict):
    """The torchvision transform for one step."""
    args, kwargs = _arguments(step)
    return getattr(transforms, step["name"])(*args, **kwargs)


def expression(step: dict) -> str:
    """The step as the course writes it: transforms.Resize((512, 512)), …"""
    args, kwargs = _arguments(step)
    text = ", ".join([*map(_code, args), *(f"{k}={_code(v)}" for k, v in kwargs.items())])
    return f"transforms.{step['name']}({text})"


def _size_after_resize(size: int | list[int], width: int, height: int) -> tuple[int, int]:
    """(width, height) Resize gives: a pair as is, an int for the shorter side (torchvision truncates the longer)."""
    if not isinstance(size, int):
        return size[1], size[0]
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def crop_box(height: int, width: int, size: tuple[int, int], generator: torch.Generator) -> tuple[int, int, int, int]:
    """RandomCrop.get_params with a local generator: the same draws, in the same order, as torchvision's."""
    th, tw = size
    if height < th or width < tw:
        raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(height, width)}")
    if width == tw and height == th:
        return 0, 0, height, width
    top = torch.randint(0, height - th + 1, size=(1,), generator=generator).item()
    left = torch.randint(0, width - tw + 1, size=(1,), generator=generator).item()
    return top, left, th, tw


def _jitter(t: transforms.ColorJitter, img, generator: torch.Generator):
    """ColorJitter.forward, its factors drawn from ``generator`` (torchvision's order: permutation, then b, c, s, h)."""
    order = torch.randperm(4, generator=generator)
    factors = [None if r is None else float(torch.empty(1).uniform_(r[0], r[1], generator=generator))
               for r in (t.brightness, t.contrast, t.saturation, t.hue)]
    adjust = (TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation, TF.adjust_hue)
    for k in order.tolist():
        if factors[k] is not None:
            img = adjust[k](img, factors[k])
    return img


def _resize(t: transforms.Resize, value, generator: torch.Generator):
    """Resize, refused (TooBig) before it makes a picture too large to show."""
    if isinstance(value, Image.Image):
        width, height = _size_after_resize(t.size, *value.size)
        if width * height > MAX_PIXELS:
            raise TooBig("resize_too_big", width=width, height=height)
    return t(value)


def _crop(t: transforms.RandomCrop, value, generator: torch.Generator):
    """RandomCrop.forward, its box drawn from ``generator``."""
    if t.padding is not None:
        value = TF.pad(value, t.padding, t.fill, t.padding_mode)
    _, height, width = TF.get_dimensions(value)
    return TF.crop(value, *crop_box(height, width, t.size, generator))


def _flip(t: transforms.RandomHorizontalFlip, value, generator: torch.Generator):
    """RandomHorizontalFlip.forward, its coin drawn from ``generator``."""
    return TF.hflip(value) if torch.rand(1, generator=generator).item() < t.p else value


# How the page runs a transform where calling it would not do: it draws from the page's generator, or it is refused
# before it makes a picture too large to show. Any other transform is simply called.
_RUNS = {transforms.Resize: _resize, transforms.RandomCrop: _crop, transforms.RandomHorizontalFlip: _flip,
         transforms.ColorJitter: _jitter}


def apply(step: dict, value, generator: torch.Generator):
    """One step on ``value``; a random step draws from ``generator`` exactly as torchvision draws from the global RNG."""
    t = build(step)
    run_one = _RUNS.get(type(t))
    return run_one(t, value, generator) if run_one else t(value)


def _failed(expression: str, error: Exception) -> TransformError:
    """PyTorch's error on a step, with the common mistake it comes from when it is one we know."""
    text = f"{type(error).__name__}: {error}"
    known = {"should be PIL Image": "needs_pil", "Tensor Image": "needs_tensor", "should be a torch tensor":
             "needs_tensor", "larger than input image size": "crop_too_big"}
    reason = next((code for words, code in known.items() if words in text), "failed")
    return TransformError(f"step_{reason}", step=expression, error=text)


class Holds(StrEnum):
    """What a stage holds, named as the page's table names it."""

    PIL = "PIL"
    TENSOR = "Tensor"


@dataclass(frozen=True)
class Stage:
    """What one step received and produced."""

    expression: str
    kind: Holds | None              # None for the step that failed
    shape: tuple[int, ...]          # PIL: (width, height) as img.size; tensor: tensor.shape
    detail: str                     # PIL mode, or the dtype
    low: float
    high: float
    value: Image.Image | torch.Tensor | None
    error: TransformError | None = None  # why the pipeline stopped here (ui.explain says it)


def describe(value: Image.Image | torch.Tensor) -> tuple[Holds, tuple[int, ...], str, float, float]:
    """A stage's type, shape, mode or dtype, and range of values, as the page's table shows them."""
    if isinstance(value, Image.Image):
        a = np.asarray(value)
        return Holds.PIL, value.size, value.mode, float(a.min()), float(a.max())
    return Holds.TENSOR, tuple(value.shape), str(value.dtype).replace("torch.", ""), float(value.min()), float(value.max())


def run(image: Image.Image, steps: list[dict], seed: int = 0) -> list[Stage]:
    """Apply the steps one by one (one generator seeded once, as the snippet seeds torch); stop at the first error.

    The first stage is the input itself. A step that fails ends the list with a stage holding its
    TransformError, which keeps PyTorch's message.
    """
    generator = torch.Generator().manual_seed(seed)
    value: Image.Image | torch.Tensor = image
    stages = [Stage("Image.open(...)", *describe(image), value=image)]
    for step in steps:
        shown = expression(step)
        try:
            value = apply(step, value, generator)
        except TooBig as err:   # the size it would make (err.params) said with the step and the size it was given
            error = TooBig("step_too_big", step=shown, size=stages[-1].shape, **err.params)
            stages.append(Stage(shown, None, (), "", 0, 0, None, error))
            break
        except (TypeError, ValueError, RuntimeError) as err:
            stages.append(Stage(shown, None, (), "", 0, 0, None, _failed(shown, err)))
            break
        stages.append(Stage(shown, *describe(value), value=value))
    return stages


def random_crops(image: Image.Image, size: int, padding: int, fill: int, padding_mode: str, n: int,
                 seed: int) -> tuple[Image.Image, list[tuple[int, int, int, int]], list[Image.Image]]:
    """n draws of RandomCrop after torch.manual_seed(seed): the padded image, each crop's box (top, left, h, w), the crops.

    The boxes come from the same random draws RandomCrop itself makes (from a
    local generator), so they are the boxes of the crops it returns (the tests check).
    """
    padded = TF.pad(image, padding, fill=fill, padding_mode=padding_mode) if padding else image
    generator = torch.Generator().manual_seed(seed)
    boxes = [crop_box(padded.height, padded.width, (size, size), generator) for _ in range(n)]
    return padded, boxes, [TF.crop(padded, *box) for box in boxes]


def denormalize(x: torch.Tensor, mean, std) -> torch.Tensor:
    """x·std + mean: the picture a normalised tensor came from."""
    return x * torch.tensor(std).view(-1, 1, 1) + torch.tensor(mean).view(-1, 1, 1)


def _interpolation(*steps: dict) -> bool:
    """Whether the code names an InterpolationMode, so it must import it."""
    return any(isinstance(v, InterpolationMode) for s in steps for v in _arguments(s)[1].values())


def code(steps: list[dict], seed: int, source: str, lang: str = i18n.DEFAULT) -> str:
    """The pipeline as the course writes it, printing what each page row shows."""
    return render("transforms_compose", lang, steps=[expression(s) for s in steps], seed=seed, source=repr(source),
                  interpolation=_interpolation(*steps))


def to_tensor_code(source: str, lang: str = i18n.DEFAULT) -> str:
    """ToTensor on the photo at ``source``: the PIL image's size and mode, the tensor's shape, dtype and a pixel."""
    return render("to_tensor", lang, source=repr(source))


def normalize_code(source: str, mean: list[float], std: list[float], lang: str = i18n.DEFAULT) -> str:
    """Normalize after ToTensor: one value before and after, and the new range."""
    return render("normalize", lang, source=repr(source), mean=tuple(mean), std=tuple(std))


def resize_code(step: dict, source: str, lang: str = i18n.DEFAULT) -> str:
    """One Resize step, printing the size before and after."""
    return render("resize", lang, source=repr(source), step=expression(step), interpolation=_interpolation(step))


def crop_code(step: dict, seed: int, n: int, source: str, lang: str = i18n.DEFAULT) -> str:
    """``n`` RandomCrops after torch.manual_seed(seed), printing each crop's size."""
    return render("random_crop", lang, source=repr(source), step=expression(step), seed=seed, n=n)
