"""How fast the network itself trains, with no input pipeline at all: the bound on any loop.

    python benchmarks/step_ceiling.py [--device cpu]

Times forward + backward + SGD step on one fixed random batch, in the course's memory
layout (contiguous) and in the improved and fast recipes' (channels_last), at the course's
batch size (64), 128 and the improved recipe's (256). No training loop, however its data are
fed, can beat these: a time-to-accuracy figure is bounded by images needed / images per second.
"""
import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.model import Tudui  # noqa: E402
from core.training.train import pick_device  # noqa: E402


def images_per_s(device: torch.device, batch: int, channels_last: bool, steps: int = 15, warmup: int = 3) -> float:
    torch.manual_seed(0)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    model = Tudui("course").to(device, memory_format=layout)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32, device=device).contiguous(memory_format=layout)
    y = torch.randint(0, 10, (batch,), device=device)

    def step() -> torch.Tensor:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(warmup):
        step()
    step().item()  # .item() waits for the device, whichever it is
    began = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()
    return batch * steps / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda", "mps"])
    device = pick_device(parser.parse_args().device)
    print(f"forward + backward + SGD step of CIFAR10-quick on {device.type} "
          f"({torch.get_num_threads()} threads), images/s")
    print(f"{'batch':>5} {'contiguous':>11} {'channels_last':>14}")
    for batch in (64, 128, 256):
        print(f"{batch:>5} {images_per_s(device, batch, False):>11.0f} {images_per_s(device, batch, True):>14.0f}")


if __name__ == "__main__":
    main()
