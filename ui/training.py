"""The server's one training queue and who is asking: shared by the training page and the app's entry.

The queue lives once per server process (st.cache_resource). Creating it puts
back the runs that were training when the server last stopped, so the
entry creates it as soon as PyTorch is loaded: an interrupted run continues
after a restart whichever page the first visitor opens.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.data.discovery import Found
from core.training import remote, runs, train
from core.training.jobs import Job, Registry
from ui.language import labels, t

if TYPE_CHECKING:   # rq and redis are imported only by a server that uses them
    from core.training.rqjobs import RemoteJob, RemoteTrainings

WORKER_COMMAND = "JOBS_REDIS_URL=… python -m core.worker --device cuda --name lab-gpu"


def redis_url() -> str | None:
    """$JOBS_REDIS_URL, else the same name in Streamlit's secrets (Community Cloud); None: the embedded queue."""
    if os.environ.get("JOBS_REDIS_URL"):
        return os.environ["JOBS_REDIS_URL"]
    try:
        return st.secrets.get("JOBS_REDIS_URL") or None
    except Exception:   # no secrets file at all: Streamlit raises rather than answering "not set"
        return None


@st.cache_resource(show_spinner=False)
def trainings() -> Registry | RemoteTrainings:
    """The server's training queue: RQ on Redis where JOBS_REDIS_URL is set (created without touching the network,
    so a Redis that does not answer slows no page), else a bounded queue in front of one trainer (configurable),
    with the interrupted runs put back in it.

    They resume where their last finished epoch left them, owned by whoever started them.
    """
    train.configure_backends()
    max_queued = int(os.environ.get("TRAIN_QUEUE", 8))
    url = redis_url()
    if url:
        from core.training.rqjobs import RemoteTrainings

        backend = RemoteTrainings(url, max_queued=max_queued)
        backend.mirror.start()
        return backend
    registry = Registry(max_running=int(os.environ.get("TRAIN_JOBS", 1)), max_queued=max_queued)
    for run in runs.interrupted():
        owner = run.folder.state().owner
        registry.submit(run.key, runs.training_work(run.settings, owner=owner), owner=owner)
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
    c = run.settings
    best = max((m.test_acc for m in run.metrics), default=0)
    subset = t("train.run_subset", n=c.subset) if c.subset else ""
    label = t("train.run_label", recipe=labels("train.recipe_")(c.recipe), arch=labels("arch.")(c.arch),
              done=len(run.metrics), epochs=c.epochs, lr=c.lr, batch_size=c.batch_size, subset=subset,
              best=f"{best:.1%}")
    if run.config.worker is not None:   # trained by a queue's worker
        return f"{label} · {t('jobs_redis.run_where', worker=run.config.worker, device=run.config.device_label)}"
    return label


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



def job_key(config: train.Config, found: Found) -> str:
    """The job's key and run folder's name under the queue in use (on Redis the same on every app server)."""
    return config.key() if isinstance(trainings(), Registry) else remote.key(remote.request(config, found.id))


def submit(config: train.Config, found: Found) -> None:
    """Queue a training run for this browser (QueueFull when the queue is full), on whichever queue is in use."""
    backend = trainings()
    if isinstance(backend, Registry):
        backend.submit(config.key(), runs.training_work(config, owner=me()), owner=me(),
                       estimate=runs.estimate_seconds(config))
    else:
        backend.submit(remote.request(config, found.id), owner=me(),
                       estimate=runs.estimate_seconds(replace(config, data=found.id)))


def where(job: Job | RemoteJob) -> str:
    """Where a job trains, in words: "GPU worker lab-4090 · NVIDIA GeForce RTX 4090", "this server · CPU"."""
    if not isinstance(job, Job):
        if job.worker is None:
            return t("jobs_redis.where_unassigned")
        return t("jobs_redis.where_gpu_worker" if job.device not in ("CPU", "Apple MPS") else "jobs_redis.where_worker",
                 worker=job.worker, device=job.device)
    device = train.pick_device("auto")
    if device.type == "cuda":
        import torch

        return t("jobs_redis.where_here", device=torch.cuda.get_device_name(0))
    return t("jobs_redis.where_here", device="Apple MPS" if device.type == "mps" else "CPU")


def queue_note() -> bool:
    """On Redis, one line on what trains the runs (the workers connected), or that Redis does not answer.

    Returns False on the embedded queue, where the page names this server's device instead.
    """
    backend = trainings()
    if isinstance(backend, Registry):
        return False
    if not backend.reachable():
        st.warning(t("jobs_redis.unreachable"), icon=":material/cloud_off:")
        return True
    workers = backend.workers()
    if workers:
        names = ", ".join(f"{w.name} · {w.device}" for w in workers)
        st.info(t("jobs_redis.workers", count=len(workers), names=names), icon=":material/dns:")
    else:
        st.warning(t("jobs_redis.no_workers", command=WORKER_COMMAND), icon=":material/dns:")
    return True


def reachable() -> bool:
    """True on the embedded queue or when Redis answers (asked at most every few seconds)."""
    backend = trainings()
    return isinstance(backend, Registry) or backend.reachable()


def no_worker_note() -> None:
    """A queued job on Redis with no worker connected: say so, with the command that starts one."""
    backend = trainings()
    if isinstance(backend, Registry):
        return
    from redis import RedisError

    try:
        if not backend.workers():
            st.caption(t("jobs_redis.no_worker_queued", command=WORKER_COMMAND))
    except RedisError:
        pass
