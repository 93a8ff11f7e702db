"""Standalone training scripts, one per recipe, that a learner can paste and run: no import from core.

Each is filled in from a readable template in core/code/templates/: the course recipe
exactly as the course writes its train.py (train_course.py.tmpl), the fast and
improved recipes as one airbench-style file (train_tensor.py.tmpl). With the same
seed on a CPU, a script's first epoch prints the engine's own numbers
(tests/test_train.py checks it).
"""
from __future__ import annotations

from core import i18n
from core.code.render import render, tudui_class
from core.data.discovery import Kind
from core.training.recipes import RECIPES, WHITEN_IMAGES, Fast, Improved, RecipeName


def course(config, data: str, kind: Kind, lang: str = i18n.DEFAULT, held_out: str = "test") -> str:
    """The course's train.py: torchvision data set + ToTensor, DataLoader, the loop, TensorBoard, a .pth per epoch."""
    optimizer = "torch.optim.Adam" if config.optimizer == "adam" else "torch.optim.SGD"
    return render("train_course", lang, kind=kind.value, data=repr(data), train_folder=repr(data + "/train"),
                  test_folder=repr(f"{data}/{held_out}"), subset=config.subset, batch_size=config.batch_size,
                  seed=config.seed, tudui=tudui_class(config.arch), optimizer=optimizer, lr=config.lr,
                  epochs=config.epochs)


def tensor_recipe(config, data: str, kind: Kind, lang: str = i18n.DEFAULT, held_out: str = "test") -> str:
    """The improved or fast recipe as one airbench-style file."""
    recipe: Improved = RECIPES[config.recipe]
    fast = isinstance(recipe, Fast)
    return render("train_tensor", lang, recipe=config.recipe, data=repr(data), epochs=config.epochs,
                  batch_size=config.batch_size, lr=config.lr, optimizer=repr(config.optimizer),
                  momentum=recipe.momentum, weight_decay=recipe.weight_decay, label_smoothing=recipe.label_smoothing,
                  warmup=recipe.warmup, pad=recipe.pad, alternate_flips=recipe.alternate_flips,
                  whiten=(recipe.whiten_eps, recipe.whiten_scale) if fast else None, tta=fast,
                  whiten_images=WHITEN_IMAGES, subset=config.subset, seed=config.seed,
                  tudui=tudui_class(config.arch), kind=kind.value, held_out=held_out)


def generate(config, data: str, kind: Kind, lang: str = i18n.DEFAULT, held_out: str = "test") -> str:
    """The script for a resolved core.training.train.Config; data is the path as the learner should see it,
    held_out the folder set's split the run tests on (discovery.held_out: val where there is no test)."""
    write = course if config.recipe == RecipeName.COURSE else tensor_recipe
    return write(config, data, kind, lang, held_out)
