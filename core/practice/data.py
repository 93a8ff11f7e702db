"""Data questions: len(dataloader), the shape of a batch's imgs, Normalize's output for one pixel, and Resize
with an int against a pair.

The answers come from PyTorch and torchvision themselves: the batches a DataLoader's BatchSampler makes,
ToTensor + Normalize on a one-pixel image, the shape Resize gives a blank image of the asked size.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

from core.basics.ops import number
from core.practice.question import Form, Line, Question

DATASETS = {"CIFAR10 train": 50_000, "CIFAR10 test": 10_000}
BATCH_SIZES = (1, 4, 16, 32, 64, 100, 128)
NORMALIZE = {"(0.5, 0.5, 0.5)": ((0.5,) * 3, (0.5,) * 3),
             "ImageNet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))}
PHOTO_SIZES = ((500, 375), (375, 500), (640, 480), (512, 512), (800, 450))


def _batches(n: int, batch_size: int, drop_last: bool) -> list[int]:
    """The size of every batch a DataLoader(batch_size, drop_last) makes of n items, by its own BatchSampler."""
    from torch.utils.data import BatchSampler, SequentialSampler

    return [len(b) for b in BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)]


def _loader(rng: random.Random) -> tuple[str, int, int, bool]:
    name = rng.choice(list(DATASETS))
    return name, DATASETS[name], rng.choice(BATCH_SIZES), rng.random() < 0.5


def loader_len(rng: random.Random, mine: Mapping | None = None) -> Question:
    """len(DataLoader(dataset, batch_size, drop_last)): the number of batches in one epoch; ``mine``: the data
    page's data set (``dataset``, its name, and ``n`` images), ``batch_size`` and ``drop_last``."""
    if mine is not None:
        name, n, batch_size, drop_last = (str(mine["dataset"]), int(mine["n"]), int(mine["batch_size"]),
                                          bool(mine["drop_last"]))
    else:
        name, n, batch_size, drop_last = _loader(rng)
    from torch.utils.data import DataLoader

    expected = len(DataLoader(range(n), batch_size=batch_size, drop_last=drop_last))
    rounding = f"⌊{n} / {batch_size}⌋" if drop_last else f"⌈{n} / {batch_size}⌉"
    return Question("data_len", Form.NUMBER, expected, (Line(f"{rounding} = {expected}"),), "hint_data_len",
                    {"dataset": name, "n": n, "batch_size": batch_size, "drop_last": drop_last})


def imgs_shape(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The shape of imgs in the last batch (or the first) of CIFAR-10 with ToTensor."""
    name, n, batch_size, drop_last = _loader(rng)
    sizes = _batches(n, batch_size, drop_last)
    last = rng.random() < 0.7
    index = len(sizes) - 1 if last else 0
    size = 32
    expected = (sizes[index], 3, size, size)
    worked = (Line(f"{n} − {index} × {batch_size} = {n - index * batch_size}" if last and not drop_last
                   else f"batch_size = {batch_size}"),
              Line(f"imgs.shape = [{sizes[index]}, 3, {size}, {size}]"))
    return Question("data_shape", Form.SHAPE, expected, worked, "hint_data_shape",
                    {"dataset": name, "n": n, "batch_size": batch_size, "drop_last": drop_last, "batch": index,
                     "count": len(sizes), "size": size})


def normalize(rng: random.Random, mine: Mapping | None = None) -> Question:
    """ToTensor then Normalize(mean, std) of one pixel value 0–255 in one channel."""
    from PIL import Image
    from torchvision import transforms

    preset = rng.choice(list(NORMALIZE))
    mean, std = NORMALIZE[preset]
    channel, pixel = rng.randrange(3), rng.choice((0, 64, 128, 200, 255, rng.randint(0, 255)))
    rgb = [0, 0, 0]
    rgb[channel] = pixel
    tensor = transforms.Normalize(mean, std)(transforms.ToTensor()(Image.new("RGB", (1, 1), tuple(rgb))))
    got = float(tensor[channel, 0, 0])
    worked = (Line(f"ToTensor: {pixel} / 255 = {number(pixel / 255)}"),
              Line(f"Normalize: ({number(pixel / 255)} − {mean[channel]}) / {std[channel]} = {number(got)}"))
    return Question("data_normalize", Form.NUMBER, got, worked, "hint_normalize",
                    {"pixel": pixel, "channel": "RGB"[channel], "mean": str(mean), "std": str(std)}, exact=False)


def resize(rng: random.Random, mine: Mapping | None = None) -> Question:
    """The tensor shape after Resize(int) or Resize((h, w)) and ToTensor, for a photo of a given size."""
    from PIL import Image
    from torchvision import transforms

    width, height = rng.choice(PHOTO_SIZES)
    size: int | tuple[int, int] = rng.choice((224, 256, 128)) if rng.random() < 0.6 else (rng.choice((224, 256)),) * 2
    got = transforms.ToTensor()(transforms.Resize(size)(Image.new("RGB", (width, height)))).shape
    if isinstance(size, int):
        short, long = sorted((width, height))
        worked = (Line(key="worked_resize_int", params={"short": short, "size": size}),
                  Line(f"{long} × {size} / {short} = {number(long * size / short)} → {int(long * size / short)}"))
    else:
        worked = (Line(key="worked_resize_pair", params={"h": size[0], "w": size[1]}),)
    return Question("data_resize", Form.SHAPE, tuple(got), (*worked, Line(f"[3, {got[1]}, {got[2]}]")),
                    "hint_resize", {"width": width, "height": height, "size": str(size)})
