"""The Transforms page's tab settings as frozen dataclasses (``core.controls`` fields: each drawn, checked and bound to
the URL by ``ui.urlform.form``), and the pipeline step each makes.

A field is named as the link names it: PyTorch's argument where there is one (``interpolation``, ``padding_mode``),
else the page's own (``normalize`` for the preset, ``resize`` for how the size is given). Settings whose bounds
follow the photo (RandomCrop's and CenterCrop's size) are drawn by the page itself, and passed in beside these.
Nothing here needs torch.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import controls
from core.data.transform_steps import INTERPOLATIONS, NORMALIZE_PRESETS, PADDING_MODES


@dataclass(frozen=True)
class NormalizeSettings:
    """Normalize's mean and std: a preset (``?normalize=imagenet``), or ``custom`` for the learner's own."""

    normalize: str = controls.choice("course", (*NORMALIZE_PRESETS, "custom"), "tf.preset", option_labels="tf.preset_")

    @property
    def custom(self) -> bool:
        """Whether the mean and std are the learner's own (``CustomNormalize``), not a preset's."""
        return self.normalize == "custom"

    def mean_std(self) -> tuple[list[float], list[float]]:
        """The preset's mean and std per channel (R, G, B)."""
        mean, std = NORMALIZE_PRESETS[self.normalize]
        return list(mean), list(std)


@dataclass(frozen=True)
class CustomNormalize:
    """The learner's own mean and std per channel, drawn when the preset is ``custom`` (a std of 0 is not offered)."""

    mean_r: float = controls.number(0.5, -2.0, 2.0)
    mean_g: float = controls.number(0.5, -2.0, 2.0)
    mean_b: float = controls.number(0.5, -2.0, 2.0)
    std_r: float = controls.number(0.5, 0.01, 5.0)
    std_g: float = controls.number(0.5, 0.01, 5.0)
    std_b: float = controls.number(0.5, 0.01, 5.0)

    def mean_std(self) -> tuple[list[float], list[float]]:
        return [self.mean_r, self.mean_g, self.mean_b], [self.std_r, self.std_g, self.std_b]


@dataclass(frozen=True)
class ResizeSettings:
    """How Resize's size is given (``pair``: ``ResizePair``, ``int``: ``ResizeSide``) and its interpolation."""

    resize: str = controls.choice("pair", ("pair", "int"), "tf.resize_mode", option_labels="tf.resize_")
    interpolation: str = controls.choice("bilinear", INTERPOLATIONS, "", controls.Widget.SELECTBOX)

    def step(self, size: int | list[int]) -> dict:
        """The Resize step with ``size`` (``ResizePair.size`` or ``ResizeSide.size``)."""
        return {"name": "Resize", "size": size, "interpolation": self.interpolation}


@dataclass(frozen=True)
class ResizePair:
    """``Resize((h, w))``: exactly that height and width."""

    h: int = controls.slider(512, 8, 512)
    w: int = controls.slider(512, 8, 512)

    @property
    def size(self) -> list[int]:
        return [self.h, self.w]


@dataclass(frozen=True)
class ResizeSide:
    """``Resize(size)``: the shorter side that long."""

    size: int = controls.slider(256, 8, 512)


@dataclass(frozen=True)
class CropSettings:
    """RandomCrop's arguments beside its size, how many crops are drawn, and the seed they are drawn after."""

    padding: int = controls.slider(0, 0, 64)
    fill: int = controls.slider(0, 0, 255)
    padding_mode: str = controls.choice("constant", PADDING_MODES, "", controls.Widget.SELECTBOX)
    n: int = controls.slider(6, 1, 9, "tf.crop_count")
    seed: int = controls.number(0, 0, 10_000, "settings.manual_seed")

    def padded(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) of a picture this size after the padding."""
        return width + 2 * self.padding, height + 2 * self.padding

    def step(self, size: int) -> dict:
        """The RandomCrop step with ``size``."""
        return {"name": "RandomCrop", "size": size, "padding": self.padding, "fill": self.fill,
                "padding_mode": self.padding_mode}


@dataclass(frozen=True)
class RandomSettings:
    """RandomHorizontalFlip's ``p`` and ColorJitter's strengths (brightness, contrast and saturation alike, and hue),
    each drawn four times after the crops' seed."""

    p: float = controls.slider(0.5, 0.0, 1.0, "tf.flip_p", step=0.05)
    jitter: float = controls.slider(0.4, 0.0, 1.0, "tf.jitter", step=0.05)
    hue: float = controls.slider(0.1, 0.0, 0.5, step=0.05)

    def flip(self) -> dict:
        """The RandomHorizontalFlip step."""
        return {"name": "RandomHorizontalFlip", "p": self.p}

    def color_jitter(self) -> dict:
        """The ColorJitter step."""
        return {"name": "ColorJitter", "brightness": self.jitter, "contrast": self.jitter, "saturation": self.jitter,
                "hue": self.hue}
