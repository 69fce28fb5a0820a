"""``JobContext``: the :class:`~seascope.modules.TrainingContext` given to a job's runner."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path

from seascope.tracking import NullTracker, TrackedRun
from seascope.training.records import JobStatus
from seascope.training.store import JobStore, utc_now

__all__ = ["JobContext"]

_log = logging.getLogger("seascope.training")


class JobContext:
    """Reports a running job's metrics and progress into the job store.

    Args:
        store: Where the job's record lives.
        job_id: The job.
        directory: The job's folder (``output/`` and ``job.log`` live there).
        device: Device to train on.
        tracking: The job's experiment-tracking run; every metrics report is also sent
            there. Defaults to a run that tracks nothing.
    """

    def __init__(
        self,
        store: JobStore,
        job_id: str,
        directory: Path,
        device: str = "cpu",
        *,
        tracking: TrackedRun | None = None,
    ) -> None:
        self._store = store
        self._job_id = job_id
        self._directory = directory
        self._device = device
        self._tracking = tracking if tracking is not None else TrackedRun(NullTracker())
        self._last_check = 0.0
        self._stop = False

    @property
    def job_id(self) -> str:
        """The job's id."""
        return self._job_id

    @property
    def directory(self) -> Path:
        """The job's folder."""
        return self._directory

    @property
    def output_dir(self) -> Path:
        """Where the module writes its outputs (created on first use)."""
        path = self._directory / "output"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def device(self) -> str:
        """Device to train on."""
        return self._device

    @property
    def tracking(self) -> TrackedRun:
        """The job's tracking run (runners log parameters and tags through it)."""
        return self._tracking

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Append a metrics report (also written to the job log and the tracking run)."""
        values = {k: float(v) for k, v in metrics.items()}
        entry: dict[str, object] = dict(values)
        entry["step"] = step
        entry["time"] = utc_now().isoformat()
        self._store.add_metrics(self._job_id, entry)
        _log.info("metrics step=%s %s", step, {k: round(v, 5) for k, v in values.items()})
        self._tracking.log_metrics(values, step=step)

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        """Record how far the job has come."""
        self._store.set_progress(self._job_id, {"done": done, "total": total, "message": message})

    def should_stop(self) -> bool:
        """Whether the job was cancelled (checked in the store at most once a second)."""
        now = time.monotonic()
        if not self._stop and now - self._last_check >= 1.0:
            self._last_check = now
            self._stop = self._store.get(self._job_id).status is JobStatus.CANCELLED
        return self._stop
