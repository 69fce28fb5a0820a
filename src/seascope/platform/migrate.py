"""Run the platform's Alembic migrations from Python (no ``alembic.ini`` needed)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from seascope.platform.database import Database
from seascope.platform.errors import DatabaseError

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "current_revision",
    "downgrade_database",
    "head_revision",
    "upgrade_database",
]

MIGRATIONS = Path(__file__).with_name("migrations")
"""The folder holding ``env.py`` and ``versions/``."""

_log = logging.getLogger("seascope.platform.migrate")


def alembic_config() -> Config:
    """Alembic's configuration for the shipped revisions (no ``alembic.ini`` needed).

    Pass the connection to migrate in ``config.attributes["connection"]``; the URL stays
    out of the ini options, where a ``%`` in a password would break ConfigParser.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of seascope.

    Example:
        >>> head_revision()
        '0002'
    """
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one revision"
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or ``None`` for an empty database.

    Raises:
        DatabaseError: the database cannot be reached.
    """
    try:
        with database.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot read {database.display_url}: {_reason(exc)}") from exc


def upgrade_database(url: str | Database, *, revision: str = "head") -> str:
    """Bring the database at ``url`` up to ``revision`` (creating every table when empty).

    Safe to run again: a database already at the revision is left alone.

    Args:
        url: A database URL, or an open :class:`Database` (left open).
        revision: The target revision (default: the newest).

    Returns:
        The revision the database is at afterwards.

    Raises:
        ConfigError: the URL is unusable.
        DatabaseError: the database cannot be reached or a migration fails.
    """
    return _migrate(url, revision, upgrade=True)


def downgrade_database(url: str | Database, *, revision: str) -> str:
    """Take the database at ``url`` back to ``revision`` (``"base"``: drop every table).

    Returns:
        The revision the database is at afterwards (``""`` at base).

    Raises:
        ConfigError: the URL is unusable.
        DatabaseError: the database cannot be reached or a migration fails.
    """
    return _migrate(url, revision, upgrade=False)


def _migrate(url: str | Database, revision: str, *, upgrade: bool) -> str:
    database = url if isinstance(url, Database) else Database(url)
    try:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.upgrade if upgrade else command.downgrade)(config, revision)
        reached = current_revision(database) or ""
    except CommandError as exc:
        raise DatabaseError(f"cannot migrate {database.display_url}: {exc}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot migrate {database.display_url}: {_reason(exc)}") from exc
    finally:
        if not isinstance(url, Database):
            database.close()
    _log.info("platform database %s is at revision %s", database.display_url, reached or "base")
    return reached


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line, without SQLAlchemy's statement dump and help link."""
    origin = getattr(exc, "orig", None)
    text = str(origin if origin is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
