"""The Data page's two tabs: one item of a data set (and ConcatDataset over the course's per-class folders), and a
batch exactly as a DataLoader yields it, each with the course's code for the page's settings and what it prints."""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from core import viz
from core.data import discovery, images, loader, paths, sets
from core.data import snippets as data_snippets
from core.data.loader import LoaderSettings
from ui import CHART, class_label, lang, screen_px, show_code, t, tensor_shape, urlstate
from ui.data import Picked, opened
from ui.urlform import form


@st.cache_data(max_entries=32, show_spinner=False)
def batch_order(n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int, epoch: int) -> list[list[int]]:
    """Cached: Next / Previous stay in one epoch, and replaying epoch e costs e passes over the indices."""
    return loader.epoch_batches(n, batch_size, shuffle, drop_last, seed, epoch)


def class_name(dataset, target) -> str:
    """The class a target stands for, translated for CIFAR-10's classes."""
    name = target if isinstance(target, str) else getattr(dataset, "classes", [str(target)])[int(target)]
    return class_label(name)


def snippet(picked: Picked, split: str, write) -> str:
    """``write(kind, path, split, pair names)``'s snippet for the picked data set, opened where the learner's copy
    of the code finds it (core.data.snippets.made_here)."""
    found = picked.found
    code = write(found.kind, data_snippets.opened_at(found, picked.shown), split,
                 data_snippets.pair_names(found, picked.path, split))
    return data_snippets.made_here(code, found, picked.path, split, lang())


def skipped_note(dataset, skipped: tuple[int, ...]) -> None:
    """Samples whose image file cannot be read: which files, and what to do."""
    files = ", ".join(f"{i} ({sets.item_file(dataset, i)})" for i in skipped[:5]) + (" …" if len(skipped) > 5 else "")
    st.warning(t("data.unreadable", n=len(skipped), files=files), icon=":material/broken_image:")


def dataset_view(picked: Picked, split: str, dataset) -> None:
    classes = getattr(dataset, "classes", None)
    n = len(dataset)
    st.markdown(t("data.dataset_facts", n=n, classes=", ".join(classes) if classes else "—"))
    if n == 0:
        return
    i = urlstate.number(t("data.index"), 0, n - 1, 0, "index", fits=True)
    try:
        image, target = dataset[i]
    except paths.UNREADABLE:
        skipped_note(dataset, (i,))
        return
    left, right = st.columns([1, 3])
    left.image(images.to_uint8(image), width=160)
    right.markdown(t("data.item", i=i, shape=tensor_shape(*image.shape), target=target,
                     name=class_name(dataset, target)))
    if picked.found.kind == discovery.Kind.CIFAR10:
        right.caption(t("data.course_item"))
    code = snippet(picked, split, lambda *source: data_snippets.dataset_item(*source, i, lang()))
    printed = f"{n} {image.shape} {target}" + ("" if classes is None else f"\n{classes[target]}")
    show_code(code, output=printed)


def boundaries(sizes: list[int]) -> str:
    """Where each part ends in the sum; all of them, or the first few and the last with how many there are."""
    ends = [int(e) for e in np.cumsum(sizes)]
    if len(ends) <= 10:
        return ", ".join(map(str, ends))
    return ", ".join(map(str, ends[:5])) + f", …, {ends[-1]} " + t("data.concat_parts", n=len(ends))


def concat_view(picked: Picked, split: str) -> None:
    parts = sets.per_class_datasets(paths.data_root(), picked.found, split)
    if len(parts) < 2:
        return
    st.subheader(t("data.concat_title"))
    total = torch.utils.data.ConcatDataset(parts)
    named = " + ".join(f"`{p.label_dir}_dataset` ({len(p)})" for p in parts[:4])
    more = "" if len(parts) <= 4 else " + … " + t("data.concat_parts", n=len(parts))
    st.markdown(t("data.concat_text", parts=named + more, total=len(total)))
    k = min(len(parts[0]), len(total) - 1)
    st.markdown(t("data.concat_index", last=k - 1, first=k, a=parts[0].label_dir, b=parts[1].label_dir,
                  bounds=boundaries([len(p) for p in parts])))


def batch_picker(batches: int) -> int:
    """Previous / a slider / Next over the batch numbers; the number is the URL's ``batch=`` (moved to the last
    batch where there are fewer than before: a larger batch_size). Its bounds follow the data, so it is not a
    ``LoaderSettings`` field."""
    key = "batch"
    b1, b2, b3 = st.columns([1, 4, 1], vertical_alignment="bottom")
    if batches > 1:
        index = urlstate.slider(t("data.batch_index"), 0, batches - 1, 0, key, fits=True, where=b2)
    else:
        b2.caption(t("data.one_batch"))
        index = 0
    b1.button(t("data.previous"), icon=":material/chevron_left:", disabled=index == 0,
              on_click=lambda: st.session_state.update({key: index - 1}))
    b3.button(t("data.next"), icon=":material/chevron_right:", disabled=index == batches - 1,
              on_click=lambda: st.session_state.update({key: index + 1}))
    return index


def loader_view(picked: Picked, split: str, resize: int | None) -> None:
    dataset = opened(str(paths.data_root()), picked.found, split, resize)
    settings = form(LoaderSettings, scope="data")
    n, batch_size = len(dataset), settings.batch_size
    count = settings.count(n)
    if count.batches == 0:
        st.error(t("data.no_batches", n=n, batch=batch_size))
        return
    st.markdown(t("data.arithmetic", n=n, batch=batch_size, full=count.full, rest=n % batch_size,
                  batches=count.batches) + " " + (t("data.dropped") if settings.drop_last and n % batch_size else ""))
    order = batch_order(n, batch_size, settings.shuffle, settings.drop_last, settings.seed, settings.epoch)
    index = batch_picker(count.batches)
    try:
        loaded, skipped = loader.load_batch(dataset, order[index])
    except RuntimeError as err:
        st.error(t("data.not_stackable", error=str(err).splitlines()[0]), icon=":material/error:")
        return
    if skipped:
        skipped_note(dataset, skipped)
    if loaded is None:
        return
    imgs, targets = loaded
    captions = [class_name(dataset, y) for y in targets]
    st.plotly_chart(viz.image_batch(images.to_uint8(imgs), captions, width_px=screen_px()), key="dl_grid", config=CHART)
    left, right = st.columns(2)
    with left:
        st.markdown(t("data.batch_facts", shape=tensor_shape(*imgs.shape)))
        if isinstance(targets, torch.Tensor) and getattr(dataset, "classes", None):
            counts = loader.class_counts(targets, len(dataset.classes))
            names = [class_name(dataset, c) for c in range(len(dataset.classes))]
            st.plotly_chart(viz.bars(names, counts, y_title=t("data.count"), height=260), key="dl_hist", config=CHART)
        other = batch_order(n, batch_size, settings.shuffle, settings.drop_last, settings.seed, settings.epoch + 1)[0][:8]
        st.markdown(t("data.shuffle_demo", n=len(order[0][:8]), epoch=settings.epoch, a=order[0][:8], b=other,
                      next=settings.epoch + 1) + " " + t("data.shuffle_on" if settings.shuffle else "data.shuffle_off"))
        if settings.num_workers:
            st.caption(t("data.workers_note", n=settings.num_workers))
    with right:
        code = snippet(picked, split, lambda *source: data_snippets.dataloader(
            *source, resize, batch_size, settings.shuffle, settings.drop_last, settings.num_workers, settings.seed,
            settings.epoch, index, lang()))
        show_code(code, output=f"{n} {count.batches}\n{imgs.shape}\n{targets}")
