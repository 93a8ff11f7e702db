"""Training, saving and GPU questions: spot the bug in a short training loop, and which load line works in a
fresh script. Multiple choice, with every choice explained, right or wrong.

The bugs are the course's own slips. What each does is checked against PyTorch in the tests: without
zero_grad() the gradients add up; Softmax before CrossEntropyLoss changes the loss; ``.sum`` without
parentheses is a method, which ``+=`` refuses; a whole saved model is refused by torch.load's weights_only
default; a state_dict is an OrderedDict, not a model.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from enum import StrEnum

from core.practice.question import Choice, Form, Line, Question


class Bug(StrEnum):
    ZERO_GRAD = "zero_grad"
    SOFTMAX = "softmax"
    SUM = "sum"
    TRAIN_TRUE = "train_true"
    PROCESS_TIME = "process_time"


def training_loop(bug: Bug) -> tuple[str, dict[Bug, int]]:
    """The course's loop with one slip, and the line (1-based) where each slip is, or is avoided."""
    lines = [
        "train_data = torchvision.datasets.CIFAR10(\"./dataset\", train=True, transform=ToTensor())",
        f"test_data = torchvision.datasets.CIFAR10(\"./dataset\", train={bug is Bug.TRAIN_TRUE}, transform=ToTensor())",
        "train_loader = DataLoader(train_data, batch_size=64)",
        "test_loader = DataLoader(test_data, batch_size=64)",
        "model = nn.Sequential(Tudui(), nn.Softmax(dim=1)).to(device)" if bug is Bug.SOFTMAX
        else "model = Tudui().to(device)",
        "loss_fn = nn.CrossEntropyLoss()",
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)",
        "",
        f"start = time.{'process_time' if bug is Bug.PROCESS_TIME else 'time'}()",
        "for imgs, targets in train_loader:",
        "    imgs, targets = imgs.to(device), targets.to(device)",
        "    loss = loss_fn(model(imgs), targets)",
        *([] if bug is Bug.ZERO_GRAD else ["    optimizer.zero_grad()"]),
        "    loss.backward()",
        "    optimizer.step()",
        f"print(\"train time:\", time.{'process_time' if bug is Bug.PROCESS_TIME else 'time'}() - start)",
        "",
        "total_accuracy = 0",
        "with torch.no_grad():",
        "    for imgs, targets in test_loader:",
        "        imgs, targets = imgs.to(device), targets.to(device)",
        "        outputs = model(imgs)",
        f"        total_accuracy += (outputs.argmax(1) == targets).sum{'' if bug is Bug.SUM else '()'}",
        "print(\"test accuracy:\", total_accuracy / len(test_data))",
    ]
    where = {Bug.TRAIN_TRUE: 2, Bug.SOFTMAX: 5, Bug.PROCESS_TIME: 9,
             Bug.ZERO_GRAD: lines.index("    loss.backward()") + (1 if bug is Bug.ZERO_GRAD else 0),
             Bug.SUM: len(lines) - 1}
    return "\n".join(lines), where


def spot_bug(rng: random.Random, mine: Mapping | None = None) -> Question:
    """Which slip is in this loop? Each choice names one; the wrong ones say where the loop gets it right."""
    bug = rng.choice(list(Bug))
    code, where = training_loop(bug)
    order = list(Bug)
    rng.shuffle(order)
    choices = tuple(Choice(f"bug_{b}", f"bug_{b}_{'yes' if b is bug else 'no'}", {"line": where[b]}) for b in order)
    return Question("spot_bug", Form.CHOICE, order.index(bug), (Line(key=f"bug_{bug}_yes", params={"line": where[bug]}),),
                    "hint_spot_bug", code=code, choices=choices)


LOAD_CHOICES = {
    "whole": "model = torch.load(\"vgg16_method1.pth\")",
    "state_dict": "model = torchvision.models.vgg16()\nmodel.load_state_dict(torch.load(\"vgg16_method2.pth\"))",
    "dict_as_model": "model = torch.load(\"vgg16_method2.pth\")\nmodel(torch.ones((1, 3, 224, 224)))",
    "dict_into_whole": "model = torchvision.models.vgg16()\nmodel.load_state_dict(torch.load(\"vgg16_method1.pth\"))",
    "gpu_file": "model = torchvision.models.vgg16()\nmodel.load_state_dict(torch.load(\"vgg16_gpu.pth\"))",
}


def load_line(rng: random.Random, mine: Mapping | None = None) -> Question:
    """A fresh script (import torch, torchvision; no GPU) and the course's saved files: which lines work?"""
    order = list(LOAD_CHOICES)
    rng.shuffle(order)
    order = ["state_dict", *[name for name in order if name != "state_dict"][:3]]
    rng.shuffle(order)
    choices = tuple(Choice(f"load_{name}", f"load_{name}_why", code=LOAD_CHOICES[name]) for name in order)
    right = order.index("state_dict")
    return Question("load_line", Form.CHOICE, right, (Line(key="load_state_dict_why"),), "hint_load_line",
                    choices=choices)
