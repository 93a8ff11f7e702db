"""Home: what the app is and which page goes with which chapter of the course."""
import streamlit as st

from ui import t
from ui.nav import SECTIONS

st.title(t("home.title_long"))
st.markdown(t("home.intro"))
for section, infos in SECTIONS:
    st.subheader(t(section))
    for info in infos:
        with st.container(border=True):
            left, right = st.columns([1, 2])
            left.page_link(info.path, label=t(f"{info.slug}.title"), icon=info.icon)
            left.caption(" · ".join(t(f"chapters.{c}") for c in info.chapters))
            right.markdown(t(f"{info.slug}.summary"))
st.caption(t("home.credits"))
