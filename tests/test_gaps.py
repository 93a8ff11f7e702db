"""The course's last gaps: each snippet a page shows for them runs on its own and prints what the page shows."""
import pytest

from core import runner
from core.data import discovery, sample

from test_pages import open_page


def test_the_sample_label_layout_snippet_makes_the_folder_it_opens(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    at = open_page("data", "zh")
    at.session_state["view"] = "Dataset"
    at.run()
    at.selectbox(key="data_dataset").set_value(discovery.SAMPLE_LABELS.id).run()
    blocks = [c.value for c in at.code]
    i = next(i for i, code in enumerate(blocks) if "MyData(" in code)
    assert f"MyData('{sample.LABELS_NAME}/train', 'cat'" in blocks[i]
    monkeypatch.chdir(tmp_path)   # a learner's empty folder: only the repository's sample is there
    printed = runner.run(blocks[i], {"assets/cifar10-sample/train": str(sample.SAMPLE / "train")})
    assert printed == blocks[i + 1], "the snippet prints what the page shows"
    assert len(list((tmp_path / sample.LABELS_NAME / "train" / "cat_label").iterdir())) == 500
