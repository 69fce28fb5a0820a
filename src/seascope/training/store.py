"""``JobStore``: job records in a SQLite database (WAL), shared by the server and its workers.

Worker processes write their own progress and result into the same database, so a job's
outcome is recorded even when the server that started it has gone.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seascope.errors import JobNotFound
from seascope.training.records import JobRecord, JobStatus
from seascope.types import JsonValue

__all__ = ["JobStore", "utc_now"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    module TEXT NOT NULL,
    runner TEXT NOT NULL,
    owner TEXT NOT NULL,
    args TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    result TEXT,
    message TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '[]',
    directory TEXT NOT NULL,
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_module ON jobs (module, created_at);
"""


def utc_now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class JobStore:
    """Read and write job records.

    Every method opens its own short connection, so one store can be used from several
    threads and several processes at once.
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        database.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.database, timeout=30.0, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA busy_timeout=30000")
            yield connection
        finally:
            connection.close()

    def insert(self, record: JobRecord) -> None:
        """Store a new record."""
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO jobs (id, module, runner, owner, args, status, created_at, "
                "directory, progress, metrics, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.id,
                    record.module,
                    record.runner,
                    record.owner,
                    _dump(record.args),
                    record.status.value,
                    record.created_at.isoformat(),
                    str(record.directory),
                    _dump(record.progress),
                    _dump(record.metrics),
                    record.message,
                ),
            )

    def get(self, job_id: str) -> JobRecord:
        """The record of ``job_id`` (raises ``JobNotFound``)."""
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no training job {job_id!r}")
        return _record(row)

    def list(
        self, *, module: str | None = None, owner: str | None = None
    ) -> builtins.list[JobRecord]:
        """Records, newest first, optionally of one module and one owner."""
        query = "SELECT * FROM jobs WHERE 1=1"
        params: list[str] = []
        if module is not None:
            query += " AND module = ?"
            params.append(module)
        if owner is not None:
            query += " AND owner = ?"
            params.append(owner)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY created_at DESC", params).fetchall()
        return [_record(row) for row in rows]

    def list_active(self) -> builtins.list[JobRecord]:
        """Records still queued or running."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT * FROM jobs WHERE status IN (?, ?)",
                (JobStatus.QUEUED.value, JobStatus.RUNNING.value),
            ).fetchall()
        return [_record(row) for row in rows]

    def mark_running(self, job_id: str, pid: int) -> None:
        """Record that the worker ``pid`` started."""
        self._update(
            job_id,
            "status = ?, pid = ?, started_at = ?",
            (JobStatus.RUNNING.value, pid, utc_now().isoformat()),
            only_active=True,
        )

    def finish(
        self, job_id: str, status: JobStatus, *, message: str = "", result: JsonValue = None
    ) -> bool:
        """Move an active job to a final ``status``; returns False if it had finished already."""
        return self._update(
            job_id,
            "status = ?, message = ?, result = ?, finished_at = ?",
            (status.value, message, _dump(result), utc_now().isoformat()),
            only_active=True,
        )

    def reopen(self, job_id: str) -> bool:
        """Put a finished job back to ``queued`` (for a resume); False if it is active."""
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE jobs SET status = ?, message = '', finished_at = NULL, pid = NULL, "
                "result = NULL WHERE id = ? AND status NOT IN (?, ?)",
                (JobStatus.QUEUED.value, job_id, JobStatus.QUEUED.value, JobStatus.RUNNING.value),
            )
            return cursor.rowcount > 0

    def set_progress(self, job_id: str, progress: dict[str, JsonValue]) -> None:
        """Replace the job's last progress report."""
        self._update(job_id, "progress = ?", (_dump(progress),), only_active=True)

    def add_metrics(self, job_id: str, metrics: dict[str, JsonValue]) -> None:
        """Append one metrics report."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT metrics FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is not None:
                history = json.loads(row["metrics"])
                history.append(metrics)
                connection.execute(
                    "UPDATE jobs SET metrics = ? WHERE id = ?", (_dump(history), job_id)
                )
            connection.execute("COMMIT")

    def delete(self, job_id: str) -> None:
        """Remove the record."""
        with self._connect() as connection:
            connection.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def _update(
        self, job_id: str, assignments: str, values: tuple[Any, ...], *, only_active: bool
    ) -> bool:
        condition = "id = ?"
        params: list[Any] = [*values, job_id]
        if only_active:
            condition += " AND status IN (?, ?)"
            params += [JobStatus.QUEUED.value, JobStatus.RUNNING.value]
        with self._connect() as connection:
            cursor = connection.execute(f"UPDATE jobs SET {assignments} WHERE {condition}", params)  # noqa: S608 - fixed fragments
            return cursor.rowcount > 0


def _dump(value: JsonValue) -> str:
    return json.dumps(value, default=str)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: sqlite3.Row) -> JobRecord:
    created = _time(row["created_at"])
    assert created is not None
    return JobRecord(
        id=row["id"],
        module=row["module"],
        runner=row["runner"],
        owner=row["owner"],
        args=json.loads(row["args"]),
        status=JobStatus(row["status"]),
        created_at=created,
        started_at=_time(row["started_at"]),
        finished_at=_time(row["finished_at"]),
        result=json.loads(row["result"]) if row["result"] is not None else None,
        message=row["message"],
        progress=json.loads(row["progress"]),
        metrics=json.loads(row["metrics"]),
        directory=Path(row["directory"]),
        pid=row["pid"],
    )
