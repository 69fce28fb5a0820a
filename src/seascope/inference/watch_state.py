"""What the watcher has done, in a small SQLite file: exactly once per file version.

A file is identified by its name *and* its content hash, so a file replaced by new
content is processed again, and a file seen again unchanged is not. To avoid reading
every file on every poll, the hash of each name is cached with the file's version
(size and modification time, or a remote ETag): an unchanged version is not read again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from seascope.errors import ConfigError

__all__ = ["FileRecord", "WatchState"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'gave_up')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at REAL NOT NULL DEFAULT 0,
    output TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (name, sha256)
);
"""


@dataclass(frozen=True, slots=True)
class FileRecord:
    """The watcher's record of one file version.

    Attributes:
        name: The file's name relative to the watched folder.
        sha256: Its content hash.
        status: ``done``, ``failed`` (will be retried) or ``gave_up``.
        attempts: Attempts so far.
        last_error: The last failure.
        next_attempt_at: When a failed file may be retried (epoch seconds).
        output: Where its output was written.
    """

    name: str
    sha256: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: float
    output: str


class WatchState:
    """The watcher's SQLite state file (created when missing).

    Args:
        database: The SQLite file.

    Raises:
        ConfigError: the file cannot be opened (its folder is missing or read-only).
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        try:
            # The watcher may be built in one thread and run in another; it is only ever
            # used by one thread at a time.
            self._connection = sqlite3.connect(
                database, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the watch state {database}: {exc}") from exc

    def close(self) -> None:
        """Close the database."""
        self._connection.close()

    def cached_hash(self, name: str, version: str) -> str | None:
        """The content hash of ``name`` when it was last read at this ``version``."""
        row = self._connection.execute(
            "SELECT sha256 FROM versions WHERE name = ? AND version = ?", (name, version)
        ).fetchone()
        return str(row[0]) if row else None

    def cache_hash(self, name: str, version: str, sha256: str) -> None:
        """Remember the content hash of ``name`` at ``version``."""
        self._connection.execute(
            "INSERT INTO versions (name, version, sha256) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET version = excluded.version, "
            "sha256 = excluded.sha256",
            (name, version, sha256),
        )

    def record(self, name: str, sha256: str) -> FileRecord | None:
        """The record of this file version, or ``None`` if it was never processed."""
        row = self._connection.execute(
            "SELECT name, sha256, status, attempts, last_error, next_attempt_at, output "
            "FROM files WHERE name = ? AND sha256 = ?",
            (name, sha256),
        ).fetchone()
        return FileRecord(*row) if row else None

    def mark_done(self, name: str, sha256: str, *, output: str) -> None:
        """This version was processed and its output written."""
        self._upsert(name, sha256, status="done", error="", next_attempt_at=0.0, output=output)

    def mark_failed(
        self, name: str, sha256: str, *, error: str, retry_at: float | None, output: str = ""
    ) -> FileRecord:
        """Count a failed attempt; ``retry_at=None`` gives up on this version.

        Returns:
            The updated record.
        """
        self._upsert(
            name,
            sha256,
            status="failed" if retry_at is not None else "gave_up",
            error=error,
            next_attempt_at=retry_at or 0.0,
            output=output,
        )
        record = self.record(name, sha256)
        assert record is not None  # noqa: S101 - written just above
        return record

    def attempts(self, name: str, sha256: str) -> int:
        """Failed attempts on this version so far."""
        record = self.record(name, sha256)
        return record.attempts if record else 0

    def records(self, status: str | None = None) -> list[FileRecord]:
        """Every record (or those with ``status``), oldest name first."""
        query = (
            "SELECT name, sha256, status, attempts, last_error, next_attempt_at, output FROM files"
        )
        rows = (
            self._connection.execute(query + " WHERE status = ? ORDER BY name", (status,))
            if status
            else self._connection.execute(query + " ORDER BY name")
        ).fetchall()
        return [FileRecord(*row) for row in rows]

    def _upsert(
        self,
        name: str,
        sha256: str,
        *,
        status: str,
        error: str,
        next_attempt_at: float,
        output: str,
    ) -> None:
        failed = 1 if status != "done" else 0
        self._connection.execute(
            "INSERT INTO files (name, sha256, status, attempts, last_error, next_attempt_at, "
            "output, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name, sha256) DO UPDATE SET status = excluded.status, "
            "attempts = files.attempts + ?, last_error = excluded.last_error, "
            "next_attempt_at = excluded.next_attempt_at, output = excluded.output, "
            "updated_at = excluded.updated_at",
            (
                name,
                sha256,
                status,
                failed,
                error,
                next_attempt_at,
                output,
                datetime.now(UTC).isoformat(timespec="seconds"),
                failed,
            ),
        )
