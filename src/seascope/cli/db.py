"""``seascope db upgrade | current``: the platform database (users, tokens, deployments).

The database is ``--database-url`` / ``SEASCOPE_DATABASE_URL``, by default
``sqlite:///<home>/platform.sqlite``. The platform packages (SQLAlchemy, Alembic) are
imported when a command runs, so ``seascope --help`` works without them.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING, Annotated

import typer

from seascope.cli.config import load_settings
from seascope.cli.failures import SeascopeCommand
from seascope.errors import ConfigError

if TYPE_CHECKING:
    from seascope.platform import Database

__all__ = [
    "DatabaseUrlOption",
    "build_db_app",
    "open_database",
    "require_platform",
    "resolve_database_url",
]

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SEASCOPE_DATABASE_URL",
        show_envvar=True,
        help="sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME "
        "(default: sqlite:///<home>/platform.sqlite).",
    ),
]

_PLATFORM_PACKAGES = ("sqlalchemy", "alembic", "jwt")


def require_platform() -> None:
    """Check that the platform's packages are installed.

    Raises:
        ConfigError: one is missing, with the command that installs it.
    """
    missing = [name for name in _PLATFORM_PACKAGES if find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"this command needs {', '.join(missing)}: pip install 'seascope[platform]'"
        )


def resolve_database_url(given: str | None) -> str:
    """``given``, else the default SQLite file in the seascope home."""
    if given:
        return given
    require_platform()
    from seascope.platform import default_database_url

    return default_database_url(load_settings().home)


def open_database(given: str | None, *, migrate: bool = True) -> Database:
    """The platform database, brought up to date first unless ``migrate`` is false.

    Raises:
        ConfigError: the platform packages are missing or the URL is unusable.
        DatabaseError: the database cannot be reached or migrated.
    """
    require_platform()
    from seascope.platform import Database, upgrade_database

    database = Database(resolve_database_url(given))
    if migrate:
        upgrade_database(database)
    return database


def upgrade(
    database_url: DatabaseUrlOption = None,
    revision: Annotated[
        str, typer.Option("--revision", help="Target revision (default: the newest).")
    ] = "head",
) -> None:
    """Create or update the platform database's tables (safe to run again)."""
    from seascope.platform import upgrade_database

    database = open_database(database_url, migrate=False)
    try:
        reached = upgrade_database(database, revision=revision)
        typer.echo(f"{database.display_url}: at revision {reached}")
    finally:
        database.close()


def current(database_url: DatabaseUrlOption = None) -> None:
    """Show the database's revision and the newest one this seascope ships."""
    from seascope.platform import current_revision, head_revision

    database = open_database(database_url, migrate=False)
    try:
        revision = current_revision(database)
    finally:
        database.close()
    head = head_revision()
    if revision is None:
        typer.echo(f"{database.display_url}: empty (run 'seascope db upgrade'); newest {head}")
    elif revision == head:
        typer.echo(f"{database.display_url}: at revision {revision} (up to date)")
    else:
        typer.echo(
            f"{database.display_url}: at revision {revision}; newest {head} "
            "(run 'seascope db upgrade')"
        )


def build_db_app() -> typer.Typer:
    """The ``seascope db`` command group."""
    app = typer.Typer(
        help="The platform database: users, API tokens, deployments.", no_args_is_help=True
    )
    app.command("upgrade", cls=SeascopeCommand)(upgrade)
    app.command("current", cls=SeascopeCommand)(current)
    return app
