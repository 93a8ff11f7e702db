"""The course's pretrained VGG16 (``pretrained=True``, today ``weights='DEFAULT'``): what it downloads, and the
network run on a photo only where those weights are already on disk.

The app never downloads them: 528 MB per server for one demonstration, and most servers this app runs on have
no network. Where an owner has put the file in torch's hub folder (or run the course's line once), it is loaded
the project's way: size checked against what torchvision says it is, then ``torch.load(weights_only=True)``
straight into a network built on the meta device, so no random weights are made first.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from core import i18n
from core.code.render import render

MIB = 1024 ** 2
TOP = 5
HUB_SHOWN = "~/.cache/torch/hub/checkpoints"   # torch's default folder, as shown: never this server's own path


@dataclass(frozen=True)
class Download:
    url: str               # where torchvision fetches the weights
    file: Path             # where torch keeps them: <torch hub>/checkpoints/<file name>
    mib: float             # their size as torchvision states it (and as its progress bar counts: MiB)
    params: int            # the network's parameter count
    top1: float            # torchvision's ImageNet top-1 accuracy for these weights, in %
    found_mib: float | None  # the size of the file found there; None where there is none


def download() -> Download:
    """What ``vgg16(weights='DEFAULT')`` downloads, and whether it is on this computer already."""
    import torchvision

    weights = torchvision.models.VGG16_Weights.DEFAULT
    file = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)
    found = file.stat().st_size / MIB if file.is_file() else None
    return Download(weights.url, file, weights.meta["_file_size"], weights.meta["num_params"],
                    weights.meta["_metrics"]["ImageNet-1K"]["acc@1"], found)


def usable(d: Download) -> bool:
    """The file is there and as large as torchvision says (a half-finished download is not)."""
    return d.found_mib is not None and abs(d.found_mib - d.mib) < 0.01


def downloading(d: Download) -> str:
    """The lines torchvision prints while it downloads, as the course's video shows them."""
    return (f'Downloading: "{d.url}" to {HUB_SHOWN}/{d.file.name}\n'
            f"100%|██████████| {d.mib:.0f}M/{d.mib:.0f}M")


def load(d: Download) -> nn.Module:
    """VGG16 with the downloaded weights, in eval mode; only a file that ``usable`` accepts."""
    import torchvision

    if not usable(d):
        raise FileNotFoundError(d.file.name)
    with torch.device("meta"):
        model = torchvision.models.vgg16(weights=None)
    model.load_state_dict(torch.load(d.file, map_location="cpu", weights_only=True, mmap=True), assign=True)
    return model.eval()


def top5(model: nn.Module, photo: Image.Image) -> list[tuple[str, float]]:
    """The five likeliest ImageNet classes for the photo, preprocessed as these weights expect (224 × 224)."""
    import torchvision

    weights = torchvision.models.VGG16_Weights.DEFAULT
    batch = weights.transforms()(photo.convert("RGB"))[None]
    with torch.no_grad():
        probabilities = model(batch).softmax(1)[0]
    values, indices = probabilities.topk(TOP)
    return [(weights.meta["categories"][i], float(v)) for v, i in zip(values, indices.tolist())]


def snippet(photo_path: str, lang: str = i18n.DEFAULT) -> str:
    """The course's two VGG16 lines in today's spelling, then the downloaded network on a photo."""
    return render("pretrained", lang, photo_path=repr(photo_path), top=TOP)


def printed(d: Download, model: nn.Module, found: list[tuple[str, float]]) -> str:
    """What ``snippet`` prints, from the page's own network and photo."""
    return "\n".join([str(d.params), str(model.classifier[6]), *(f"{name} {round(p, 4)}" for name, p in found)])
