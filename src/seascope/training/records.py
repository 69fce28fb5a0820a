"""Job records: what is persisted about each background training job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from seascope.types import JsonValue

__all__ = ["FINISHED", "JobRecord", "JobStatus"]


class JobStatus(StrEnum):
    """Life cycle of a job.

    ``queued`` → ``running`` → one of ``done``, ``error``, ``cancelled``, ``interrupted``.
    ``interrupted`` means the platform stopped while the job ran; it can be resumed.
    """

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


FINISHED = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED, JobStatus.INTERRUPTED})


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as stored.

    Attributes:
        id: ``uuid4().hex`` (32 hex characters, DEEPaaS's format).
        module: Name of the module it trains.
        runner: ``"package.module:function"`` run by the worker process.
        owner: Who submitted it.
        args: The parsed arguments, as JSON.
        status: Where it is in its life cycle.
        created_at / started_at / finished_at: UTC times.
        result: What the runner returned (JSON), once done.
        message: Error or cancellation message.
        progress: Last progress report (``done``, ``total``, ``message``).
        metrics: Every metrics report, oldest first (each has ``step`` and ``time``).
        directory: Folder with the job's log and outputs.
        pid: Worker process id while it runs.
    """

    id: str
    module: str
    runner: str
    owner: str
    args: dict[str, JsonValue]
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: JsonValue = None
    message: str = ""
    progress: dict[str, JsonValue] = field(default_factory=dict)
    metrics: list[dict[str, JsonValue]] = field(default_factory=list)
    directory: Path = Path()
    pid: int | None = None

    @property
    def log_path(self) -> Path:
        """The worker's combined stdout/stderr log."""
        return self.directory / "job.log"

    @property
    def output_dir(self) -> Path:
        """Where the module writes its outputs."""
        return self.directory / "output"

    @property
    def is_finished(self) -> bool:
        """Whether the job reached a final status."""
        return self.status in FINISHED
