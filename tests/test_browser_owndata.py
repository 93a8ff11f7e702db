"""The real browser uploads a learner's zipped data set on the Data page and sees its images in the DataLoader's
batch; a zip that climbs out of its folder is refused with the translated message; another tab does not see the
set; and the session's upload folder goes once Streamlit has let the closed tab's session go (slow: minutes)."""
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from core import i18n
from core.errors import explain
from core.uploads import sessions
from core.uploads.zips import UploadError

from browser import PHONE_AGENT, SCREENSHOTS, app_in_chromium, exceptions, settle
from conftest import make_folder_dataset

pytestmark = pytest.mark.slow


def upload(page, path: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_timeout(500)
    settle(page)


def open_panel(page, lang: str) -> None:
    page.get_by_text(i18n.t("owndata.title", lang)).first.click()
    page.wait_for_timeout(300)


def test_a_zipped_data_set_is_uploaded_browsed_and_kept_to_its_session(tmp_path):
    pets = make_folder_dataset(tmp_path / "pets", per_class=(5, 2))
    zipped = Path(shutil.make_archive(str(tmp_path / "pets"), "zip", tmp_path, "pets"))
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../evil.png", pets.joinpath("train/cat/0000.png").read_bytes())
    uploads = tmp_path / "uploads"
    with app_in_chromium({"DATA_DIR": str(tmp_path / "data"), "RUNS_DIR": str(tmp_path / "runs"),
                          "UPLOADS_DIR": str(uploads)}) as (url, browser):
        for lang, width, agent in (("zh", 1400, None), ("en", 420, PHONE_AGENT)):
            context = browser.new_context(viewport={"width": width, "height": 1800}, user_agent=agent)
            page = context.new_page()
            page.goto(f"{url}/data?lang={lang}&split=train")
            settle(page)
            open_panel(page, lang)
            upload(page, evil)
            alert = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
            said = explain(UploadError("unsafe_name", name="../evil.png"), lang).replace("\\", "").replace("`", "")
            assert said in alert
            upload(page, zipped)
            settle(page, last=".js-plotly-plot g.imagelayer image")
            assert not exceptions(page)
            box = page.locator('[data-testid="stSelectbox"]').first
            assert "pets.zip" in box.inner_text() + " ".join(i.input_value() for i in box.locator("input").all())
            assert "dataset=upload" in page.url
            grid = page.locator(".js-plotly-plot").first
            assert grid.locator("g.imagelayer image").count() >= 1, "the batch's pictures"
            assert "torch.Size([15, 3, 32, 32])" in page.locator('[data-testid="stMain"]').inner_text()
            page.screenshot(path=str(SCREENSHOTS / f"owndata_{lang}_{width}.png"), full_page=True)
            assert not (tmp_path / "evil.png").exists() and not list(uploads.rglob("evil.png"))

            other = browser.new_page()
            other.goto(f"{url}/data?lang={lang}")
            settle(other)
            other.locator('[data-testid="stSelectbox"]').first.click()
            assert "pets.zip" not in other.locator('[data-testid="stSelectboxVirtualDropdown"]').inner_text()
            other.close()
            context.close()
        folders = [p for p in uploads.iterdir() if not p.name.startswith(".")]
        deadline = time.time() + 2 * 60 + 3 * 30 + 30   # Streamlit keeps a closed tab's session 2 min
        while folders and time.time() < deadline:
            time.sleep(5)
            folders = [p for p in uploads.iterdir() if not p.name.startswith(".") and p.name != sessions.TRASH]
        assert folders == [], "the closed tabs' upload folders"
