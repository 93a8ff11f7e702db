"""A training worker for the app's Redis queue: trains one job at a time on this machine's GPU (or MPS, or CPU).

    JOBS_REDIS_URL=redis://:password@host:6379/0 python -m core.worker --device cuda --data-dir data --name lab-4090

Any number of workers may serve one Redis, on any machine (Linux, macOS,
Windows, a Colab notebook): RQ's SimpleWorker runs the job in this process, so
nothing forks and CUDA works. It runs only core.training.rqtask.train_job; a job
naming any other function is failed without being imported. While it trains it
beats every HEARTBEAT_S seconds; a worker killed mid-epoch stops beating, RQ's
started-job registry gives the job back to the queue after a few seconds, and
the next worker resumes it from its last committed epoch. RQ knows the worker
as ``--name`` with a short random suffix after "#", so a killed worker may be
started again at once under the same name.

The job trains in this process's main thread, where OpenMP's threads spin
while they wait for work by default. On a machine whose cores are shared (the
app, Redis, other workers) that spinning takes the CPU the training needs: a
run of the bundled sample cost 22.7 CPU-seconds in the main thread against 9.1
in another thread of the same process (docs/benchmarks.md). So the worker asks
OpenMP to sleep instead, before torch loads it, unless OMP_WAIT_POLICY is set.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402
from rq.job import Job  # noqa: E402
from rq.serializers import JSONSerializer  # noqa: E402
from rq.worker import WorkerStatus  # noqa: E402

from core.data.paths import data_root  # noqa: E402
from core.training import remote, rqtask, train  # noqa: E402

HEARTBEAT_S = 2
WORKER_TTL = 20          # an idle worker checks the queue's registries every WORKER_TTL - 15 s


class TrainingWorker(SimpleWorker):
    """RQ's SimpleWorker that beats while it trains, stops a run gracefully, and runs the training task only."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        self._stopped_job_id = None
        if job.func_name != remote.TASK:
            job.retries_left = 0
            job.meta["error"] = {"kind": remote.RemoteError.kind.value, "code": "refused",
                                 "params": {"setting": "function"}}
            job.save_meta()
            self.handle_job_failure(job, queue, exc_string=f"refused: {remote.TASK} is the only function run here")
            return
        execution = self.prepare_execution(job)
        ended = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, execution, ended), name="heartbeat", daemon=True)
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            ended.set()
            beat.join()
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, execution, ended: threading.Event) -> None:
        while not ended.wait(HEARTBEAT_S):
            try:
                self.maintain_heartbeats(job, execution)
            except Exception:   # Redis away for a moment: the next beat tries again
                self.log.warning("heartbeat failed", exc_info=True)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return 3 * HEARTBEAT_S

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        """RQ's heartbeat, and this worker's device beside it for the app's page (gone when the beats stop)."""
        super().heartbeat(timeout, pipeline)
        label = rqtask.WORKER.device_label if rqtask.WORKER else "?"
        (pipeline if pipeline is not None else self.connection).set(remote.WORKER_LABEL + self.name, label,
                                                                     ex=WORKER_TTL)

    def kill_horse(self, sig=None) -> None:
        """RQ's stop-job command: here there is no horse to kill; the run stops after its current step."""
        if rqtask.WORKER is not None:
            rqtask.WORKER.stop.set()


def device_label(device: str) -> str:
    """The device as the page names it: the GPU's own name, Apple MPS, or CPU."""
    import torch

    if device == "cuda":
        return torch.cuda.get_device_name(0)
    return {"mps": "Apple MPS"}.get(device, "CPU")


def connect(url: str | None = None) -> Redis:
    """Redis at url (default $JOBS_REDIS_URL), with short timeouts so a vanished server is noticed."""
    url = url or os.environ.get("JOBS_REDIS_URL")
    if not url:
        raise SystemExit("set JOBS_REDIS_URL (redis://:password@host:6379/0, or rediss:// for TLS)")
    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=30, health_check_interval=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    parser.add_argument("--data-dir", type=Path, help="where this worker's data sets are (default: $DATA_DIR or data/)")
    parser.add_argument("--name", default=socket.gethostname(), help="how the app names this worker")
    parser.add_argument("--burst", action="store_true", help="quit once the queue is empty")
    args = parser.parse_args(argv)
    train.configure_backends()
    device = train.pick_device(args.device).type
    connection = connect()
    rqtask.WORKER = rqtask.Worker(name=args.name, device=device, device_label=device_label(device),
                                  data_dir=(args.data_dir or data_root()).resolve(), caps=remote.caps_from_env())
    queue = Queue(remote.QUEUE, connection=connection, serializer=JSONSerializer)
    worker = TrainingWorker([queue], name=f"{args.name}#{uuid.uuid4().hex[:6]}", connection=connection,
                            serializer=JSONSerializer, worker_ttl=WORKER_TTL, maintenance_interval=HEARTBEAT_S * 3,
                            job_monitoring_interval=HEARTBEAT_S)
    print(f"worker {args.name} · {rqtask.WORKER.device_label}: waiting for training jobs", file=sys.stderr, flush=True)
    worker.work(burst=args.burst, logging_level="WARNING")


if __name__ == "__main__":
    main()
