"""The data page's snippets: a data set built the course's way, one item, and the DataLoader loop.

Split from ``core.basics.codegen`` because these snippets share their own pieces (the
course's MyData class, the imports a layout needs: templates dataset*.py.tmpl) and
nothing with the other pages' snippets. ``path`` is the data set's path as the page shows it.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core import i18n
from core.code.render import render
from core.data import paths, sample
from core.data.discovery import Found, Kind, label_pairs


def _dataset(kind: Kind, path: str, split: str, names: Sequence[str], resize: int | None) -> dict[str, object]:
    """The values dataset.py.tmpl needs to build ``dataset`` the way the course does."""
    transform = "torchvision.transforms.ToTensor()" if not resize else (
        f"torchvision.transforms.Compose([torchvision.transforms.Resize(({resize}, {resize})), "
        "torchvision.transforms.ToTensor()])")
    return {"kind": kind.value, "path": repr(path), "train": split == "train", "transform": transform,
            "folder": repr(f"{path}/{split}" if split else path), "names": [repr(n) for n in names]}


def dataset_item(kind: Kind, path: str, split: str, names: Sequence[str], index: int,
                 lang: str = i18n.DEFAULT) -> str:
    """The course's test_set[0]: build the data set, take one item, print what it is."""
    return render("dataset_item", lang, **_dataset(kind, path, split, names, None), index=index)


def dataloader(kind: Kind, path: str, split: str, names: Sequence[str], resize: int | None, batch_size: int,
               shuffle: bool, drop_last: bool, num_workers: int, seed: int, epoch: int, batch: int,
               lang: str = i18n.DEFAULT) -> str:
    """The course's DataLoader loop, printing one batch's imgs.shape and targets as the page shows them."""
    return render("dataloader", lang, **_dataset(kind, path, split, names, resize), batch_size=batch_size,
                  shuffle=shuffle, drop_last=drop_last, num_workers=num_workers, seed=seed, epochs=epoch, batch=batch)


def with_sample_layout(snippet: str, sample: str, folder: str, names: Sequence[str], lang: str = i18n.DEFAULT) -> str:
    """A label-file snippet that first lays the bundled sample's ``names`` out in the course's second layout under
    ``folder``, right after its imports.

    The page opens that layout in its own cache folder, which a learner's computer does not have; these lines
    make the same folder from the sample the repository ships (``sample``, one split of it), so the snippet
    opens a folder that exists. Copies, where the page links: the learner's folder stands alone.
    """
    imports, rest = snippet.split("\n\n", 1)
    layout = render("sample_layout", lang, names=repr(list(names)), sample=repr(sample), folder=repr(folder))
    return f"{imports}\n{layout}\n{rest}"


def sample_layout(found: Found) -> bool:
    """The bundled sample in the course's second layout, which the page lays out in its cache folder."""
    return found.bundled and found.kind == Kind.LABEL_FILES


def pair_names(found: Found, folder: Path, split: str) -> list[str]:
    """The x of x_image/x_label folders (the course's second layout), which the snippet's MyData needs."""
    return label_pairs(paths.inside(folder, split)) if found.kind == Kind.LABEL_FILES else []


def opened_at(found: Found, shown: str) -> str:
    """Where the snippet opens the data set (``shown``: its place as the page may show it): the page's cache folder
    exists only here, so the sample's label layout is opened where the snippet itself makes it."""
    return sample.LABELS_NAME if sample_layout(found) else shown


def made_here(snippet: str, found: Found, folder: Path, split: str, lang: str = i18n.DEFAULT) -> str:
    """The snippet, with the lines that make the folder it opens where the page used its cache."""
    if not sample_layout(found):
        return snippet
    return with_sample_layout(snippet, f"{paths.shown(sample.SAMPLE)}/{split}", f"{sample.LABELS_NAME}/{split}",
                              pair_names(found, folder, split), lang)
