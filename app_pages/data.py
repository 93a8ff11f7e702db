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

from core.data import discovery, paths, sets  # noqa: E402  (imported once PyTorch is: these need it)
from core.data import snippets as data_snippets  # noqa: E402
from core.data.loader import LoaderSettings  # noqa: E402
from ui import explain, urlstate  # noqa: E402
from ui.data import cifar10_panel, dataset_picker, found_datasets, opened  # noqa: E402
from ui.data_views import concat_view, dataset_view, loader_view  # noqa: E402
from ui.owndata import upload_panel  # noqa: E402
from ui.urlform import shown  # noqa: E402

URL = "query-params"
RESIZES = {None: "ToTensor()"} | {r: f"Resize(({r}, {r}))" for r in (32, 64, 128)}

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
if data_snippets.sample_layout(picked.found):
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
loader_settings = shown(LoaderSettings, scope="data")
practice_section("data", {"dataset": picked.shown, "n": len(dataset), "batch_size": loader_settings.batch_size,
                          "drop_last": loader_settings.drop_last})
