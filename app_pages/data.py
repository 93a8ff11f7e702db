"""Datasets & DataLoader: CIFAR-10 through torchvision, the course's folder layouts, and the batches a DataLoader yields."""
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from core import codegen, course, data, loader, viz
from ui import show_code, t, tensor_shape
from ui.data import cifar10_panel, found_datasets, opened

CHART = {"displayModeBar": False}


@st.cache_data(max_entries=32, show_spinner=False)
def batch_order(n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int, epoch: int) -> list[list[int]]:
    """Cached: Next / Previous stay in one epoch, and replaying epoch e costs e passes over the indices."""
    return loader.epoch_batches(n, batch_size, shuffle, drop_last, seed, epoch)


def class_name(dataset, target) -> str:
    """The class a target stands for, translated for CIFAR-10's classes."""
    if isinstance(target, str):
        return target
    name = getattr(dataset, "classes", [str(target)])[int(target)]
    return t(f"classes.{name}") if name in course.CIFAR10_CLASSES else name


def as_uint8(batch: torch.Tensor) -> np.ndarray:
    return (batch.clamp(0, 1).permute(0, 2, 3, 1).numpy() * 255 + 0.5).astype(np.uint8)


def code_path(root: Path, found: data.Found) -> str:
    """The data set's folder as the learner would type it: relative to the repo when it lies inside it."""
    base = data.inside(root, found.path)
    try:
        return str(base.relative_to(data.REPO))
    except ValueError:
        return str(base)


def pair_names(root: Path, found: data.Found, split: str) -> list[str]:
    """The x of x_image/x_label folders (the course's second layout), which the snippet's MyData needs."""
    return data.label_pairs(data.inside(root, Path(found.path) / split)) if found.kind == "label_files" else []


def dataset_view(root: Path, found: data.Found, split: str, dataset) -> None:
    classes = getattr(dataset, "classes", None)
    n = len(dataset)
    st.markdown(t("data.dataset_facts", n=n, classes=", ".join(classes) if classes else "—"))
    i = st.number_input(t("data.index"), 0, n - 1, 0, key="data_index")
    image, target = dataset[i]
    left, right = st.columns([1, 3])
    left.image(as_uint8(image[None])[0], width=160)
    right.markdown(t("data.item", i=i, shape=tensor_shape(*image.shape), target=target,
                     name=class_name(dataset, target)))
    if found.kind == "cifar10":
        right.caption(t("data.course_item"))
    snippet = codegen.dataset_item(found.kind, code_path(root, found), split, pair_names(root, found, split), i)
    printed = f"{n} {image.shape} {target}" + ("" if classes is None else f"\n{classes[target]}")
    show_code(snippet, output=printed)


def concat_view(root: Path, found: data.Found, split: str) -> None:
    parts = data.per_class_datasets(root, found, split)
    if len(parts) < 2:
        return
    st.subheader(t("data.concat_title"))
    total = torch.utils.data.ConcatDataset(parts)
    st.markdown(t("data.concat_text", parts=" + ".join(f"`{p.label_dir}_dataset` ({len(p)})" for p in parts[:4])
                  + (" + …" if len(parts) > 4 else ""), total=len(total)))
    boundaries = np.cumsum([len(p) for p in parts])
    k = min(len(parts[0]), len(total) - 1)
    st.markdown(t("data.concat_index", last=k - 1, first=k, a=parts[0].label_dir, b=parts[1].label_dir,
                  bounds=", ".join(str(b) for b in boundaries[:6])))


def loader_view(root: Path, found: data.Found, split: str, resize: int | None) -> None:
    dataset = opened(str(root), found, split, resize)
    c1, c2, c3, c4 = st.columns(4)
    batch_size = c1.select_slider("batch_size", [1, 4, 8, 16, 32, 64, 128], 64, key="dl_batch", persist_state="session")
    seed = c2.number_input("seed", 0, 10_000, 0, key="dl_seed", persist_state="session")
    epoch = c3.number_input("epoch", 1, 20, 1, key="dl_epoch", persist_state="session")
    num_workers = c4.select_slider("num_workers", [0, 1, 2, 4], 0, key="dl_workers", persist_state="session")
    c1, c2, _ = st.columns([1, 1, 2])
    shuffle = c1.toggle("shuffle", True, key="dl_shuffle", persist_state="session")
    drop_last = c2.toggle("drop_last", False, key="dl_drop", persist_state="session")
    count = loader.count_batches(len(dataset), batch_size, drop_last)
    if count.batches == 0:
        st.error(t("data.no_batches", n=len(dataset), batch=batch_size))
        return
    st.markdown(t("data.arithmetic", n=len(dataset), batch=batch_size, full=count.full, rest=len(dataset) % batch_size,
                  batches=count.batches) + " " + (t("data.dropped") if drop_last and len(dataset) % batch_size else ""))
    order = batch_order(len(dataset), batch_size, shuffle, drop_last, seed, epoch)
    key = "dl_batch_index"
    st.session_state[key] = min(st.session_state.get(key, 0), count.batches - 1)
    b1, b2, b3 = st.columns([1, 4, 1], vertical_alignment="bottom")
    b1.button(t("data.previous"), icon=":material/chevron_left:", disabled=st.session_state[key] == 0,
              on_click=lambda: st.session_state.update({key: st.session_state[key] - 1}))
    if count.batches > 1:
        b2.slider(t("data.batch_index"), 0, count.batches - 1, key=key)
    else:
        b2.caption(t("data.one_batch"))
    b3.button(t("data.next"), icon=":material/chevron_right:", disabled=st.session_state[key] == count.batches - 1,
              on_click=lambda: st.session_state.update({key: st.session_state[key] + 1}))
    index = st.session_state[key]
    try:
        imgs, targets = loader.load_batch(dataset, order[index])
    except RuntimeError as err:
        st.error(t("data.not_stackable", error=str(err).splitlines()[0]), icon=":material/error:")
        return
    captions = [class_name(dataset, y) for y in targets]
    st.plotly_chart(viz.image_batch(as_uint8(imgs), captions), key="dl_grid", config=CHART)
    left, right = st.columns(2)
    with left:
        st.markdown(t("data.batch_facts", shape=tensor_shape(*imgs.shape)))
        if isinstance(targets, torch.Tensor) and getattr(dataset, "classes", None):
            counts = torch.bincount(targets, minlength=len(dataset.classes)).tolist()
            names = [class_name(dataset, c) for c in range(len(dataset.classes))]
            st.plotly_chart(viz.bars(names, counts, y_title=t("data.count"), height=260), key="dl_hist", config=CHART)
        other = batch_order(len(dataset), batch_size, shuffle, drop_last, seed, epoch + 1)[0][:8]
        st.markdown(t("data.shuffle_demo", epoch=epoch, a=order[0][:8], b=other, next=epoch + 1) + " "
                    + t("data.shuffle_on" if shuffle else "data.shuffle_off"))
        if num_workers:
            st.caption(t("data.workers_note", n=num_workers))
    with right:
        snippet = codegen.dataloader(found.kind, code_path(root, found), split, pair_names(root, found, split), resize,
                                     batch_size, shuffle, drop_last, num_workers, seed, epoch, index)
        show_code(snippet, output=f"{len(dataset)} {count.batches}\n{imgs.shape}\n{targets}")


st.title(t("data.title"))
st.markdown(t("data.intro"))
root = data.data_root()
st.caption(t("data.root", root=str(root)))
found = found_datasets(str(root))
if not any(f.kind == "cifar10" for f in found):
    with st.expander(t("data.cifar_title"), expanded=not found, icon=":material/download:"):
        cifar10_panel(root)
if not found:
    st.stop()

c1, c2, c3 = st.columns([2, 1, 1])
names = [f"{f.name} · {t('data.kind_' + f.kind)}" for f in found]
choice = c1.selectbox(t("data.choose"), range(len(found)), key="data_choice", format_func=names.__getitem__)
chosen = found[choice]
split = c2.selectbox(t("data.split"), chosen.splits, key="data_split", format_func=lambda s: s or "—")
resize_names = {None: t("data.no_resize")} | {r: f"Resize(({r}, {r}))" for r in (32, 64, 128)}
resize = c3.selectbox(t("data.resize"), list(resize_names), key="data_resize", format_func=resize_names.get)
try:
    dataset = opened(str(root), chosen, split, resize)
except data.DataError as err:
    st.error(t(f"data.error_{err.code}", **err.params))
    st.stop()

dataset_tab, loader_tab = st.tabs([t("data.tab_dataset"), "DataLoader"], key="data_view", on_change="rerun")
with dataset_tab:
    if dataset_tab.open:
        dataset_view(root, chosen, split, dataset)
        if chosen.kind == "folder":
            concat_view(root, chosen, split)
with loader_tab:
    if loader_tab.open:
        loader_view(root, chosen, split, resize)
