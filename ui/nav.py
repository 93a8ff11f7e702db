"""The app's pages in the course's order; read by streamlit_app.py and by the home page's chapter map."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import t


@dataclass(frozen=True)
class PageInfo:
    slug: str                    # file app_pages/<slug>.py, URL /<slug>, strings <slug>.title / <slug>.summary
    icon: str
    chapters: tuple[str, ...]    # the course chapters it covers (keys under [chapters])

    @property
    def path(self) -> str:
        return f"app_pages/{self.slug}.py"


HOME = PageInfo("home", ":material/home:", ())
SECTIONS: tuple[tuple[str, tuple[PageInfo, ...]], ...] = (
    ("nav.basics", (
        PageInfo("conv", ":material/grid_on:", ("conv_op", "conv_layer")),
        PageInfo("pool", ":material/filter_center_focus:", ("max_pool",)),
        PageInfo("conv_transpose", ":material/open_in_full:", ()),  # beyond the course: upsampling
        PageInfo("layers", ":material/show_chart:", ("activation", "linear", "loss")),
    )),
    ("nav.data", (
        PageInfo("tensorboard", ":material/insights:", ("tensorboard",)),
        PageInfo("transforms", ":material/transform:", ("transforms",)),
        PageInfo("data", ":material/photo_library:", ("dataset", "torchvision_datasets", "dataloader")),
    )),
    ("nav.training", (
        PageInfo("module", ":material/functions:", ("module", "loss", "optimizer")),
        PageInfo("model", ":material/account_tree:", ("sequential", "pretrained")),
        PageInfo("save_load", ":material/save:", ("save_load",)),
        PageInfo("train", ":material/model_training:", ("training",)),
        PageInfo("gpu", ":material/memory:", ("gpu",)),
    )),
    ("nav.inference", (
        PageInfo("classify", ":material/image_search:", ("validation",)),
    )),
)


# The course's chapters in the order the videos teach them (P6 Dataset … P32 validation).
COURSE_ORDER = ("dataset", "tensorboard", "transforms", "torchvision_datasets", "dataloader", "module", "conv_op",
                "conv_layer", "max_pool", "activation", "linear", "sequential", "loss", "optimizer", "pretrained",
                "save_load", "training", "gpu", "validation")


def pages_for(chapter: str) -> list[PageInfo]:
    """The pages that teach ``chapter`` live (the loss chapter has two: the loss functions, and backward on the network)."""
    return [info for _, infos in SECTIONS for info in infos if chapter in info.chapters]


def navigation() -> st.navigation:
    """st.navigation over the pages, titles and section headers in the current language."""
    pages = {"": [st.Page(HOME.path, title=t("home.title"), icon=HOME.icon, default=True)]}
    for section, infos in SECTIONS:
        pages[t(section)] = [st.Page(p.path, title=t(f"{p.slug}.title"), icon=p.icon, url_path=p.slug) for p in infos]
    return st.navigation(pages, expanded=True)  # 13 pages: the default would fold the last ones away
