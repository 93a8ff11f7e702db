"""The PyTorch code equivalent to a page's current settings, written the course's way.

Each page shows such a snippet and, under it, what the snippet prints. ``run``
executes the very snippet to get that output, so "paste it and you get the same
result" holds by construction. Snippets are built here from numbers and fixed
names only, never from free text a visitor typed.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

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


def functional(tensors: Mapping[str, np.ndarray], shapes: Mapping[str, tuple[int, ...]], *lines: str,
               float32: bool = False) -> str:
    """The course's torch.nn.functional demos: the tensors written out (int tensors when every value is whole,
    unless the operation needs float32), reshaped to what F expects, then ``lines``: the call and its prints."""
    as_int = integral(*tensors.values())
    return "\n".join(["import torch", "import torch.nn.functional as F", "",
                      *(tensor_line(name, a, as_int, float32) for name, a in tensors.items()), "",
                      *(f"{name} = torch.reshape({name}, {tuple(int(d) for d in shape)})" for name, shape in shapes.items()),
                      *lines])


def conv2d(x: np.ndarray, weight: np.ndarray, stride: int, padding: int, dilation: int) -> str:
    """The course's F.conv2d demo for these matrices and settings."""
    (h, w), (kh, kw) = np.shape(x), np.shape(weight)
    return functional({"input": x, "kernel": weight}, {"input": (1, 1, h, w), "kernel": (1, 1, kh, kw)},
                      f"output = F.conv2d(input, kernel, stride={stride}, padding={padding}, dilation={dilation})",
                      "print(output)")


def _nn_input(x: np.ndarray) -> list[str]:
    """The opening of the course's nn-layer demos: the input matrix as a float tensor of shape (-1, 1, H, W)."""
    h, w = np.shape(x)
    return ["import torch", "from torch import nn", "", tensor_line("input", x, integral(x), float32=True),
            f"input = torch.reshape(input, (-1, 1, {h}, {w}))", ""]


def pool2d(x: np.ndarray, mode: str, kernel_size: int, stride: int, padding: int, dilation: int,
           ceil_mode: bool, count_include_pad: bool = True) -> str:
    """The course's nn.MaxPool2d demo (or nn.AvgPool2d) for these settings."""
    if mode == "max":
        layer = (f"pool = nn.MaxPool2d(kernel_size={kernel_size}, stride={stride}, padding={padding}, "
                 f"dilation={dilation}, ceil_mode={ceil_mode})")
    else:
        layer = (f"pool = nn.AvgPool2d(kernel_size={kernel_size}, stride={stride}, padding={padding}, "
                 f"ceil_mode={ceil_mode}, count_include_pad={count_include_pad})")
    return "\n".join([*_nn_input(x), layer, "output = pool(input)", "print(output)"])


def activations(x: np.ndarray) -> str:
    """The course's nn.ReLU / nn.Sigmoid demo on the input x, printed as the course prints it: 2-D.

    An activation works element by element on any shape, so the (-1, 1, H, W) image-batch shape the course
    reshapes to changes only the brackets; the matrix prints as the course's notes show it.
    """
    return "\n".join([
        "import torch", "from torch import nn", "", tensor_line("input", x, integral(x), float32=True), "",
        "relu = nn.ReLU()",
        "sigmoid = nn.Sigmoid()",
        "print(relu(input))",
        "print(sigmoid(input))",
        f"print(relu(torch.reshape(input, (-1, 1, {np.shape(x)[0]}, {np.shape(x)[1]}))).shape)   # an image batch: "
        "the same numbers, 4-D",
    ])


def flatten(batch: int, channels: int, height: int, width: int) -> str:
    """torch.flatten against nn.Flatten before a Linear layer, for images of this shape."""
    features = channels * height * width
    return "\n".join([
        "import torch",
        "from torch import nn",
        "",
        f"imgs = torch.ones(({batch}, {channels}, {height}, {width}))",
        "print(torch.flatten(imgs).shape)   # the whole batch squashed into one vector",
        "print(nn.Flatten()(imgs).shape)    # dim 0, the batch, is kept",
        f"linear = nn.Linear({features}, 10)",
        "print(linear(nn.Flatten()(imgs)).shape)",
    ])


def losses(inputs: Sequence[float], targets: Sequence[float], logits: Sequence[float], target: int) -> str:
    """The course's L1Loss / MSELoss / CrossEntropyLoss demo with these numbers."""
    n, classes = len(inputs), len(logits)
    return "\n".join([
        "import torch",
        "from torch import nn",
        "",
        tensor_line("inputs", inputs, integral(inputs), float32=True),
        tensor_line("targets", targets, integral(targets), float32=True),
        f"inputs = torch.reshape(inputs, (1, 1, 1, {n}))",
        f"targets = torch.reshape(targets, (1, 1, 1, {n}))",
        "",
        "loss = nn.L1Loss(reduction='mean')",
        "result = loss(inputs, targets)",
        "loss_mse = nn.MSELoss()",
        "result_mse = loss_mse(inputs, targets)",
        "print(result)",
        "print(result_mse)",
        "",
        f"x = torch.tensor({literal(logits, 0, False)})",
        f"y = torch.tensor([{int(target)}])",
        f"x = torch.reshape(x, (1, {classes}))",
        "loss_cross = nn.CrossEntropyLoss()",
        "result_cross = loss_cross(x, y)",
        "print(result_cross)",
    ])


def _tudui(arch: str) -> list[str]:
    """The course's Tudui class with this architecture's layers."""
    from core.model import Tudui, constructor

    layers = ",\n".join(f"            {constructor(layer)}" for layer in Tudui(arch).model)
    return ["class Tudui(nn.Module):", "    def __init__(self):", "        super().__init__()",
            "        self.model = nn.Sequential(", layers, "        )", "", "    def forward(self, x):",
            "        return self.model(x)"]


def model(arch: str) -> str:
    """The course's Tudui class for an architecture, and its shape check."""
    return "\n".join(["import torch", "from torch import nn", "", "", *_tudui(arch), "", "",
                      "tudui = Tudui()", "print(tudui)", "input = torch.ones((64, 3, 32, 32))",
                      "output = tudui(input)", "print(output.shape)"])


def classify(arch: str, weights: str, image: str, mean: Sequence[float] | None, std: Sequence[float] | None) -> str:
    """The course's test.py: one photo through a saved model, printing the logits and argmax(1)."""
    steps = ["torchvision.transforms.Resize((32, 32))", "torchvision.transforms.ToTensor()"]
    if mean is not None:
        steps.append(f"torchvision.transforms.Normalize({tuple(mean)!r}, {tuple(std)!r})")
    compose = ",\n".join(f"    {s}" for s in steps)
    return "\n".join(["import torch", "import torchvision", "from PIL import Image", "from torch import nn", "", "",
                      *_tudui(arch), "", "",
                      f"image = Image.open({image!r})", "image = image.convert('RGB')",
                      f"transform = torchvision.transforms.Compose([\n{compose}\n])", "image = transform(image)",
                      "model = Tudui()",
                      f"model.load_state_dict(torch.load({weights!r}, weights_only=True, map_location='cpu'))",
                      "image = torch.reshape(image, (1, 3, 32, 32))", "model.eval()", "with torch.no_grad():",
                      "    output = model(image)", "print(output)", "print(output.argmax(1))"])


def resave(weights: str, global_name: str) -> str:
    """A whole model saved with torch.save(model), turned into a state_dict on the learner's own computer.

    global_name: the class torch.load refused (``core.model.Tudui``); it must be importable where the file is
    loaded, which is why the course's test.py imports the file that defines Tudui.
    """
    module, _, name = global_name.rpartition(".")
    if module.startswith("torch"):
        imports = ["import torch"]
    elif module in ("", "__main__"):
        imports = ["import torch", f"from model import {name}  # the .py file where class {name} is defined"]
    else:
        imports = ["import torch", f"from {module} import {name}"]
    return "\n".join([*imports, "",
                      f"model = torch.load({weights!r}, weights_only=False, map_location='cpu')  "
                      "# weights_only=False runs the file's code: only for files you trust",
                      f"torch.save(model.state_dict(), {weights.rsplit('.', 1)[0] + '_state_dict.pth'!r})"])
