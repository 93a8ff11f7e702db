"""Saving and loading: the course's two ways, with their traps reproduced in fresh Python interpreters."""
import streamlit as st
import torch

from core.chapters import saving
from ui import lang, show_code, t, urlstate
from ui.practice import practice_section


@st.cache_data(show_spinner=False, persist="disk")
def cached(scenario: saving.Scenario, torch_version: str) -> saving.Result:
    """The same for everyone on one installation (keyed by torch's version): run once, kept across restarts."""
    return saving.run(scenario)


def outcome(scenario: saving.Scenario) -> saving.Result:
    with st.spinner(t("save_load.running")):
        return cached(scenario, torch.__version__)


def scenario(load: str) -> None:
    """One load script: its code, what it printed (or the error that stopped it), and what that means."""
    loaded = outcome(saving.LOADS[load]).loads[load]
    st.markdown(t(f"save_load.{load}_title"))
    show_code(loaded_code(load), output=loaded.error or loaded.printed)
    explain = st.warning if loaded.failed else st.success
    explain(t(f"save_load.{load}_explain"), icon=":material/error:" if loaded.failed else ":material/check_circle:")


def loaded_code(load: str) -> str:
    return f"# model_load.py\n{saving.load_script(load, lang())}"


st.title(t("save_load.title"))
st.markdown(t("save_load.intro"))
open_tab, tabs = urlstate.tabs({"way1": t("save_load.tab_way1"), "way2": t("save_load.tab_way2"),
                                "gpu": t("save_load.tab_gpu")}, "view", scope="save_load")

with tabs[open_tab]:
    if open_tab in ("way1", "way2"):
        saved_by = saving.Scenario.BOTH_WAYS
        saved = outcome(saved_by).saved
        whole, params = saving.sizes(saved)
        st.markdown(t("save_load.save_intro"))
        show_code(f"# model_save.py\n{saving.save_script(saved_by, lang())}", output=saved.error or saved.printed)
        left, right = st.columns(2)
        left.metric(t("save_load.size_way1"), f"{whole:,} B")
        right.metric(t("save_load.size_way2"), f"{params:,} B", delta=f"{params - whole:,} B", delta_color="off")
        st.markdown(t("save_load.sizes", difference=f"{whole - params:,}"))
    if open_tab == "way1":
        st.markdown(t("save_load.way1_intro"))
        st.markdown(t("save_load.model_py"))
        st.code(f"# model.py\n{saving.model_py(lang())}", language="python", wrap_lines=True)
        for load in ("no_class", "weights_only", "with_class"):
            scenario(load)
        st.markdown(t("save_load.way1_advice"))
    elif open_tab == "way2":
        st.markdown(t("save_load.way2_intro"))
        scenario("state_dict")
    else:
        st.markdown(t("save_load.gpu_intro"))
        show_code(f"# model_save.py\n{saving.save_script(saving.Scenario.GPU, lang())}", not_run=t("save_load.gpu_saved"))
        for load in ("gpu_plain", "gpu_map_location"):
            scenario(load)

practice_section("save_load")
