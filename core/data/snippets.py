"""The data page's snippets: a data set built the course's way, one item, and the DataLoader loop.

Split from ``core.basics.codegen`` because these snippets share their own pieces (the
course's MyData class, the imports a layout needs) and nothing with the other
pages' snippets. ``path`` is the data set's path as the page shows it.
"""
from __future__ import annotations

from collections.abc import Sequence

from core.data.discovery import Kind

MYDATA_CLASS = '''class MyData(Dataset):
    """The course's second layout: name_image/ holds pictures, name_label/ a .txt per picture."""

    def __init__(self, root_dir, name, transform=None):
        self.image_dir = os.path.join(root_dir, name + "_image")
        self.label_dir = os.path.join(root_dir, name + "_label")
        self.img_path = sorted(f for f in os.listdir(self.image_dir) if not f.startswith("."))
        self.transform = transform

    def __getitem__(self, idx):
        img_name = self.img_path[idx]
        img = Image.open(os.path.join(self.image_dir, img_name)).convert("RGB")
        label_file = os.path.join(self.label_dir, os.path.splitext(img_name)[0] + ".txt")
        with open(label_file, encoding="utf-8") as f:
            label = f.read().strip()
        return (self.transform(img) if self.transform else img), label

    def __len__(self):
        return len(self.img_path)
'''


def dataset(kind: Kind, path: str, split: str, names: Sequence[str], resize: int | None) -> list[str]:
    """Lines that build ``dataset`` the way the course does, for the data page's snippets."""
    transform = "torchvision.transforms.ToTensor()" if not resize else (
        f"torchvision.transforms.Compose([torchvision.transforms.Resize(({resize}, {resize})), "
        "torchvision.transforms.ToTensor()])")
    if kind == Kind.CIFAR10:
        return [f"dataset = torchvision.datasets.CIFAR10(root={path!r}, train={split == 'train'}, "
                f"transform={transform}, download=False)"]
    folder = f"{path}/{split}" if split else path
    if kind == Kind.FOLDER:
        return [f"dataset = torchvision.datasets.ImageFolder({folder!r}, transform={transform})"]
    parts = " + ".join(f"MyData({folder!r}, {n!r}, transform={transform})" for n in names)
    return ["", *MYDATA_CLASS.splitlines(), "", f"dataset = {parts}"]


def _imports(kind: Kind, *extra: str) -> list[str]:
    lines = [*extra, "import torchvision"]
    if kind == Kind.LABEL_FILES:
        lines += ["import os", "from PIL import Image", "from torch.utils.data import Dataset"]
    return lines


def dataset_item(kind: Kind, path: str, split: str, names: Sequence[str], index: int) -> str:
    """The course's test_set[0]: build the data set, take one item, print what it is."""
    lines = [*_imports(kind), "", *dataset(kind, path, split, names, None), f"img, target = dataset[{index}]",
             "print(len(dataset), img.shape, target)"]
    if kind != Kind.LABEL_FILES:
        lines.append("print(dataset.classes[target])")
    return "\n".join(lines)


def dataloader(kind: Kind, path: str, split: str, names: Sequence[str], resize: int | None, batch_size: int,
               shuffle: bool, drop_last: bool, num_workers: int, seed: int, epoch: int, batch: int) -> str:
    """The course's DataLoader loop, printing one batch's imgs.shape and targets as the page shows them."""
    return "\n".join([
        *_imports(kind, "import torch", "from torch.utils.data import DataLoader"), "",
        *dataset(kind, path, split, names, resize),
        f"loader = DataLoader(dataset=dataset, batch_size={batch_size}, shuffle={shuffle}, "
        f"num_workers={num_workers}, drop_last={drop_last}, generator=torch.Generator().manual_seed({seed}))",
        "print(len(dataset), len(loader))",
        f"for epoch in range({epoch}):",
        "    for i, (imgs, targets) in enumerate(loader):",
        f"        if epoch == {epoch - 1} and i == {batch}:",
        "            print(imgs.shape)",
        "            print(targets)",
    ])


def with_sample_layout(snippet: str, sample: str, folder: str, names: Sequence[str]) -> str:
    """A label-file snippet that first lays the bundled sample's ``names`` out in the course's second layout under
    ``folder``, right after its imports.

    The page opens that layout in its own cache folder, which a learner's computer does not have; these lines
    make the same folder from the sample the repository ships (``sample``, one split of it), so the snippet
    opens a folder that exists. Copies, where the page links: the learner's folder stands alone.
    """
    imports, rest = snippet.split("\n\n", 1)
    return f"""{imports}
import shutil

# the course's second layout, made from the bundled sample as the page made it in its cache
for name in {list(names)!r}:
    source = os.path.join({sample!r}, name)
    image_dir = os.path.join({folder!r}, name + "_image")
    label_dir = os.path.join({folder!r}, name + "_label")
    os.makedirs(image_dir, exist_ok=True)
    os.makedirs(label_dir, exist_ok=True)
    for file in sorted(os.listdir(source)):
        shutil.copy(os.path.join(source, file), image_dir)
        with open(os.path.join(label_dir, os.path.splitext(file)[0] + ".txt"), "w", encoding="utf-8") as f:
            f.write(name)

{rest}"""
