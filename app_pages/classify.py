"""Classify: the course's test.py on your own photo, what the network sees on the way, and an audit of the model."""

import numpy as np
import streamlit as st
from torch import nn

from core import viz
from core.basics import codegen
from core.data import discovery, paths
from core.inference import infer
from core.model import Tudui
from ui import (
    CHART,
    class_label,
    explain,
    lang,
    photo_picker,
    photo_source,
    screen_px,
    show_code,
    t,
    tensor_shape,
    urlstate,
)
from ui.attribution import looked_view
from ui.confusion import audit_behind, confusion_view, test_split
from ui.data import dataset_picker, split_notes
from ui.models import Chosen, choose_model, photo_digest, seen
from ui.neuron import linear_view, neuron_view
from ui.receptive import receptive_view


@st.cache_data(max_entries=16, show_spinner=False)
def audit(model_id: str, _model: Tudui, source: str, mean, std) -> infer.Audit:
    """Cached per model (its id) and data set, for every session: the test split is evaluated once."""
    return infer.audit(_model, test_split(source), mean, std)


def preprocessing(photo, prepared: infer.Prepared, chosen: Chosen) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.image(photo, caption=t("cls.step_rgb", size=photo.size), width="stretch")
    c2.image(prepared.small.resize((128, 128), resample=0), caption=t("cls.step_resize"), width="stretch")
    low, high = float(prepared.tensor.min()), float(prepared.tensor.max())
    step = "cls.step_normalize" if chosen.mean else "cls.step_tensor"
    c3.markdown(t(step, shape=tensor_shape(*prepared.tensor.shape), low=f"{low:.3f}", high=f"{high:.3f}"))
    c4.markdown(t("cls.step_reshape", shape=tensor_shape(*prepared.batch.shape)))
    st.caption(t("cls.rgb_note"))


def named(probs, classes: list[str]) -> list[str]:
    """A name per output; a model trained on fewer classes leaves the others unnamed (their index)."""
    return [class_label(classes[i]) if i < len(classes) else f"#{i}" for i in range(len(probs))]


def prediction(logits, probs, classes: list[str]) -> None:
    """All ten outputs, named."""
    names = named(probs, classes)
    best = int(probs.argmax())
    st.subheader(t("cls.verdict", name=names[best], p=f"{float(probs[best]):.1%}"))
    st.plotly_chart(viz.bars(names, probs.tolist(), best, y_title="softmax"), key="cls_probs", config=CHART)
    with st.expander(t("cls.logits")):
        st.dataframe([{t("cls.col_class"): name, "logit": f"{float(v):.4f}", "softmax": f"{float(p):.4f}"}
                      for name, v, p in zip(names, logits, probs)], hide_index=True)
        st.markdown(t("cls.argmax", k=best))


def network_view(chosen: Chosen, maps: list[tuple[int, str, np.ndarray]], prepared: infer.Prepared, key: str) -> None:
    if not maps:  # a learner's network without convolution or pooling
        st.info(t("ckpt.no_maps"), icon=":material/info:")
        return
    names = {i: f"model[{index}] {layer.split('(')[0]} → {list(m.shape)}" for i, (index, layer, m) in enumerate(maps)}
    pick = st.selectbox(t("cls.layer"), list(names), format_func=names.get, key="cls_layer")
    index, layer, m = maps[pick]
    st.caption(f"`{layer}`")
    tiles = viz.gray_tiles(m)
    st.plotly_chart(viz.image_batch(tiles, [f"#{c}" for c in range(len(tiles))], columns=16, tile=52,
                                    width_px=screen_px()),
                    key="cls_maps", config=CHART)
    urlstate.keep_within("cls_channel", 0, len(tiles) - 1, name="channel")  # another layer may have fewer
    channel = st.number_input(t("cls.channel"), 0, len(tiles) - 1, 0, key="cls_channel")
    left, right = st.columns(2)
    left.plotly_chart(viz.feature_grid([m[channel]], [f"#{channel}"], columns=1, cell_px=300,
                                       width_px=screen_px(share=0.5)),
                      key="cls_one_map", config=CHART)
    first_conv = next((layer for layer in chosen.model.model if isinstance(layer, nn.Conv2d)), None)
    if first_conv is not None:  # a learner's network may start with pooling
        with right:
            st.markdown(t("cls.kernels"))
            weight = first_conv.weight.detach().numpy()
            st.plotly_chart(viz.image_batch(viz.kernel_tiles(weight), [f"#{c}" for c in range(len(weight))],
                                            columns=8, tile=40, width_px=screen_px(share=0.5)),
                            key="cls_kernels", config=CHART)
    receptive_view(chosen.model, index, m[channel], np.asarray(prepared.small.convert("RGB")),
                   then=lambda cell: neuron_view(key, chosen.model, prepared.batch, index, channel, cell))


def audit_view(chosen: Chosen) -> None:
    picked = dataset_picker(t("data.choose"), discovery.has_test_split, key="dataset")
    if picked is None:
        st.info(t("cls.audit_no_data"), icon=":material/folder_off:")
        return
    source = str(picked.path)
    try:
        with st.spinner(t("cls.auditing")):
            result = audit(chosen.id, chosen.model, source, chosen.mean, chosen.std)
    except paths.DataError as err:
        st.error(explain(err), icon=":material/folder_off:")
        return
    st.metric(t("cls.test_acc"), f"{result.accuracy:.2%}")
    split = test_split(source)
    split_notes(split)
    class_names = [class_label(name) for name in split.classes]
    st.plotly_chart(viz.bars(class_names, result.per_class, y_title=t("cls.per_class")), key="cls_per_class",
                    config=CHART)
    named = [*class_names, *(f"#{i}" for i in range(len(class_names), len(result.confusion)))]
    confusion_view(result.confusion, audit_behind(result), split.images, named, key="cls_confusion")
    st.markdown(t("cls.mistakes"))
    pictures = split.images[[i for i, *_ in result.mistakes]].permute(0, 2, 3, 1).numpy()
    captions = [f"{named[truth]}→{named[pred]} {conf:.0%}" for _, truth, pred, conf in result.mistakes]
    st.plotly_chart(viz.image_batch(np.ascontiguousarray(pictures), captions, columns=8, tile=96,
                                    width_px=screen_px()), key="cls_mistakes", config=CHART)


st.title(t("classify.title"))
st.markdown(t("cls.intro"))
chosen = choose_model()
st.divider()
photo = photo_picker("cls_photo", camera=True, runs_code=True)
if chosen is not None and photo is not None:
    prepared = infer.prepare(photo, chosen.mean, chosen.std)
    digest = photo_digest(photo)
    result = seen(chosen.id, digest, chosen.mean, chosen.std, chosen.model, prepared.batch)
    key = f"{chosen.id}|{digest}|{chosen.mean}|{chosen.std}"  # the model and the photo, for the views' caches
    st.subheader(t("cls.steps_title"))
    preprocessing(photo, prepared, chosen)
    prediction(result.logits, result.probs, chosen.classes)
    view, tabs = urlstate.tabs({"sees": t("cls.tab_sees"), "looked": t("looked.tab"), "code": t("cls.tab_code"),
                                "audit": t("cls.tab_audit")}, "view", scope="cls")
    with tabs[view]:  # only the open tab is computed
        if view == "sees":
            network_view(chosen, result.maps, prepared, key)
            linear_view(key, chosen.model, prepared.batch, named(result.probs, chosen.classes), int(result.probs.argmax()))
        elif view == "looked":
            looked_view(key, chosen.model, prepared.batch, np.asarray(prepared.small.convert("RGB")),
                        named(result.probs, chosen.classes), int(result.probs.argmax()))
        elif view == "code":
            image_path = photo_source("cls_photo")
            snippet = codegen.classify(chosen.model.model, chosen.path, image_path, chosen.mean, chosen.std, lang())
            show_code(snippet, files={image_path: photo, chosen.path: chosen.content()})
        else:
            audit_view(chosen)
