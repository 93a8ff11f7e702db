"""A confusion matrix that opens: a click on a cell (true class, predicted class) shows the test images behind it,
the most confident first, with the probabilities the model gave them."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import viz
from core.inference.infer import Audit
from ui import CHART, screen_px, t
from ui.lesson import clicked

SHOWN = 24  # images of one cell shown, the most confident first


def _picked(key: str, audit: Audit) -> tuple[int, int]:
    """The cell last clicked; before any click, the most frequent mistake (the diagonal when there is none)."""
    click = clicked(key)
    n = len(audit.confusion)
    if click is not None and click[0] == "confusion" and click[1] < n and click[2] < n:
        return click[1], click[2]
    m = np.asarray(audit.confusion)
    off = m - np.diag(np.diag(m))
    return np.unravel_index(int((off if off.any() else m).argmax()), m.shape)


def confusion_view(audit: Audit, images, names: list[str], key: str = "cls_confusion") -> None:
    """The matrix (rows: true class) and the images of the clicked cell. images: the test split's [N, 3, H, W]
    uint8 tensor; names: the classes as the learner reads them."""
    true, predicted = (int(v) for v in _picked(key, audit))
    figure = viz.confusion(audit.confusion, names, t("cls.predicted"), t("cls.true"), picked=(true, predicted))
    st.plotly_chart(figure, key=key, config=CHART, on_select="rerun", selection_mode="points")
    behind = audit.cell(true, predicted)
    st.markdown(t("confusion.cell", true=names[true], predicted=names[predicted], n=len(behind),
                  shown=min(len(behind), SHOWN)))
    if not behind:
        return
    shown = behind[:SHOWN]
    pictures = images[shown].permute(0, 2, 3, 1).numpy()
    if true == predicted:
        captions = [f"{audit.probs[i, predicted]:.0%}" for i in shown]
    else:
        captions = [f"{audit.probs[i, predicted]:.0%} / {audit.probs[i, true]:.0%}" for i in shown]
    st.plotly_chart(viz.image_batch(np.ascontiguousarray(pictures), captions, columns=8, tile=96, width_px=screen_px()),
                    key=f"{key}_images", config=CHART)
    st.caption(t("confusion.right" if true == predicted else "confusion.wrong", true=names[true],
                 predicted=names[predicted]))
