"""卷积可视化 · PyTorch Visual Companion: `streamlit run streamlit_app.py`."""
import streamlit as st

from core import preload
from ui import language_switch, t
from ui.nav import navigation

preload.start()  # torch, in the background, once per server process (after the imports the header needs)

st.set_page_config(page_title="卷积可视化 · PyTorch Visual Companion", page_icon="🔲", layout="wide")
language_switch()
page = navigation()
if preload.ready():  # an interrupted training run goes on after a restart, whichever page is opened first
    from ui.training import trainings
    trainings()
st.sidebar.caption(t("app.sidebar_note"))
page.run()
