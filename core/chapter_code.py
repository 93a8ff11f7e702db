"""Standalone code for the chapters pages (TensorBoard, nn.Module and backward, saving, GPU), written the course's way.

Each function returns a snippet a learner can paste into Python as it stands:
no ``from core import``; paths and numbers are the only things filled in,
always through ``repr`` or ``int``, never from free text a visitor typed.
"""
from __future__ import annotations

from core.backprop import SUBSET
from core.codegen import _tudui


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
