"""GPU training: the course's two code forms side by side, the device line, timing, and measured CPU vs GPU speed."""
import difflib

import streamlit as st
import torch

from core.chapters import snippets
from core.training import speed
from ui import labels, lang, show_code, t
from ui.practice import practice_section
from ui.urlform import form


@st.cache_data(show_spinner=False)
def timing() -> str:
    """The same for everyone: run once in a process of its own."""
    return speed.run_alone(snippets.timing())


st.title(t("gpu.title"))
st.markdown(t("gpu.intro"))
if torch.cuda.is_available():
    st.info(t("gpu.here_cuda", name=torch.cuda.get_device_name(0)), icon=":material/memory:")
else:
    st.info(t("gpu.here_cpu", threads=torch.get_num_threads()), icon=":material/memory:")

settings = form(snippets.GpuSettings, scope="gpu", columns=3)
scripts = {name: snippets.gpu_training(name, settings, lang()) for name in snippets.GPU_FORMS}
st.markdown(t("gpu.diff"))
st.code("\n".join(difflib.unified_diff(*(s.splitlines() for s in scripts.values()), "train_gpu_1.py", "train_gpu_2.py",
                                      lineterm="", n=0)), language="diff", wrap_lines=True)
left, right = st.columns(2)
for column, (name, script) in zip((left, right), scripts.items()):
    with column:
        st.subheader(t(f"gpu.form_{name}"))
        st.markdown(t(f"gpu.about_{name}"))
        show_code(script, not_run=t("common.not_run"))

st.subheader(t("gpu.device_title"))
st.markdown(t("gpu.device"))
show_code(snippets.device_line(lang()))

st.subheader(t("gpu.timing_title"))
st.markdown(t("gpu.timing"))
with st.spinner(t("gpu.timing_running")):
    show_code(snippets.timing(lang()), output=timing())

st.subheader(t("gpu.measured_title"))
recipe_name = labels("gpu.recipe_")
st.dataframe([{t("gpu.col_device"): m.device, t("gpu.col_recipe"): recipe_name(m.recipe.replace(" ", "_")),
               "s / epoch": m.seconds_per_epoch, t("gpu.col_speed"): f"{m.images_per_s:,}"} for m in speed.MEASURED],
             hide_index=True)
st.markdown(t("gpu.measured", command=speed.BENCHMARK, course=f"{speed.speedup('course loop'):.1f}",
              improved=f"{speed.speedup('improved'):.0f}"))

st.subheader(t("gpu.slips_title"))
st.markdown(t("gpu.slips"))

practice_section("gpu")
