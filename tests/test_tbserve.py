"""TensorBoard's own app at /tensorboard/ on the app's server: HTTP against a real `streamlit run streamlit_app.py`
whose runs folder holds a run's event files (written by the training code's own writer) and whose uploads folder
holds one session's logs; the Streamlit app itself is still served beside it."""
import json
import shutil
import time
import urllib.error
import urllib.request

import pytest

from core import tbserve

from browser import streamlit_server

pytestmark = pytest.mark.skipif(not tbserve.available(), reason="tensorboard is not installed")

SESSION, UPLOAD = "0123456789abcdef01234567", "89abcdef01234567"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


def eventually(url: str, test, timeout_s: float = 30) -> str:
    """The body at ``url`` once ``test(body)`` holds (TensorBoard reads its folders on a thread of its own)."""
    deadline, body = time.time() + timeout_s, ""
    while time.time() < deadline:
        status, body = get(url)
        if status == 200 and test(body):
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url}: {body[:300]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A run's TensorBoard folder as the training code writes it (its own writer, the course's tags), a
    session's uploaded logs, and the app served over them."""
    from core.training.train import _tensorboard

    runs, uploads = tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("uploads")
    writer = _tensorboard(runs / "a1b2c3d4e5f6")
    for epoch, (loss, acc) in enumerate([(1.9, 0.31), (1.5, 0.45)]):
        writer.add_scalar("test_loss", loss, epoch)
        writer.add_scalar("test_accuracy", acc, epoch)
    writer.close()
    from torch.utils.tensorboard import SummaryWriter

    mine = SummaryWriter(str(uploads / SESSION / UPLOAD / "logs"))
    mine.add_scalar("y=2x", 8, 4)
    mine.close()
    env = {"RUNS_DIR": str(runs), "UPLOADS_DIR": str(uploads), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with streamlit_server(env) as (url, _):
        yield url, uploads


def test_the_route_serves_tensorboard_with_a_finished_run_s_scalars(server):
    url, _ = server
    status, page = get(f"{url}/tensorboard/")
    assert status == 200 and '<meta name="tb-relative-root"' in page, "TensorBoard's own web app"
    tags = json.loads(eventually(f"{url}/tensorboard/data/plugin/scalars/tags", lambda b: "runs/" in b))
    assert set(tags["runs/a1b2c3d4e5f6/tensorboard"]) == {"test_loss", "test_accuracy"}
    points = json.loads(get(f"{url}/tensorboard/data/plugin/scalars/scalars?run=runs/a1b2c3d4e5f6/tensorboard"
                            "&tag=test_accuracy")[1])
    assert [(step, round(value, 4)) for _, step, value in points] == [(0, 0.31), (1, 0.45)]
    assert get(f"{url}/_stcore/health") == (200, "ok")
    status, page = get(f"{url}/tensorboard")   # the TensorBoard page of the app, not the route
    assert status == 200 and "tb-relative-root" not in page and "Streamlit" in page


def test_a_session_s_uploaded_logs_have_their_own_address_and_go_with_the_folder(server):
    url, uploads = server
    mine = f"{url}/tensorboard/upload/{SESSION}/{UPLOAD}"
    assert json.loads(eventually(f"{mine}/data/plugin/scalars/tags", lambda b: "y=2x" in b)) == {"logs": {
        "y=2x": {"displayName": "y=2x", "description": ""}}}
    shared = json.loads(get(f"{url}/tensorboard/data/plugin/scalars/tags")[1])
    assert all(run.startswith(("runs/", "demo/")) for run in shared), "an upload is not in everyone's TensorBoard"
    for made_up in (f"upload/{SESSION}/ffffffffffffffff", "upload/..%2F..%2Fetc/x", f"upload/{SESSION}", "_stcore"):
        assert get(f"{url}/tensorboard/{made_up}/data/runs")[0] in (400, 404), made_up   # 400: Streamlit's own check
    shutil.rmtree(uploads / SESSION)   # the session ended: its folder is removed
    assert get(f"{mine}/data/runs")[0] == 404
