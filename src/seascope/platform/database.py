"""``Database``: the engine and session factory of the platform database.

SQLite (the default, one file in the seascope home) or PostgreSQL (shared installs,
through psycopg 3). Built by composition roots and passed down; there is no global engine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from seascope.errors import ConfigError

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "Database",
    "default_database_url",
    "normalise_database_url",
    "redact_database_url",
]

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite writer waits for another one before failing ('database is locked')."""

_POSTGRES_ALIASES = ("postgres", "postgresql", "postgresql+psycopg2")


def default_database_url(home: Path) -> str:
    """``sqlite:///<home>/platform.sqlite``: the database of a one-machine install.

    Example:
        >>> default_database_url(Path("/srv/seascope"))
        'sqlite:////srv/seascope/platform.sqlite'
    """
    return f"sqlite:///{home / 'platform.sqlite'}"


def normalise_database_url(url: str) -> URL:
    """Parse ``url``; ``postgres://`` and ``postgresql://`` use psycopg 3.

    Raises:
        ConfigError: not a database URL, or neither SQLite nor PostgreSQL.

    Example:
        >>> normalise_database_url("postgresql://u@db/seascope").drivername
        'postgresql+psycopg'
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {redact_database_url(url)!r}") from exc
    if parsed.drivername in _POSTGRES_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/NAME"
        )
    return parsed


def redact_database_url(url: str | URL) -> str:
    """``url`` with its password hidden, safe to print and log."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Foreign keys on, WAL for concurrent readers, and a busy timeout for writers."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:  # a file, not memory
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


class Database:
    """The platform database: an engine and its session factory.

    Args:
        url: ``sqlite:///PATH`` or ``postgresql+psycopg://USER:PASSWORD@HOST/NAME``.
        echo: Log every SQL statement (``sqlalchemy.engine`` logger).

    Raises:
        ConfigError: the URL is unusable or its driver is not installed.

    Example:
        >>> from sqlalchemy import text
        >>> database = Database("sqlite://")
        >>> with database.session() as session:
        ...     session.execute(text("SELECT 1")).scalar_one()
        1
        >>> database.close()
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_database_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, ""):
            database_path = self.url.database
            if database_path != ":memory:" and not database_path.startswith("file:"):
                Path(database_path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(self.url, echo=echo, pool_pre_ping=True)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise ConfigError(
                f"no driver for {self.display_url}: install 'psycopg[binary]' for PostgreSQL"
            ) from exc
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        """The URL with its password hidden."""
        return redact_database_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (or in memory)."""
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back when it raises."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"
