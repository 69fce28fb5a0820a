"""Database fixtures for the platform tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL needs ``SEASCOPE_TEST_POSTGRES_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); without it those cases skip, and
say why. Each test gets its own schema, dropped afterwards, so runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from seascope.platform import Database, upgrade_database
from seascope.platform.database import normalise_database_url

POSTGRES_ENV = "SEASCOPE_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL of the test run (skips when none is configured)."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: PostgreSQL cases need a server, e.g. "
            f"{POSTGRES_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    return url


@contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """A fresh schema on ``server_url``; yields a URL whose search_path is that schema."""
    schema = f"seascope_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = normalise_database_url(server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'home' / 'platform.sqlite'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated platform database (closed afterwards)."""
    opened = Database(database_url)
    upgrade_database(opened)
    try:
        yield opened
    finally:
        opened.close()
