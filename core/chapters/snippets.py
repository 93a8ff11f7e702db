"""Standalone code for the chapters pages (TensorBoard, nn.Module and backward, saving, GPU), written the course's way.

Each function returns a snippet a learner can paste into Python as it stands:
no ``from core import``; paths and numbers are the only things filled in,
always through ``repr`` or ``int``, never from free text a visitor typed.
"""
from __future__ import annotations

from core.basics.codegen import _tudui
from core.chapters.backprop import SUBSET


def tensorboard(image_path: str, data_root: str, batch_size: int) -> str:
    """The course's TensorBoard chapter: an image, two scalar curves, DataLoader batches per epoch, the graph."""
    return f"""import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

{_class_lines()}
writer = SummaryWriter("logs")

image_path = {image_path!r}
img_PIL = Image.open(image_path)
img_array = np.array(img_PIL)
print(type(img_array))
print(img_array.shape)          # (H, W, C): hence dataformats='HWC'
writer.add_image("test", img_array, 1, dataformats='HWC')

for i in range(100):
    writer.add_scalar("y=2x", 2 * i, i)
    writer.add_scalar("y=x", i, i)

test_data = torchvision.datasets.ImageFolder({data_root!r}, transform=torchvision.transforms.ToTensor())
test_loader = DataLoader(dataset=test_data, batch_size={int(batch_size)}, shuffle=True, num_workers=0, drop_last=False)
for epoch in range(2):
    step = 0
    for data in test_loader:
        imgs, targets = data
        writer.add_images("Epoch: {{}}".format(epoch), imgs, step)
        step = step + 1
print(imgs.shape)               # the last batch of the last epoch

tudui = Tudui()
writer.add_graph(tudui, torch.ones((64, 3, 32, 32)))
writer.close()
"""


def tensorboard_read(tag: str) -> str:
    """Reading the log directory back with the reader TensorBoard itself uses."""
    return f"""from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

acc = EventAccumulator("logs", size_guidance={{"scalars": 0, "images": 0}})
acc.Reload()
print(acc.Tags()["scalars"], acc.Tags()["images"])
events = acc.Scalars({tag!r})
print(len(events), events[-1].step, events[-1].value)
"""


def tensorboard_same_tag() -> str:
    """The course's trap: the scalar script changed to 3 * i and run again into the same folder, then read back."""
    return """from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter

writer = SummaryWriter("logs")
for i in range(100):
    writer.add_scalar("y=2x", 3 * i, i)     # changed from 2 * i and run again: same folder, same tag
writer.close()

acc = EventAccumulator("logs", size_guidance={"scalars": 0})
acc.Reload()
events = acc.Scalars("y=2x")
print(len(events))
print([(e.step, e.value) for e in events[98:102]])
"""


def _class_lines() -> str:
    return "\n".join(_tudui("course")) + "\n\n"


def module_call() -> str:
    """The course's first nn.Module, and what __call__ does around forward."""
    return """import torch
from torch import nn


class Tudui(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, input):
        output = input + 1
        return output


tudui = Tudui()
x = torch.tensor(1.0)
output = tudui(x)               # nn.Module.__call__ runs forward(x) for us
print(output)

tudui.register_forward_hook(lambda module, args, result: print("hook saw", result))
print(tudui(x))                 # __call__: forward, then the hooks
print(tudui.forward(x))         # forward alone skips the hooks
"""


def _sample_loader(data_root: str, batch_size: int) -> str:
    return f"""dataset = torchvision.datasets.ImageFolder({data_root!r}, transform=torchvision.transforms.ToTensor())
# the folder is sorted by class: take a fixed random pick of {SUBSET} images, as the course's test set is mixed
dataset = Subset(dataset, torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))[:{SUBSET}])
dataloader = DataLoader(dataset, batch_size={int(batch_size)})
"""


def _network_head(data_root: str, batch_size: int) -> str:
    return "\n".join(["import torch", "import torchvision", "from torch import nn",
                      "from torch.utils.data import DataLoader, Subset", "", "", *_tudui("course"), "", "",
                      _sample_loader(data_root, batch_size)])


def gradients(data_root: str, batch_size: int) -> str:
    """The course's nn_loss_network: one batch, the loss, backward(); then a second backward without zero_grad()."""
    return _network_head(data_root, batch_size) + """loss = nn.CrossEntropyLoss()
torch.manual_seed(0)            # the same starting weights as the page
tudui = Tudui()
conv1 = tudui.model[0]

imgs, targets = next(iter(dataloader))
outputs = tudui(imgs)
result_loss = loss(outputs, targets)
print(result_loss)
print(conv1.weight.grad)        # nothing computed yet
result_loss.backward()
print(conv1.weight.grad.shape)  # one gradient per weight

once = conv1.weight.grad[0, 0, 0, 0].item()
loss(tudui(imgs), targets).backward()   # a second backward() without optimizer.zero_grad()
twice = conv1.weight.grad[0, 0, 0, 0].item()
print(once, twice, twice / once)        # the gradients add up
"""


def optimizer(data_root: str, batch_size: int, epochs: int, lr: float) -> str:
    """The course's nn_optim loop with these settings."""
    return _network_head(data_root, batch_size) + f"""loss = nn.CrossEntropyLoss()
torch.manual_seed(0)
tudui = Tudui()
optim = torch.optim.SGD(tudui.parameters(), lr={float(lr)!r})
for epoch in range({int(epochs)}):
    running_loss = 0.0
    for data in dataloader:
        imgs, targets = data
        outputs = tudui(imgs)
        result_loss = loss(outputs, targets)
        optim.zero_grad()
        result_loss.backward()
        optim.step()
        running_loss = running_loss + result_loss   # the course's way; result_loss.item() would add a plain number
    print(running_loss)
"""


_GPU_FORMS = {
    # form: (device line, model, loss, batch): the only lines where the course's two GPU scripts differ
    "cuda": ("",
             "if torch.cuda.is_available():\n    tudui = tudui.cuda()",
             "if torch.cuda.is_available():\n    loss_fn = loss_fn.cuda()",
             "if torch.cuda.is_available():\n{pad}    imgs = imgs.cuda()\n{pad}    targets = targets.cuda()"),
    "device": ('device = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n',
               "tudui = tudui.to(device)",
               "loss_fn = loss_fn.to(device)",
               "imgs = imgs.to(device)\n{pad}targets = targets.to(device)"),
}
GPU_FORMS = tuple(_GPU_FORMS)


def gpu_training(form: str, batch_size: int, lr: float, epochs: int) -> str:
    """The course's train_gpu_1.py ("cuda": .cuda() guarded) or train_gpu_2.py ("device": .to(device)).

    The comments mark, kindly, the places where one version of the course's script slips.
    """
    device_line, model, loss, batch = _GPU_FORMS[form]
    train_batch, test_batch = batch.format(pad=" " * 8), batch.format(pad=" " * 12)
    return f"""import time

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

{device_line}train_data = torchvision.datasets.CIFAR10("./dataset", train=True,
                                          transform=torchvision.transforms.ToTensor(), download=True)
test_data = torchvision.datasets.CIFAR10("./dataset", train=False,   # train=False: the test set (see the note)
                                         transform=torchvision.transforms.ToTensor(), download=True)
test_data_size = len(test_data)
train_dataloader = DataLoader(train_data, batch_size={int(batch_size)})
test_dataloader = DataLoader(test_data, batch_size={int(batch_size)})


{_class_lines()}
tudui = Tudui()
{model}
loss_fn = nn.CrossEntropyLoss()   # takes the raw scores: no Softmax before it
{loss}
optimizer = torch.optim.SGD(tudui.parameters(), lr={float(lr)!r})

total_train_step = 0
writer = SummaryWriter("logs_train")
start_time = time.time()          # wall-clock time; time.process_time() misses the time spent waiting for the GPU
for i in range({int(epochs)}):
    print("epoch", i + 1)
    tudui.train()                 # training mode for Dropout and BatchNorm (the course's net has neither)
    for imgs, targets in train_dataloader:
        {train_batch}
        outputs = tudui(imgs)
        loss = loss_fn(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_train_step = total_train_step + 1
        if total_train_step % 100 == 0:
            print(time.time() - start_time, total_train_step, loss.item())
            writer.add_scalar("train_loss", loss.item(), total_train_step)

    tudui.eval()                  # Dropout off, BatchNorm on its running statistics
    total_test_loss = 0
    total_accuracy = 0
    with torch.no_grad():         # no backward() in the test: autograd records nothing
        for imgs, targets in test_dataloader:
            {test_batch}
            outputs = tudui(imgs)
            loss = loss_fn(outputs, targets)
            total_test_loss = total_test_loss + loss.item()   # every batch, not only the last one
            total_accuracy = total_accuracy + (outputs.argmax(1) == targets).sum()   # .sum(), with ()
    print("test loss (sum of batch means):", total_test_loss)
    print("test accuracy:", (total_accuracy / test_data_size).item())
    writer.add_scalar("test_loss", total_test_loss, i)   # a sum of batch means, not a mean per image
    writer.add_scalar("test_accuracy", total_accuracy / test_data_size, i)
    torch.save(tudui, "tudui_{{}}.pth".format(i))   # way 1, as the course saves; see the saving page
writer.close()
"""


def device_line() -> str:
    """What the device line gives on this computer."""
    return """import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(torch.cuda.is_available())
print(device)
x = torch.ones(2, 3).to(device)
print(x.device)
"""


def timing() -> str:
    """time.time against time.process_time while the CPU waits, as it waits for a GPU."""
    return """import time

start, cpu_start = time.time(), time.process_time()
time.sleep(1.0)                 # the CPU waits here, as it waits for the GPU to finish its work
print("time.time():        ", round(time.time() - start, 1))
print("time.process_time():", round(time.process_time() - cpu_start, 1))
"""
