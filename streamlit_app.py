"""卷积可视化 · PyTorch Visual Companion: `streamlit run streamlit_app.py`."""
import streamlit as st

import core.preload  # noqa: F401  (first: starts importing torch in the background, once per server process)
from ui import language_switch, t
from ui.nav import navigation

st.set_page_config(page_title="卷积可视化 · PyTorch Visual Companion", page_icon="🔲", layout="wide")
language_switch()
page = navigation()
st.sidebar.caption(t("app.sidebar_note"))
page.run()
