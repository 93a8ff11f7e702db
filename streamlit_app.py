"""卷积可视化 · PyTorch Visual Companion: `streamlit run streamlit_app.py`."""
import streamlit as st

from core import preload
from ui import language_switch, t
from ui.nav import navigation

preload.start()  # torch, in the background, once per server process (after the imports the header needs)

st.set_page_config(page_title="卷积可视化 · PyTorch Visual Companion", page_icon="🔲", layout="wide")
language_switch()
page = navigation()
st.sidebar.caption(t("app.sidebar_note"))
page.run()
