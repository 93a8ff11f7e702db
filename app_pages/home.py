"""Home: what the app is and which page goes with which chapter of the course."""
import streamlit as st

from ui import t
from ui.nav import COURSE_ORDER, SECTIONS, pages_for
from ui.practice import practice_progress

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
st.subheader(t("home.by_chapter"))
st.markdown(t("home.by_chapter_intro"))
for number, chapter in enumerate(COURSE_ORDER, 1):
    links = st.columns([2, 3, 3])
    links[0].markdown(f"{number}. {t(f'chapters.{chapter}')}")
    for column, info in zip(links[1:], pages_for(chapter)):
        column.page_link(info.path, label=t(f"{info.slug}.title"), icon=info.icon)
practice_progress()
st.caption(t("home.credits"))
