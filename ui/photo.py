"""The photo picker several pages share: a bundled sample, an upload or a camera shot, as RGB."""
from __future__ import annotations

import hashlib

import streamlit as st
from PIL import Image

from core import images
from ui.language import explain, labels, t


def _open_upload(key: str, data: bytes) -> images.Loaded | images.ImageError:
    """The upload as the pages use it (reduced to images.WORKING), decoded once per file and session.

    Kept in the session, one per picker, and dropped with it: a class's photos are never all held
    at full resolution, and a rerun does not decode the same file again. A refusal is kept too.
    """
    digest = hashlib.sha256(data).hexdigest()
    slot = f"_{key}_opened"
    kept = st.session_state.get(slot)
    if kept is None or kept[0] != digest:
        try:
            kept = (digest, images.open_image(data))
        except images.ImageError as err:
            kept = (digest, err.bare())
        st.session_state[slot] = kept
    return kept[1]


def photo_picker(key: str, longest: int | None = None, camera: bool = False, link: bool = False) -> Image.Image | None:
    """A bundled sample photo or the learner's own upload (or camera shot), as RGB.

    Bad files get a translated message and None; conversions (animated GIF,
    CMYK, 16-bit, alpha, EXIF rotation, a large photo reduced) get a visible note.
    link: the sample in the URL (``?sample=rocket``), where a link names numbers read off the photo (a crop).
    """
    sources = ["sample", "upload"] + (["camera"] if camera else [])
    source = st.segmented_control(t("photo.source"), sources, format_func=labels("photo."),
                                  default="sample", required=True, key=f"{key}_source", persist_state="session")
    if source == "sample":
        if link:
            from ui import urlstate  # here: urlstate itself imports from ui, which imports this module

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
        if file is None:
            st.info(t(f"photo.{source}_hint"))
            return None
        loaded = _open_upload(f"{key}_{source}", file.getvalue())
        if isinstance(loaded, images.ImageError):
            st.error(explain(loaded), icon=":material/broken_image:")
            return None
        for code, params in loaded.notes:
            st.info(t(f"image_note.{code}", **params), icon=":material/info:")
        photo = loaded.image
    return images.fit(photo, longest) if longest else photo


def photo_source(key: str) -> str:
    """The path the learner would open in Python for the photo picked under ``key`` (for code snippets)."""
    source = st.session_state.get(f"{key}_source", "sample")
    if source == "sample":
        return f"assets/samples/{st.session_state.get(f'{key}_sample', images.samples()[0])}.jpg"
    upload = st.session_state.get(f"{key}_{source}")  # the upload, or the camera's shot
    return getattr(upload, "name", None) or "your_photo.jpg"
