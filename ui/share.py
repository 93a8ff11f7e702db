"""Sharing a view: a button that copies the page's address, every setting in it (``ui.urlstate`` puts them there),
so a teacher's link opens the same view for a student."""
import streamlit as st

from ui.language import t

_COPY = """
<button class="copy-link" type="button" title="{help}"
  style="border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:.25rem .75rem;background:transparent;
         cursor:pointer;font:inherit;color:inherit">
  <span>{label}</span></button>
<script>
(() => {{
  const buttons = document.querySelectorAll("button.copy-link");
  const button = buttons[buttons.length - 1];
  if (button.dataset.ready) return;  // a rerun may run this again: one listener is enough
  button.dataset.ready = "1";
  button.addEventListener("click", async () => {{
    const url = window.location.href;
    try {{ await navigator.clipboard.writeText(url); }}
    catch (e) {{  // http:// on a school server has no navigator.clipboard: the old way still works there
      const area = document.createElement("textarea");
      area.value = url; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove();
    }}
    const text = button.querySelector("span");
    text.textContent = "✓ {done}";
    setTimeout(() => {{ text.textContent = "{label}"; }}, 2000);
  }});
}})();
</script>
"""


def copy_link(where=st) -> None:
    """A button that copies this page's address, every setting included (Streamlit has no clipboard API)."""
    where.html(_COPY.format(label=t("url.copy"), done=t("url.copied"), help=t("url.copy_help")),
               unsafe_allow_javascript=True, width="content")
