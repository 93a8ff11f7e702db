"""The photo picker several pages share: a bundled sample, an upload or a camera shot, as RGB."""
from __future__ import annotations

import streamlit as st
from PIL import Image

from core.data import images
from ui import uploads, urlstate
from ui.language import explain, labels, t


def _open(data: bytes) -> images.Loaded | images.ImageError:
    """The upload reduced to images.WORKING (what the session keeps of it), or why it cannot be used."""
    try:
        return images.open_image(data)
    except images.ImageError as err:
        return err.bare()


def photo_picker(key: str, longest: int | None = None, camera: bool = False, link: bool = False,
                 runs_code: bool = False) -> Image.Image | None:
    """A bundled sample photo or the learner's own upload (or camera shot), as RGB.

    Bad files get a translated message and None; conversions (animated GIF,
    CMYK, 16-bit, alpha, EXIF rotation, a large photo reduced) get a visible note.
    link: the sample in the URL (``?sample=rocket``), where a link names numbers read off the photo (a crop).
    runs_code: the page runs its code on the photo (the note on a reduced photo says the code sees the copy).
    """
    sources = ["sample", "upload"] + (["camera"] if camera else [])
    source = st.segmented_control(t("photo.source"), sources, format_func=labels("photo."),
                                  default="sample", required=True, key=f"{key}_source", persist_state="session")
    if source == "sample":
        if link:
            name = urlstate.choice(t("photo.sample"), images.samples(), images.samples()[0], "sample", scope=key,
                                   kind="selectbox", format_func=labels("samples."))
        else:
            name = st.selectbox(t("photo.sample"), images.samples(), format_func=labels("samples."),
                                key=f"{key}_sample", persist_state="session")
        photo = images.sample(name)
    else:
        widget = st.camera_input if source == "camera" else st.file_uploader
        options = {} if source == "camera" else {"type": list(images.UPLOAD_TYPES)}
        file = widget(t(f"photo.{source}_label"), key=f"{key}_{source}", **options)
        upload = uploads.read_once(f"{key}_{source}", file, _open)
        if upload is None:
            st.info(t(f"photo.{source}_hint"))
            return None
        loaded = upload.value
        if isinstance(loaded, images.ImageError):
            st.error(explain(loaded), icon=":material/broken_image:")
            return None
        for code, params in loaded.notes:
            if code == "reduced":  # the size this page works at, which may be smaller than the upload's copy
                params = params | {"longest": min(params["longest"], longest or params["longest"])}
                code = "reduced_code" if runs_code else code
            st.info(t(f"image_note.{code}", **params), icon=":material/info:")
        photo = loaded.image
    return images.fit(photo, longest) if longest else photo


def photo_source(key: str) -> str:
    """The path the learner would open in Python for the photo picked under ``key`` (for code snippets)."""
    source = st.session_state.get(f"{key}_source", "sample")
    if source == "sample":
        return f"assets/samples/{st.session_state.get(f'{key}_sample', images.samples()[0])}.jpg"
    upload = uploads.kept(f"{key}_{source}")  # the upload, or the camera's shot
    return getattr(upload, "name", None) or "your_photo.jpg"
