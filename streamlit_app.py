"""卷积可视化 · PyTorch Visual Companion: `streamlit run streamlit_app.py`.

This file is read twice. `streamlit run` finds ``app`` below (an ``st.App``) and imports this file as the
module ``streamlit_app`` to start the server, which also serves TensorBoard's own app at /tensorboard/
(core/tbserve.py); the server then runs it as ``__main__`` for every page a visitor opens.
"""
import streamlit as st

if __name__ != "__main__":  # the server starting: TensorBoard's route beside Streamlit's own
    from core import tbserve

    app = st.App(__file__, routes=tbserve.routes())
else:
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
