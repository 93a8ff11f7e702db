"""A confusion matrix that opens: a click on a cell (true class, predicted class) shows the test images behind it,
the most confident first, with the probabilities the model gave them. Classify's audit and the Training page's
insight both draw it; the clicked cell is kept in the URL (``confusion=3,5``: true class 3 taken for 5)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from core import query, viz
from core.data import discovery, tensors
from core.errors import CodedError
from core.inference.infer import Audit
from core.training import insight
from core.training.records import Insight
from ui import CHART, screen_px, t, urlstate
from ui.lesson import clicked

SHOWN = 24  # images of one cell shown, the most confident first
Behind = tuple[int, float, float]  # (test index, probability of the predicted class, probability of the true class)


@st.cache_resource(show_spinner=False)
def test_split(source: str) -> tensors.TensorSplit:
    """A data set's held-out split (test/, or val/ without one), read once per process for every page and session
    that opens its images."""
    return tensors.load_split(Path(source), discovery.held_out_in(Path(source)))


def audit_behind(audit: Audit) -> Callable[[int, int], list[Behind]]:
    """Classify's audit as the view reads a cell: every image of it, with the probabilities the audit computed."""
    return lambda true, predicted: [(i, float(audit.probs[i, predicted]), float(audit.probs[i, true]))
                                    for i in audit.cell(true, predicted)]


def parse_cell(text: str) -> tuple[int, int]:
    """The URL's ``confusion=3,5`` as (true, predicted); QueryError for anything else."""
    try:
        true, predicted = (int(v) for v in text.split(","))
    except ValueError:
        true = predicted = -1
    if true < 0 or predicted < 0:
        raise query.QueryError("confusion_link.bad", value=text[:20])
    return true, predicted


def _picked(state: str, matrix: list[list[int]]) -> tuple[tuple[int, int], bool]:
    """(the cell to open, whether the learner or a link chose it): the one kept if it is on this matrix, else the most
    frequent mistake (the diagonal's largest when there is none)."""
    kept, n = st.session_state.get(state), len(matrix)
    if isinstance(kept, tuple) and kept[0] < n and kept[1] < n:
        return kept, True
    m = np.asarray(matrix)
    off = m - np.diag(np.diag(m))
    true, predicted = np.unravel_index(int((off if off.any() else m).argmax()), m.shape)
    return (int(true), int(predicted)), False


def _on_click(key: str, state: str) -> None:
    click = clicked(key)
    if click is not None and click[0] == "confusion":
        st.session_state[state] = (click[1], click[2])


def confusion_view(matrix: list[list[int]], behind: Callable[[int, int], list[Behind]], images: torch.Tensor | None,
                   names: list[str], key: str) -> None:
    """The matrix (rows: true class) and the images of the clicked cell.

    behind(true, predicted): the cell's images, the most confident first; images: the test split's [N, 3, H, W]
    uint8 tensor they index (None: the split is not readable here, so only the count is said); names: the classes
    as the learner reads them, one per row of the matrix."""
    state = f"{key}_cell"
    urlstate.custom("confusion", state, parse_cell)
    (true, predicted), chosen = _picked(state, matrix)
    urlstate.write("confusion", f"{true},{predicted}" if chosen else None)
    figure = viz.confusion(matrix, names, t("cls.predicted"), t("cls.true"), picked=(true, predicted))
    st.plotly_chart(figure, key=key, config=CHART, on_select=lambda: _on_click(key, state), selection_mode="points")
    count = int(matrix[true][predicted])
    shown = behind(true, predicted)[:SHOWN]
    if images is not None:
        shown = [b for b in shown if b[0] < len(images)]
    st.markdown(t("confusion.cell", true=names[true], predicted=names[predicted], n=count, shown=len(shown)))
    if not count:
        return
    if images is None or not shown:
        st.caption(t("confusion_link.no_images"))
        return
    pictures = images[[i for i, _, _ in shown]].permute(0, 2, 3, 1).numpy()
    if true == predicted:
        captions = [f"{p:.0%}" for _, p, _ in shown]
    else:
        captions = [f"{p:.0%} / {q:.0%}" for _, p, q in shown]
    st.plotly_chart(viz.image_batch(np.ascontiguousarray(pictures), captions, columns=8, tile=96, width_px=screen_px()),
                    key=f"{key}_images", config=CHART)
    st.caption(t("confusion.right" if true == predicted else "confusion.wrong", true=names[true],
                 predicted=names[predicted]))


def insight_view(seen: Insight, names: list[str], source: Path) -> None:
    """The Training page's confusion matrix of a run's last epoch (core.training.insight), its cells opening the test
    images they hold, read from the run's data set (its own test split, in the order the run tested it)."""
    try:
        images = test_split(str(source)).images
    except CodedError:   # the data set changed since the run: the counts stay, the images cannot be shown
        images = None
    if images is not None and len(images) != int(seen.confusion.sum()):
        images = None
    confusion_view(seen.confusion.tolist(), lambda true, predicted: insight.behind(seen.cells, true, predicted), images,
                   names, key="train_confusion")
