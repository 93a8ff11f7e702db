"""Standalone training scripts, one per recipe, that a learner can paste and run: no import from core.

Each is filled in from a readable template in core/training/templates/ (a Python file
with ${placeholders}): the course recipe exactly as the course writes its
train.py, the fast and improved recipes as one airbench-style file. With the
same seed on a CPU, a script's first epoch prints the engine's own numbers
(tests/test_train.py checks it).
"""
from __future__ import annotations

from pathlib import Path
from string import Template

from core.basics.codegen import _tudui
from core.data.discovery import Kind
from core.training.recipes import RECIPES, WHITEN_IMAGES, Fast, Improved

TEMPLATES = Path(__file__).with_name("templates")

FOLDER_LOADER = '''\
    folder = Path(hyp["data"]) / split
    suffixes = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif"}
    classes = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")
                     and any(f.suffix.lower() in suffixes for f in d.iterdir()))
    files = [(f, label) for label, name in enumerate(classes)
             for f in sorted((folder / name).iterdir()) if f.suffix.lower() in suffixes]
    images = []
    for f, _ in files:
        with Image.open(f) as im:
            im = im.convert("RGB")
            if im.size != (32, 32):
                im = im.resize((32, 32), Image.Resampling.BILINEAR)
            images.append(torch.from_numpy(np.asarray(im).copy()).permute(2, 0, 1))
    return torch.stack(images), torch.tensor([label for _, label in files])'''

CIFAR_LOADER = '''\
    import torchvision

    cifar = torchvision.datasets.CIFAR10(hyp["data"], train=split == "train", download=True)
    return torch.from_numpy(cifar.data).permute(0, 3, 1, 2).contiguous(), torch.tensor(cifar.targets)'''


def _fill(name: str, **values: object) -> str:
    return Template((TEMPLATES / f"{name}.py.tmpl").read_text()).substitute(values)


def course(config, data: str, kind: Kind) -> str:
    """The course's train.py: torchvision data set + ToTensor, DataLoader, the loop, TensorBoard, a .pth per epoch."""
    if kind == Kind.CIFAR10:
        datasets = (f"train_data = torchvision.datasets.CIFAR10({data!r}, train=True, transform=transform, "
                    f"download=True)\ntest_data = torchvision.datasets.CIFAR10({data!r}, train=False, "
                    f"transform=transform, download=True)")
    else:
        datasets = (f"train_data = torchvision.datasets.ImageFolder({data + '/train'!r}, transform=transform)\n"
                    f"test_data = torchvision.datasets.ImageFolder({data + '/test'!r}, transform=transform)")
    subset = ""
    if config.subset:
        subset = (f"# a random {config.subset} of the training images (the same {config.subset} every time)\n"
                  f"keep = torch.randperm(len(train_data), generator=torch.Generator().manual_seed(0))"
                  f"[:{config.subset}]\ntrain_data = torch.utils.data.Subset(train_data, keep)\n")
    optimizer = "torch.optim.Adam" if config.optimizer == "adam" else "torch.optim.SGD"
    return _fill("course", transform="torchvision.transforms.ToTensor()", datasets=datasets, subset=subset,
                 batch_size=config.batch_size, seed=config.seed, model_class="\n".join(_tudui(config.arch)),
                 optimizer=optimizer, lr=config.lr, epochs=config.epochs)


def tensor_recipe(config, data: str, kind: Kind) -> str:
    """The improved or fast recipe as one airbench-style file."""
    recipe: Improved = RECIPES[config.recipe]
    fast = isinstance(recipe, Fast)
    return _fill("fast", recipe=config.recipe, data=repr(data), epochs=config.epochs, batch_size=config.batch_size,
                 lr=config.lr, optimizer=repr(config.optimizer), momentum=recipe.momentum,
                 weight_decay=recipe.weight_decay, label_smoothing=recipe.label_smoothing, warmup=recipe.warmup,
                 pad=recipe.pad, alternate_flips=recipe.alternate_flips,
                 whiten=(recipe.whiten_eps, recipe.whiten_scale) if fast else None, tta=fast,
                 whiten_images=WHITEN_IMAGES, subset=config.subset, seed=config.seed,
                 model_class="\n".join(_tudui(config.arch)),
                 loader=CIFAR_LOADER if kind == Kind.CIFAR10 else FOLDER_LOADER)


def generate(config, data: str, kind: Kind) -> str:
    """The script for a resolved core.training.train.Config; data is the path as the learner should see it."""
    return course(config, data, kind) if config.recipe == "course" else tensor_recipe(config, data, kind)
