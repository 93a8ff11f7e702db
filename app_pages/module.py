"""nn.Module, backward and the optimizer: the course's first module, then loss.backward() and SGD on the real network."""
import pandas as pd
import streamlit as st

from core import viz
from core.chapters import backprop, modes, snippets
from core.chapters.backprop import BackwardSettings, LoopSettings
from core.data.sample import SAMPLE
from ui import CHART, lang, screen_px, show_code, t, tensor_shape
from ui.urlform import form

DATA = "assets/cifar10-sample/test"
ROOT = SAMPLE / "test"


@st.cache_data(max_entries=8, show_spinner=False)
def gradients(settings: BackwardSettings) -> backprop.Gradients:
    return backprop.gradients(ROOT, settings)


@st.cache_data(max_entries=8, show_spinner=False)
def loop(settings: BackwardSettings, loop_settings: LoopSettings) -> list[backprop.Epoch]:
    return backprop.optimizer_loop(ROOT, settings, loop_settings)


def kernels(weight, title: str, key: str) -> None:
    st.markdown(title)
    tiles = viz.kernel_tiles(weight)
    # rows of 8: 40-pixel tiles on a phone too (16 to a row shrink them to half); the same size on a wide screen
    st.plotly_chart(viz.image_batch(tiles, [str(i) for i in range(len(tiles))], columns=8, tile=40, width_px=screen_px()),
                    key=key, config=CHART)


def modes_section() -> None:
    """model.train() / eval() on Dropout and BatchNorm, torch.no_grad() and argmax(1), as the training loop uses them."""
    st.subheader(t("gaps.modes_title"))
    st.markdown(t("gaps.modes_intro"))
    settings = form(modes.DropoutSettings, scope="module", columns=2)
    p = settings.p
    dropped = modes.dropout(settings)
    for mode, values in (("model.train()", dropped.train), ("model.eval()", dropped.eval)):
        st.plotly_chart(viz.matrices([values.numpy()], [f"{mode}: nn.Dropout(p={p})(torch.ones(2, 8))"], screen_px()),
                        key=f"module_dropout_{mode}", config=CHART)
    zeros = int((dropped.train == 0).sum())
    st.markdown(t("gaps.dropout", zeros=zeros, n=dropped.train.numel(), p=p, scale=f"{1 / (1 - p):g}",
                  mean=f"{dropped.train.mean().item():g}"))
    bn = modes.batchnorm()
    st.markdown(t("gaps.batchnorm", train=modes.written(bn.train), mean=modes.written(bn.running_mean),
                  eval=modes.written(bn.eval)))
    predicted, right_count = modes.predictions()
    st.markdown(t("gaps.no_grad_argmax", predicted=str(predicted.tolist()), right=int(right_count),
                  n=len(predicted)))
    show_code(modes.snippet(settings, lang()))


st.title(t("module.title"))
st.markdown(t("module.intro"))
st.subheader(t("module.call_title"))
st.markdown(t("module.call"))
show_code(snippets.module_call(lang()))

st.subheader(t("module.backward_title"))
st.markdown(t("module.backward", n=backprop.SUBSET))
backward_settings = form(BackwardSettings, scope="module", columns=2)
batch_size, lr = backward_settings.batch_size, backward_settings.lr
with st.spinner(t("module.computing")):
    g = gradients(backward_settings)
shape = tuple(g.grad.shape)
show_code(snippets.gradients(DATA, batch_size, lang()),
          output="\n".join([g.printed_loss, "None", f"torch.Size({list(shape)})", f"{g.once} {g.twice} {g.ratio}"]))
st.dataframe([{t("module.col_param"): name, "grad.shape": str(list(s))} for name, s in g.shapes], hide_index=True)
st.markdown(t("module.shape", shape=tensor_shape(*shape)))
kernels(g.weight, t("module.weight"), "module_weight")
kernels(g.grad, t("module.grad"), "module_grad")
kernels(g.stepped, t("module.stepped", lr=lr, change=f"{g.change:.2e}"), "module_stepped")

st.subheader(t("module.zero_grad_title"))
a, b, c = st.columns(3)
a.metric(t("module.once"), f"{g.once:.6g}")
b.metric(t("module.twice"), f"{g.twice:.6g}")
c.metric(t("module.ratio"), f"{g.ratio:g}")
st.markdown(t("module.zero_grad"))

modes_section()

st.subheader(t("module.optim_title"))
st.markdown(t("module.optim", n=backprop.SUBSET, batch_size=batch_size, lr=lr))
loop_settings = form(LoopSettings, scope="module", columns=1)
epochs = loop_settings.epochs
code = snippets.optimizer(DATA, batch_size, epochs, lr, lang())
if st.button(t("module.run"), icon=":material/play_arrow:", key="module_run"):
    st.session_state.module_ran = (backward_settings, loop_settings)
if st.session_state.get("module_ran") != (backward_settings, loop_settings):
    show_code(code, not_run=t("common.not_run"))
    st.caption(t("module.run_hint", steps=epochs * backprop.steps_per_epoch(batch_size)))
    st.stop()
with st.spinner(t("module.training")):
    epochs_run = loop(backward_settings, loop_settings)
show_code(code, output="\n".join(e.printed for e in epochs_run))
st.line_chart(pd.DataFrame({"running_loss": [e.total for e in epochs_run]}, index=range(1, epochs + 1)),
              x_label="epoch", height=260)
st.markdown(t(f"module.optim_{backprop.trend(epochs_run)}", first=f"{epochs_run[0].total:.4f}",
              last=f"{epochs_run[-1].total:.4f}", steps=backprop.steps_per_epoch(batch_size)) + " " + t("module.optim_explain"))
