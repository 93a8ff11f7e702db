"""Home: a first step at the top, then the course's chapters in order, then every page by section.

A learner arrives from the course's videos: what they need first is where chapter 1 is, not thirteen cards (on a
phone those filled five screens before the chapter list began).
"""
import streamlit as st

from ui import t
from ui.nav import COURSE_ORDER, SECTIONS, pages_for
from ui.practice import practice_progress

st.title(t("home.title_long"))
first = pages_for(COURSE_ORDER[0])[0]
with st.container(border=True, key="start_here"):
    st.markdown(t("home_start.purpose"))
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):  # wraps on a phone, never cut
        st.markdown(t("home_start.first", chapter=t(f"chapters.{COURSE_ORDER[0]}")), width="content")
        st.page_link(first.path, label=t(f"{first.slug}.title"), icon=first.icon)
    st.caption(t("home_start.language"))

st.subheader(t("home.by_chapter"))
st.markdown(t("home.by_chapter_intro"))
for number, chapter in enumerate(COURSE_ORDER, 1):
    # a row that wraps: on a phone the links follow the chapter's name instead of each taking a line of its own
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"chapter_{chapter}"):
        st.markdown(f"{number}. {t(f'chapters.{chapter}')}", width="content")
        for info in pages_for(chapter):
            st.page_link(info.path, label=t(f"{info.slug}.title"), icon=info.icon)
practice_progress()

st.subheader(t("home_start.all_pages"))
st.markdown(t("home.intro"))
for section, infos in SECTIONS:
    st.markdown(f"**{t(section)}**")
    for info in infos:
        with st.container(border=True):
            left, right = st.columns([1, 2])
            left.page_link(info.path, label=t(f"{info.slug}.title"), icon=info.icon)
            left.caption(" · ".join(t(f"chapters.{c}") for c in info.chapters))
            right.markdown(t(f"{info.slug}.summary"))
st.caption(t("home.credits"))
