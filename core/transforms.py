"""torchvision.transforms as the course uses them, step by step.

A pipeline is a list of steps, each {"name": ..., **params}: data, so the page
can add, remove and reorder them and the same list builds the transforms,
runs them one at a time (type and shape after each) and writes the code.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torchvision import transforms
from torchvision.transforms import InterpolationMode

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


def build(step: dict):
    """The torchvision transform for one step."""
    name, p = step["name"], {k: v for k, v in step.items() if k != "name"}
    if name == "ToTensor":
        return transforms.ToTensor()
    if name == "Normalize":
        return transforms.Normalize(p["mean"], p["std"])
    if name == "Resize":
        size = p["size"] if isinstance(p["size"], int) else list(p["size"])
        return transforms.Resize(size, interpolation=InterpolationMode(p["interpolation"]))
    if name == "CenterCrop":
        return transforms.CenterCrop(p["size"])
    if name == "RandomCrop":
        return transforms.RandomCrop(p["size"], padding=p["padding"] or None, fill=p["fill"],
                                     padding_mode=p["padding_mode"], pad_if_needed=False)
    if name == "RandomHorizontalFlip":
        return transforms.RandomHorizontalFlip(p["p"])
    if name == "ColorJitter":
        return transforms.ColorJitter(p["brightness"], p["contrast"], p["saturation"], p["hue"])
    raise ValueError(f"unknown transform {name!r}")


def expression(step: dict) -> str:
    """The step as the course writes it: transforms.Resize((512, 512)), …"""
    name, p = step["name"], step
    if name == "Normalize":
        return f"transforms.Normalize({tuple(p['mean'])}, {tuple(p['std'])})"
    if name == "Resize":
        size = p["size"] if isinstance(p["size"], int) else tuple(p["size"])
        mode = "" if p["interpolation"] == "bilinear" else f", interpolation=InterpolationMode.{p['interpolation'].upper()}"
        return f"transforms.Resize({size}{mode})"
    if name == "CenterCrop":
        return f"transforms.CenterCrop({p['size']})"
    if name == "RandomCrop":
        extra = "".join(f", {k}={p[k]!r}" for k in ("padding", "fill", "padding_mode") if p[k] != DEFAULTS[name][k])
        return f"transforms.RandomCrop({p['size']}{extra})"
    if name == "RandomHorizontalFlip":
        return f"transforms.RandomHorizontalFlip(p={p['p']})"
    if name == "ColorJitter":
        return ("transforms.ColorJitter(" + ", ".join(f"{k}={p[k]}" for k in ("brightness", "contrast", "saturation", "hue"))
                + ")")
    return f"transforms.{name}()"


@dataclass
class Stage:
    """What one step received and produced."""

    expression: str
    kind: str                       # "PIL" or "Tensor"
    shape: tuple[int, ...]          # PIL: (width, height) as img.size; tensor: tensor.shape
    detail: str                     # PIL mode, or the dtype
    low: float
    high: float
    value: Image.Image | torch.Tensor | None
    error: str | None = None


def describe(value: Image.Image | torch.Tensor) -> tuple[str, tuple[int, ...], str, float, float]:
    if isinstance(value, Image.Image):
        a = np.asarray(value)
        return "PIL", value.size, value.mode, float(a.min()), float(a.max())
    return "Tensor", tuple(value.shape), str(value.dtype).replace("torch.", ""), float(value.min()), float(value.max())


def run(image: Image.Image, steps: list[dict], seed: int = 0) -> list[Stage]:
    """Apply the steps one by one (torch seeded once, as Compose would be); stop at the first error.

    The first stage is the input itself. An error keeps PyTorch's message; the page explains it.
    """
    torch.manual_seed(seed)
    value: Image.Image | torch.Tensor = image
    stages = [Stage("Image.open(...)", *describe(image), value=image)]
    for step in steps:
        try:
            value = build(step)(value)
        except (TypeError, ValueError, RuntimeError) as err:
            stages.append(Stage(expression(step), "", (), "", 0, 0, None, f"{type(err).__name__}: {err}"))
            break
        stages.append(Stage(expression(step), *describe(value), value=value))
    return stages


def random_crops(image: Image.Image, size: int, padding: int, fill: int, padding_mode: str, n: int,
                 seed: int) -> tuple[Image.Image, list[tuple[int, int, int, int]], list[Image.Image]]:
    """n draws of RandomCrop after torch.manual_seed(seed): the padded image, each crop's box (top, left, h, w), the crops.

    The boxes come from RandomCrop.get_params with the same random draws RandomCrop
    itself makes, so they are the boxes of the crops it returns (the tests check).
    """
    padded = transforms.functional.pad(image, padding, fill=fill, padding_mode=padding_mode) if padding else image
    torch.manual_seed(seed)
    boxes = [transforms.RandomCrop.get_params(padded, (size, size)) for _ in range(n)]
    return padded, boxes, [transforms.functional.crop(padded, *box) for box in boxes]


def explain(error: str) -> str | None:
    """Which common mistake a transform error comes from (a key the page translates), if it is one we know."""
    if "should be PIL Image" in error:
        return "needs_pil"
    if "Tensor Image" in error or "should be a torch tensor" in error:
        return "needs_tensor"
    if "larger than input image size" in error:
        return "crop_too_big"
    return None


def denormalize(x: torch.Tensor, mean, std) -> torch.Tensor:
    """x·std + mean: the picture a normalised tensor came from."""
    return x * torch.tensor(std).view(-1, 1, 1) + torch.tensor(mean).view(-1, 1, 1)


def code(steps: list[dict], seed: int, source: str) -> str:
    """The pipeline as the course writes it, printing what each page row shows."""
    lines = ["import torch", "from PIL import Image", "from torchvision import transforms"]
    if any(s["name"] == "Resize" and s["interpolation"] != "bilinear" for s in steps):
        lines.append("from torchvision.transforms import InterpolationMode")
    lines += ["", f"img = Image.open({source!r}).convert('RGB')", f"torch.manual_seed({seed})",
              "trans_compose = transforms.Compose(["]
    lines += [f"    {expression(s)}," for s in steps]
    lines += ["])", "img_out = trans_compose(img)",
              "print(type(img_out).__name__, img_out.size if isinstance(img_out, Image.Image) else img_out.shape)"]
    return "\n".join(lines)
