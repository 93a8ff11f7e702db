"""Standalone code for the chapters pages (TensorBoard, nn.Module and backward, GPU), written the course's way.

Each function returns a snippet a learner can paste into Python as it stands
(templates in core/code/templates): no ``from core import``; paths and numbers are
the only things filled in, always through ``repr`` or ``int``, never from free text
a visitor typed; comments and printed labels are in ``lang``.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import controls, i18n
from core.chapters.backprop import SUBSET
from core.code.render import render, tudui_class

GPU_FORMS = ("cuda", "device")  # the course's train_gpu_1.py (.cuda() guarded) and train_gpu_2.py (.to(device))


@dataclass(frozen=True)
class GpuSettings:
    """The three numbers the course's train_gpu scripts set at the top (labelled by the scripts' own names)."""

    batch_size: int = controls.choice(64, (16, 32, 64, 128), "", controls.Widget.SELECT_SLIDER)
    lr: float = controls.choice(0.01, (0.001, 0.01, 0.1), "gpu.learning_rate", controls.Widget.SELECT_SLIDER)
    epochs: int = controls.slider(10, 1, 30, "gpu.epoch")


def tensorboard(image_path: str, data_root: str, batch_size: int, lang: str = i18n.DEFAULT) -> str:
    """The course's TensorBoard chapter: an image, two scalar curves, DataLoader batches per epoch, the graph."""
    return render("tensorboard", lang, tudui=tudui_class("course"), image_path=repr(image_path),
                  data_root=repr(data_root), batch_size=int(batch_size))


def tensorboard_read(tag: str, lang: str = i18n.DEFAULT) -> str:
    """Reading the log directory back with the reader TensorBoard itself uses."""
    return render("tensorboard_read", lang, tag=repr(tag))


def tensorboard_same_tag(lang: str = i18n.DEFAULT) -> str:
    """The course's trap: the scalar script changed to 3 * i and run again into the same folder, then read back."""
    return render("tensorboard_same_tag", lang)


def module_call(lang: str = i18n.DEFAULT) -> str:
    """The course's first nn.Module, and what __call__ does around forward."""
    return render("module_call", lang)


def _network(data_root: str, batch_size: int) -> dict[str, object]:
    """The values of network_head.py.tmpl: the course's network and a fixed pick of the data."""
    return {"tudui": tudui_class("course"), "data_root": repr(data_root), "batch_size": int(batch_size),
            "subset": SUBSET}


def gradients(data_root: str, batch_size: int, lang: str = i18n.DEFAULT) -> str:
    """The course's nn_loss_network: one batch, the loss, backward(); then a second backward without zero_grad()."""
    return render("gradients", lang, **_network(data_root, batch_size))


def optimizer(data_root: str, batch_size: int, epochs: int, lr: float, lang: str = i18n.DEFAULT) -> str:
    """The course's nn_optim loop with these settings."""
    return render("optimizer", lang, **_network(data_root, batch_size), epochs=int(epochs), lr=repr(float(lr)))


def gpu_training(form: str, settings: GpuSettings, lang: str = i18n.DEFAULT) -> str:
    """The course's train_gpu_1.py ("cuda": .cuda() guarded) or train_gpu_2.py ("device": .to(device)).

    The comments mark, kindly, the places where one version of the course's script slips.
    """
    if form not in GPU_FORMS:
        raise KeyError(form)
    return render("gpu_training", lang, form=form, tudui=tudui_class("course"), batch_size=int(settings.batch_size),
                  lr=repr(float(settings.lr)), epochs=int(settings.epochs))


def device_line(lang: str = i18n.DEFAULT) -> str:
    """What the device line gives on this computer."""
    return render("device_line", lang)


def timing(lang: str = i18n.DEFAULT) -> str:
    """time.time against time.process_time while the CPU waits, as it waits for a GPU."""
    return render("timing", lang)
