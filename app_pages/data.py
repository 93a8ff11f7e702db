"""Datasets & DataLoader: the bundled sample or the data directory's data sets, the course's folder layouts, and the
batches a DataLoader yields. Every setting is in the URL.

The title and intro need no PyTorch, so they draw at once; the rest waits for the background import.
"""
import streamlit as st

from ui import t
from ui.loading import wait_for_torch
from ui.practice import practice_section

st.title(t("data.title"))
st.markdown(t("data.intro"))
wait_for_torch()

import numpy as np  # noqa: E402  (imported once PyTorch is: these need it)
import torch  # noqa: E402

from core import viz  # noqa: E402
from core.basics import codegen  # noqa: E402
from core.data import discovery, images, loader, paths, sample, sets  # noqa: E402
from core.data import snippets as data_snippets  # noqa: E402
from ui import CHART, class_label, explain, lang, screen_px, show_code, tensor_shape, urlstate  # noqa: E402
from ui.data import Picked, cifar10_panel, dataset_picker, found_datasets, opened  # noqa: E402
from ui.owndata import upload_panel  # noqa: E402

URL = "query-params"
RESIZES = {None: "ToTensor()"} | {r: f"Resize(({r}, {r}))" for r in (32, 64, 128)}
BATCH_SIZES = [1, 4, 8, 16, 32, 64, 128]


@st.cache_data(max_entries=32, show_spinner=False)
def batch_order(n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int, epoch: int) -> list[list[int]]:
    """Cached: Next / Previous stay in one epoch, and replaying epoch e costs e passes over the indices."""
    return loader.epoch_batches(n, batch_size, shuffle, drop_last, seed, epoch)


def class_name(dataset, target) -> str:
    """The class a target stands for, translated for CIFAR-10's classes."""
    name = target if isinstance(target, str) else getattr(dataset, "classes", [str(target)])[int(target)]
    return class_label(name)


def pair_names(picked: Picked, split: str) -> list[str]:
    """The x of x_image/x_label folders (the course's second layout), which the snippet's MyData needs."""
    return discovery.label_pairs(paths.inside(picked.path, split)) if picked.found.kind == discovery.Kind.LABEL_FILES else []


def sample_labels(picked: Picked) -> bool:
    """The bundled sample in the course's second layout, which the page lays out in its cache folder."""
    return picked.found.bundled and picked.found.kind == discovery.Kind.LABEL_FILES


def snippet_path(picked: Picked) -> str:
    """Where the snippet opens the data set: the page's cache folder exists only here, so the sample's label
    layout is opened where the snippet itself makes it."""
    return sample.LABELS_NAME if sample_labels(picked) else picked.shown


def made_here(picked: Picked, split: str, snippet: str) -> str:
    """The snippet, with the lines that make the folder it opens where the page used its cache."""
    if not sample_labels(picked):
        return snippet
    return data_snippets.with_sample_layout(snippet, f"{paths.shown(sample.SAMPLE)}/{split}",
                                            f"{sample.LABELS_NAME}/{split}", pair_names(picked, split), lang())


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
    snippet = made_here(picked, split, codegen.dataset_item(picked.found.kind, snippet_path(picked), split,
                                                            pair_names(picked, split), i, lang()))
    printed = f"{n} {image.shape} {target}" + ("" if classes is None else f"\n{classes[target]}")
    show_code(snippet, output=printed)


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
    batch where there are fewer than before: a larger batch_size)."""
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
    c1, c2, c3, c4 = st.columns(4)
    batch_size = urlstate.choice("batch_size", BATCH_SIZES, 64, "batch_size", scope="data",
                                 kind="select_slider", where=c1)
    seed = urlstate.number("seed", 0, 10_000, 0, "seed", where=c2)
    epoch = urlstate.number("epoch", 1, 20, 1, "epoch", where=c3)
    num_workers = urlstate.choice("num_workers", [0, 1, 2, 4], 0, "num_workers", scope="data", kind="select_slider",
                                  where=c4)
    c1, c2, _ = st.columns([1, 1, 2])
    shuffle = urlstate.toggle("shuffle", True, "shuffle", where=c1)
    drop_last = urlstate.toggle("drop_last", False, "drop_last", where=c2)
    count = loader.count_batches(len(dataset), batch_size, drop_last)
    if count.batches == 0:
        st.error(t("data.no_batches", n=len(dataset), batch=batch_size))
        return
    st.markdown(t("data.arithmetic", n=len(dataset), batch=batch_size, full=count.full, rest=len(dataset) % batch_size,
                  batches=count.batches) + " " + (t("data.dropped") if drop_last and len(dataset) % batch_size else ""))
    order = batch_order(len(dataset), batch_size, shuffle, drop_last, seed, epoch)
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
            counts = torch.bincount(targets, minlength=len(dataset.classes)).tolist()
            names = [class_name(dataset, c) for c in range(len(dataset.classes))]
            st.plotly_chart(viz.bars(names, counts, y_title=t("data.count"), height=260), key="dl_hist", config=CHART)
        other = batch_order(len(dataset), batch_size, shuffle, drop_last, seed, epoch + 1)[0][:8]
        st.markdown(t("data.shuffle_demo", n=len(order[0][:8]), epoch=epoch, a=order[0][:8], b=other, next=epoch + 1) + " "
                    + t("data.shuffle_on" if shuffle else "data.shuffle_off"))
        if num_workers:
            st.caption(t("data.workers_note", n=num_workers))
    with right:
        snippet = made_here(picked, split, codegen.dataloader(
            picked.found.kind, snippet_path(picked), split, pair_names(picked, split), resize, batch_size, shuffle,
            drop_last, num_workers, seed, epoch, index, lang()))
        show_code(snippet, output=f"{len(dataset)} {count.batches}\n{imgs.shape}\n{targets}")


root = paths.data_root()
st.caption(t("data.root", root=paths.shown(root)))
if found_datasets(str(root))[0].bundled:  # the default is the sample: no full CIFAR-10 in the data directory
    with st.expander(t("data.cifar_title"), icon=":material/download:"):
        cifar10_panel(root)

upload_panel()
c1, c2, c3 = st.columns([2, 1, 1])
picked = dataset_picker(t("data.choose"), where=c1)
if picked is None:
    st.stop()
split = urlstate.choice(t("data.split"), picked.found.splits, picked.found.splits[0], "split", scope="data",
                        kind="selectbox", format_func=lambda s: s or "—", where=c2)
resize = urlstate.choice(t("data.resize"), list(RESIZES), None, "resize", scope="data", kind="selectbox",
                         format_func=RESIZES.get, where=c3)
if picked.found.bundled and picked.found.kind == discovery.Kind.LABEL_FILES:
    st.caption(t("data.sample_labels_about", path=picked.shown))
try:
    dataset = opened(str(root), picked.found, split, resize)
except paths.DataError as err:
    st.error(explain(err), icon=":material/folder_off:")
    st.stop()
empty = sets.empty_classes(dataset)
if empty:
    st.warning(t("data.empty_classes", classes=", ".join(empty), path=f"{picked.shown}/{split}".rstrip("/")),
               icon=":material/folder_off:")

dataset_tab, loader_tab = st.tabs(["Dataset", "DataLoader"], default="DataLoader", key="view", on_change="rerun",
                                  bind=URL)
with dataset_tab:
    if dataset_tab.open:
        dataset_view(picked, split, dataset)
        if picked.found.kind == discovery.Kind.FOLDER:
            concat_view(picked, split)
with loader_tab:
    if loader_tab.open:
        loader_view(picked, split, resize)

# the DataLoader tab's settings, whichever tab is open: what its widgets hold, else the link's, else the defaults
practice_section("data", {"dataset": picked.shown, "n": len(dataset),
                          "batch_size": urlstate.shown_choice(BATCH_SIZES, 64, "batch_size", scope="data"),
                          "drop_last": urlstate.shown_toggle(False, "drop_last")})
