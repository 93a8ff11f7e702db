"""The Model page's settings, one frozen dataclass per section, torch-free: ``core.model`` imports PyTorch, and the
page draws its architecture picker before that import has finished."""
from __future__ import annotations

from dataclasses import dataclass

from core import controls
from core.course import ARCHITECTURES
from core.data import images

SURGERY = ("add_module", "classifier_add_module", "replace")   # core.model.vgg16_surgery's keys, the course's order
PHOTOS = tuple(images.samples())


@dataclass(frozen=True)
class ModelSettings:
    """Which network the page takes apart: the course's CIFAR10-quick, or one of the two variants the app trains."""

    arch: str = controls.choice("course", ARCHITECTURES, "model.arch", option_labels="arch.")


@dataclass(frozen=True)
class SurgerySettings:
    """Which of the course's three VGG16 changes the diff shows; by default its last, the new last layer."""

    vgg: str = controls.choice("replace", SURGERY, "model.vgg_change", option_labels="model.vgg_")


@dataclass(frozen=True)
class PretrainedSettings:
    """The bundled photo the pretrained VGG16 classifies (where its weights are on disk)."""

    vgg_photo: str = controls.choice(PHOTOS[0], PHOTOS, "gaps.vgg_photo",
                                     controls.Widget.SELECTBOX, option_labels="samples.")
