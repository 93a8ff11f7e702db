"""The one way the AppTests open a page: as a link with query parameters opens it, through the app's entry."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(slug: str, lang: str, timeout: float = 60, **params: str) -> AppTest:
    """The page as a link with these query parameters opens it; timeout: seconds a script run may take (a first
    visit that starts fresh interpreters or writes a log dir needs more)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(f"app_pages/{slug}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def printed(at: AppTest) -> list[str]:
    """What the page says its code prints (the output blocks)."""
    return [c.value for c in at.code if c.value.startswith(("tensor(", "torch.Size("))]


def verdict(at: AppTest) -> str:
    """The classify page's prediction line."""
    return next(h.value for h in at.subheader if h.value.startswith(("预测", "Prediction")))


def upload_weights(at: AppTest, content: bytes, name: str = "tudui.pth") -> AppTest:
    """A checkpoint uploaded on the classify page, as a learner picks "upload"."""
    at.segmented_control(key="cls_model").set_value("upload").run()
    at.file_uploader(key="cls_weights").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_dataset(at: AppTest, name: str, data: bytes) -> None:
    """A zipped data set uploaded on the Data page, as a learner drops it on the uploader."""
    at.file_uploader(key="owndata_zip").set_value((name, data, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]


def answer(at: AppTest, qid: str, text: str) -> AppTest:
    """A practice question (its id) answered with text and checked, as a learner types and presses Check."""
    at.text_input(key=f"{qid}_answer").input(text)
    at.button(key=f"{qid}_check").click()
    return at.run()
