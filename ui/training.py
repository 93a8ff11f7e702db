"""The server's one training queue and who is asking: shared by the training page and the app's entry.

The queue lives once per server process (st.cache_resource). Creating it puts
back the runs that were training when the server last stopped, so the
entry creates it as soon as PyTorch is loaded: an interrupted run continues
after a restart whichever page the first visitor opens.
"""
from __future__ import annotations

import hashlib
import os

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.training import runs, train
from core.training.jobs import Registry
from ui.language import labels, t


@st.cache_resource(show_spinner=False)
def trainings() -> Registry:
    """A bounded queue in front of one trainer (configurable), with the interrupted runs put back in it.

    They resume where their last finished epoch left them, owned by whoever started them.
    """
    train.configure_backends()
    registry = Registry(max_running=int(os.environ.get("TRAIN_JOBS", 1)),
                        max_queued=int(os.environ.get("TRAIN_QUEUE", 8)))
    for run in runs.interrupted():
        owner = run.folder.state()["owner"]
        registry.submit(run.key, runs.training_work(run.as_config(), owner=owner), owner=owner)
    return registry


def me() -> str:
    """Who is asking: this browser (the token of its XSRF cookie, which survives a reload), else this session."""
    parts = st.context.cookies.get("_streamlit_xsrf", "").strip("\"'").split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
            return hashlib.sha1(token).hexdigest()[:16]
        except ValueError:
            pass
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "local"


def run_label(run: runs.Run) -> str:
    """A run as the pickers list it, in the learner's language: recipe, network, epochs done, settings, best accuracy."""
    c = run.config
    best = max((m["test_acc"] for m in run.metrics), default=0)
    subset = t("train.run_subset", n=c["subset"]) if c.get("subset") else ""
    return t("train.run_label", recipe=labels("train.recipe_")(c["recipe"]), arch=labels("arch.")(c["arch"]),
             done=len(run.metrics), epochs=c["epochs"], lr=c["lr"], batch_size=c["batch_size"], subset=subset,
             best=f"{best:.1%}")


def compare_picker(found: list[runs.Run], watched: str) -> list[runs.Run]:
    """The runs to overlay, picked by the learner: the run just watched first, each listed as it is now.

    A multiselect keeps what it shows as text in the browser, so a label that changes (an epoch finished) would
    stay as it was, and no longer match any option. The widget is therefore named after its labels: when one
    changes, a fresh widget is drawn with the current labels, holding the runs picked before (kept by key).
    """
    by_key = {r.key: r for r in found}
    names = {key: run_label(run) for key, run in by_key.items()}
    state = st.session_state
    if watched in by_key and state.get("train_compare_for") != watched:   # once it has an epoch to draw
        state["train_compare_for"] = watched
        state["train_compare_keys"] = [watched, *(k for k in state.get("train_compare_keys", []) if k != watched)]
    kept = [k for k in state.get("train_compare_keys", list(by_key)[:1]) if k in by_key]
    version = hashlib.sha1("\n".join(f"{k} {v}" for k, v in names.items()).encode()).hexdigest()[:10]
    chosen = st.multiselect(t("train.compare"), list(by_key), default=kept, format_func=names.get,
                            key=f"train_compare_{version}")
    state["train_compare_keys"] = chosen
    return [by_key[k] for k in chosen]
