"""``JobManager``: background training jobs in supervised worker processes.

Each job runs in its own process group (``python -m seascope.training.worker``), so a
cancel stops the job and anything it started, and a crash of one job touches nothing
else. Records live in SQLite; when the platform restarts, jobs whose worker still runs
are watched again and jobs whose worker is gone are marked ``interrupted``.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from seascope.errors import JobNotFound, JobStateError
from seascope.training.environment import TRACKING_URI_VARIABLE
from seascope.training.records import JobRecord, JobStatus
from seascope.training.store import JobStore, utc_now
from seascope.types import JsonValue

__all__ = ["JobManager"]

_KILL_GRACE_SECONDS = 5.0
_RESUMABLE = frozenset({JobStatus.INTERRUPTED, JobStatus.ERROR, JobStatus.CANCELLED})


class JobManager:
    """Start, watch, list and cancel training jobs.

    Args:
        database: SQLite file of the job records.
        jobs_dir: Folder that gets one sub-folder per job.
        device: Device handed to runners.
        python: Interpreter for worker processes.
        tracking_uri: Where workers track runs (``None``: the environment's
            ``SEASCOPE_TRACKING_URI``, else MLflow embedded next to the database).
    """

    def __init__(
        self,
        *,
        database: Path,
        jobs_dir: Path,
        device: str = "cpu",
        python: str = sys.executable,
        tracking_uri: str | None = None,
    ) -> None:
        self.store = JobStore(database)
        self.jobs_dir = jobs_dir
        self.device = device
        self._python = python
        self.tracking_uri = tracking_uri
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.recover()

    def submit(
        self,
        *,
        module: str,
        runner: str,
        args: dict[str, JsonValue],
        owner: str = "local",
    ) -> JobRecord:
        """Record a job and start its worker; returns the record (status ``running``)."""
        job_id = uuid.uuid4().hex
        directory = self.jobs_dir / job_id
        directory.mkdir(parents=True, exist_ok=True)
        record = JobRecord(
            id=job_id,
            module=module,
            runner=runner,
            owner=owner,
            args=args,
            status=JobStatus.QUEUED,
            created_at=utc_now(),
            directory=directory,
        )
        self.store.insert(record)
        return self._start(record)

    def resume(self, job_id: str, *, owner: str | None = None) -> JobRecord:
        """Run an ``interrupted``, failed or cancelled job again, in the same folder.

        The job keeps its id, arguments, metrics history and output folder, so a module
        that checkpoints there (the ``classifier`` does, every epoch) continues from its
        last checkpoint instead of starting over.

        Raises:
            JobNotFound: no such job (or not the caller's).
            JobStateError: the job is still running or finished successfully.
        """
        record = self.get(job_id, owner=owner)
        if record.status not in _RESUMABLE:
            raise JobStateError(
                f"job {job_id} is {record.status.value}; only interrupted, failed or "
                "cancelled jobs can be resumed"
            )
        if not self.store.reopen(job_id):
            raise JobStateError(f"job {job_id} changed state meanwhile; try again")
        return self._start(self.store.get(job_id))

    def _start(self, record: JobRecord) -> JobRecord:
        job_id, directory = record.id, record.directory
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.tracking_uri is not None:
            env[TRACKING_URI_VARIABLE] = self.tracking_uri
        with (directory / "job.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    self._python,
                    "-m",
                    "seascope.training.worker",
                    str(self.store.database),
                    job_id,
                    self.device,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        self.store.mark_running(job_id, process.pid)
        with self._lock:
            self._processes[job_id] = process
        threading.Thread(
            target=self._supervise, args=(job_id, process), name=f"job-{job_id[:8]}", daemon=True
        ).start()
        return self.store.get(job_id)

    def get(self, job_id: str, *, owner: str | None = None) -> JobRecord:
        """The record of ``job_id``; other owners' jobs are reported as not found."""
        record = self.store.get(job_id)
        if owner is not None and record.owner != owner:
            raise JobNotFound(f"no training job {job_id!r}")
        return record

    def list(
        self, *, module: str | None = None, owner: str | None = None
    ) -> builtins.list[JobRecord]:
        """Records, newest first."""
        return self.store.list(module=module, owner=owner)

    def cancel(self, job_id: str, *, owner: str | None = None) -> JobRecord:
        """Stop a job; a finished job is returned unchanged."""
        record = self.get(job_id, owner=owner)
        if record.is_finished:
            return record
        self.store.finish(job_id, JobStatus.CANCELLED, message="cancelled on request")
        if record.pid is not None:
            _stop_process_group(record.pid, self._processes.get(job_id))
        return self.store.get(job_id)

    def delete(self, job_id: str, *, owner: str | None = None) -> None:
        """Cancel if needed, then forget the record (its folder stays on disk)."""
        self.cancel(job_id, owner=owner)
        self.store.delete(job_id)

    def wait(self, job_id: str, *, timeout: float = 60.0) -> JobRecord:
        """Block until the job finishes (or ``timeout`` seconds pass); returns its record."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.store.get(job_id)
            if record.is_finished or time.monotonic() >= deadline:
                return record
            time.sleep(0.05)

    def recover(self) -> builtins.list[JobRecord]:
        """Mark active jobs whose worker is gone as ``interrupted``; watch the others."""
        interrupted: builtins.list[JobRecord] = []
        for record in self.store.list_active():
            if record.id in self._processes:
                continue
            if record.pid is not None and _is_worker(record.pid, record.id):
                threading.Thread(
                    target=self._watch_orphan, args=(record.id, record.pid), daemon=True
                ).start()
                continue
            self.store.finish(
                record.id,
                JobStatus.INTERRUPTED,
                message="interrupted: the platform stopped while this job was running",
            )
            interrupted.append(self.store.get(record.id))
        return interrupted

    def close(self, *, cancel_running: bool = False) -> None:
        """Stop supervising; with ``cancel_running`` also stop every running job."""
        self._closed.set()
        if cancel_running:
            with self._lock:
                running = list(self._processes)
            for job_id in running:
                with contextlib.suppress(JobNotFound):
                    self.cancel(job_id)

    def _supervise(self, job_id: str, process: subprocess.Popen[bytes]) -> None:
        code = process.wait()
        with self._lock:
            self._processes.pop(job_id, None)
        if code != 0:
            self.store.finish(
                job_id,
                JobStatus.ERROR,
                message=f"the training process exited with code {code} without a result "
                f"(see {self.jobs_dir / job_id / 'job.log'})",
            )

    def _watch_orphan(self, job_id: str, pid: int) -> None:
        while not self._closed.is_set() and _is_worker(pid, job_id):
            time.sleep(1.0)
        if not self._closed.is_set():
            self.store.finish(
                job_id, JobStatus.ERROR, message="the training process ended without a result"
            )


def _is_worker(pid: int, job_id: str) -> bool:
    """Whether ``pid`` is alive and is the worker of ``job_id`` (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return False
    return job_id.encode() in cmdline


def _stop_process_group(pid: int, process: subprocess.Popen[bytes] | None) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + _KILL_GRACE_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return
        if process is None and not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
