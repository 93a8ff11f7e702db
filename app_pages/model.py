"""Model: the course's CIFAR10-quick layer by layer, its variants, and the course's VGG16 surgery.

The title, intro and the architecture picker need no PyTorch, so they draw at once; the rest waits for the import.
"""
import difflib

import streamlit as st

from core.data import images
from core.model_settings import ModelSettings, PretrainedSettings, SurgerySettings
from ui import lang, show_code, t, tensor_shape, urlstate
from ui.loading import wait_for_torch
from ui.practice import practice_section
from ui.receptive import show_diagram
from ui.urlform import form


@st.cache_resource(show_spinner=False)
def surgery() -> dict[str, str]:
    from core.model import vgg16_surgery

    return vgg16_surgery()


@st.cache_resource(max_entries=1, show_spinner=False)
def vgg16_true(file: str, mib: float):
    """The pretrained VGG16, loaded once per process (memory-mapped: the file's pages, not a copy); the arguments
    only key the cache, so that a file put there later is loaded anew."""
    from core.chapters import pretrained

    return pretrained.load(pretrained.download())


def pretrained_section() -> None:
    """The course's pretrained VGG16: what it downloads and prints; run only where the weights are on disk."""
    from core.chapters import pretrained

    st.subheader(t("gaps.vgg_title"))
    d = pretrained.download()
    st.markdown(t("gaps.vgg_intro", mib=f"{d.mib:.0f}", params=f"{d.params:,}", top1=d.top1))
    st.code(pretrained.downloading(d), language=None, wrap_lines=True)
    with st.expander("print(vgg16_true)"):
        st.code(surgery()["original"], language=None)
    sample = form(PretrainedSettings, scope="model", columns=1).vgg_photo
    code = pretrained.snippet(f"assets/samples/{sample}.jpg", lang())
    if not pretrained.usable(d):
        st.info(t("gaps.vgg_absent" if d.found_mib is None else "gaps.vgg_partial", file=d.file.name,
                  found=f"{d.found_mib or 0:.1f}", mib=f"{d.mib:.1f}"), icon=":material/cloud_off:")
        show_code(code, not_run=t("gaps.vgg_not_run"))
        return
    st.caption(t("gaps.vgg_present", file=d.file.name))
    with st.spinner(t("gaps.vgg_running")):
        model = vgg16_true(str(d.file), d.mib)
        found = pretrained.top5(model, images.sample(sample))
    show_code(code, output=pretrained.printed(d, model, found))


st.title(t("model.title"))
st.markdown(t("model.intro"))
urlstate.copy_link()
arch = form(ModelSettings, scope="model", columns=1).arch
wait_for_torch()
from core.basics import codegen, sizes  # noqa: E402  (after the header: these import torch)
from core.inference import weights  # noqa: E402
from core.model import Tudui, count_parameters, layer_table, skeleton  # noqa: E402

rows = layer_table(arch, (64, 3, 32, 32))
show_diagram(skeleton(arch).model, "model_diagram")

# the numbers first, the long layer text last: on a phone the table scrolls sideways, the shapes stay in view
st.dataframe([{"#": r.index, t("model.col_shape"): str(list(r.shape)), t("model.col_params"): f"{r.params:,}",
               t("model.col_layer"): r.layer} for r in rows], hide_index=True)
left, right = st.columns([1, 3])
left.metric(t("model.total"), f"{count_parameters(Tudui(arch)):,}")
with right:
    st.markdown(t("model.padding", formula=sizes.size_formula(32, 5, 1, 2, 1)))
    st.markdown(t("model.params_rule"))
st.markdown(t(f"model.about_{arch}"))

cards = weights.cards()
if cards:
    st.subheader(t("model.measured"))
    st.dataframe([{t("model.col_arch"): t(f"arch.{c.architecture}"), t("model.col_recipe"): t(f"train.recipe_{c.recipe}"),
                   t("model.col_epochs"): c.epochs, "test_acc": f"{c.test_acc:.2%}",
                   t("model.col_time"): t("model.minutes", n=f"{c.training_seconds / 60:.0f}", device=c.device)}
                  for c in cards.values()], hide_index=True)
    st.caption(t("model.measured_note"))

show_code(codegen.model(arch, lang()))

st.subheader(t("model.vgg_title"))
st.markdown(t("model.vgg_intro"))
printed = surgery()
choice = form(SurgerySettings, scope="model", columns=1).vgg
diff = difflib.unified_diff(printed["original"].splitlines(), printed[choice].splitlines(), "vgg16", choice,
                            lineterm="", n=2)
st.code("\n".join(diff), language="diff")
st.markdown(t(f"model.vgg_explain_{choice}"))
st.caption(t("model.vgg_meta", shape=tensor_shape(1000)))

pretrained_section()

practice_section("model", {"arch": arch})
