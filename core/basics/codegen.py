"""The PyTorch code equivalent to a page's current settings, written the course's way.

Each page shows such a snippet and, under it, what the snippet prints. The code's text is a
template in core/code/templates; here the numbers are written the way the course writes them. ``run``
executes the very snippet to get that output, so "paste it and you get the same
result" holds by construction. Snippets are built here from numbers and fixed
names only, never from free text a visitor typed.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core import i18n
from core.basics.ops import ConvSettings, PoolSettings
from core.code.render import network_class, render, tudui_class
from core.data.snippets import dataloader, dataset_item  # noqa: F401 - the data page's snippets; callers use codegen.*
from core.runner import run  # noqa: F401 - codegen writes a snippet, runner runs it; callers use codegen.run


def integral(*arrays: np.ndarray | Sequence[float]) -> bool:
    """True when every value is a whole number, so the course's int tensors can be used."""
    return all(float(v).is_integer() for a in arrays for v in np.ravel(a))


def _value(v: float, as_int: bool) -> str:
    return str(int(v)) if as_int else repr(round(float(v), 4))


def literal(a: np.ndarray | Sequence, indent: int, as_int: bool) -> str:
    """A nested list written like the course writes matrices: one row per line, aligned; deeper arrays
    (a multi-channel weight) as lists of such matrices, each level indented one more."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return "[" + ", ".join(_value(v, as_int) for v in a) + "]"
    if a.ndim == 2:
        inner = ["[" + ", ".join(_value(v, as_int) for v in row) + "]" for row in a]
    else:
        inner = [literal(part, indent + 1, as_int) for part in a]
    return "[" + (",\n" + " " * (indent + 1)).join(inner) + "]"


def tensor_line(name: str, a: np.ndarray | Sequence, as_int: bool, float32: bool = False) -> str:
    """``name = torch.tensor([...])``, aligned under its bracket; float32 when the values need it or the
    operation does (conv_transpose2d and the nn layers have no int kernels)."""
    prefix = f"{name} = torch.tensor("
    dtype = ", dtype=torch.float32" if float32 or not as_int else ""
    return f"{prefix}{literal(a, len(prefix), as_int)}{dtype})"


def tensor_lines(as_int: bool, float32: bool = False, **arrays: np.ndarray | Sequence) -> dict[str, str]:
    """Each array as its ``name = torch.tensor(...)`` line, for a template's ``{{ name }}``."""
    return {name: tensor_line(name, a, as_int, float32) for name, a in arrays.items()}


def conv2d(x: np.ndarray, weight: np.ndarray, settings: ConvSettings, lang: str = i18n.DEFAULT) -> str:
    """The course's F.conv2d demo for these matrices and settings (int tensors when every value is whole)."""
    (h, w), (kh, kw) = np.shape(x), np.shape(weight)
    return render("conv2d", lang, **tensor_lines(integral(x, weight), input=x, kernel=weight),
                  input_shape=(1, 1, h, w), kernel_shape=(1, 1, kh, kw), stride=settings.stride,
                  padding=settings.padding, dilation=settings.dilation)


def _nn_input(x: np.ndarray) -> dict[str, object]:
    """The opening of the course's nn-layer demos: the input matrix as a float tensor of shape (-1, 1, H, W)."""
    return {"input": tensor_line("input", x, integral(x), float32=True), "input_shape": (-1, 1, *np.shape(x))}


def pool2d(x: np.ndarray, settings: PoolSettings, lang: str = i18n.DEFAULT) -> str:
    """The course's nn.MaxPool2d demo (or nn.AvgPool2d) for these settings."""
    return render("pool2d", lang, **_nn_input(x), **{**vars(settings), "stride": settings.step})


def activations(x: np.ndarray, lang: str = i18n.DEFAULT) -> str:
    """The course's nn.ReLU / nn.Sigmoid demo on the input x, printed as the course prints it: 2-D.

    An activation works element by element on any shape, so the (-1, 1, H, W) image-batch shape the course
    reshapes to changes only the brackets; the matrix prints as the course's notes show it.
    """
    return render("activations", lang, **_nn_input(x))


def flatten(batch: int, channels: int, height: int, width: int, lang: str = i18n.DEFAULT) -> str:
    """torch.flatten against nn.Flatten before a Linear layer, for images of this shape."""
    return render("flatten", lang, batch=batch, channels=channels, height=height, width=width,
                  features=channels * height * width)


def losses(inputs: Sequence[float], targets: Sequence[float], logits: Sequence[float], target: int,
           lang: str = i18n.DEFAULT) -> str:
    """The course's L1Loss / MSELoss / CrossEntropyLoss demo with these numbers."""
    return render("losses", lang, inputs=tensor_line("inputs", inputs, integral(inputs), float32=True),
                  targets=tensor_line("targets", targets, integral(targets), float32=True), n=len(inputs),
                  logits=literal(logits, 0, False), target=int(target), classes=len(logits))


def model(arch: str, lang: str = i18n.DEFAULT) -> str:
    """The course's Tudui class for an architecture, and its shape check."""
    return render("model", lang, tudui=tudui_class(arch))


def classify(layers: Sequence, weights: str, image: str, mean: Sequence[float] | None,
             std: Sequence[float] | None, lang: str = i18n.DEFAULT) -> str:
    """The course's test.py: one photo through a saved model (its layers: ``model.model``, the course's or a
    learner's own), printing the logits and argmax(1)."""
    steps = ["torchvision.transforms.Resize((32, 32))", "torchvision.transforms.ToTensor()"]
    if mean is not None:
        steps.append(f"torchvision.transforms.Normalize({tuple(mean)!r}, {tuple(std)!r})")
    return render("classify", lang, tudui=network_class(layers), image=repr(image), weights=repr(weights),
                  steps=steps)


def resave(weights: str, global_name: str, lang: str = i18n.DEFAULT) -> str:
    """A whole model saved with torch.save(model), turned into a state_dict on the learner's own computer.

    global_name: the class torch.load refused (``core.model.Tudui``); it must be importable where the file is
    loaded, which is why the course's test.py imports the file that defines Tudui.
    """
    module, _, name = global_name.rpartition(".")
    module = "torch" if module.startswith("torch") else module or "__main__"
    return render("resave", lang, module=module, name=name, weights=repr(weights),
                  state_dict=repr(weights.rsplit(".", 1)[0] + "_state_dict.pth"))
