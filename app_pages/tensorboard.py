"""TensorBoard: the course's SummaryWriter calls run into a real log directory and read back with TensorBoard's reader."""
import numpy as np
import streamlit as st

from core.chapters import snippets, tbevents
from core.chapters.tbcourse import LogSettings
from core.data import images, paths
from ui import lang, show_code, t, tbcourse, tblogs, urlstate
from ui.urlform import form

st.title(t("tensorboard.title"))
st.markdown(t("tensorboard.intro"))
ready = tbevents.available()
if not ready:
    st.warning(t("tensorboard.missing"), icon=":material/download:")
    st.code("pip install tensorboard", language="bash")

settings = form(LogSettings, scope="tensorboard", columns=2)
img_array = np.array(images.sample(settings.image))
code = snippets.tensorboard(f"assets/samples/{settings.image}.jpg", "assets/cifar10-sample/test", settings.batch_size,
                           lang())
if not ready:
    tbcourse.offline(settings, code, img_array)
    st.stop()

kept = tbcourse.store(paths.data_root())
with st.spinner(t("tensorboard.writing")):
    result = tbcourse.course_logs(kept, settings)
if kept is not None:
    tbcourse.warm(kept, settings.image)

view, tabs = urlstate.tabs({"scalars": "SCALARS", "images": "IMAGES", "graphs": "GRAPHS",
                            "files": t("tensorboard.tab_files"), "tensorboard": "TensorBoard",
                            "yours": t("tblogs.tab_yours")}, "tab", scope="tensorboard")
with tabs[view]:
    if view == "scalars":
        tbcourse.scalars_tab(result.logs)
    elif view == "images":
        tbcourse.images_tab(result, img_array, settings.batch_size)
    elif view == "graphs":
        tbcourse.graphs_tab(result.logs)
    elif view == "tensorboard":
        tblogs.demo_and_runs(result.zip, kept, f"{settings.image}-{settings.batch_size}")
    elif view == "yours":
        tblogs.uploaded()
    else:
        tbcourse.files_tab(result)

st.subheader(t("tensorboard.code_title"))
show_code(code, output="\n".join(["<class 'numpy.ndarray'>", str(img_array.shape), result.last_batch_shape]))
