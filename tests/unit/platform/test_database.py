"""The platform database: migrations, schema agreement, SQLite pragmas, timestamps, URLs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from seascope.errors import ConfigError
from seascope.platform import (
    Base,
    Database,
    DatabaseError,
    Deployment,
    DeploymentStatus,
    Try,
    User,
    current_revision,
    default_database_url,
    downgrade_database,
    head_revision,
    redact_database_url,
    upgrade_database,
)
from seascope.platform.database import normalise_database_url
from tests.unit.tracking.conftest import closed_port_url

TABLES = {"users", "api_tokens", "deployments", "tries", "alembic_version"}


def test_migrations_create_every_table_from_empty(database_url: str) -> None:
    database = Database(database_url)
    try:
        assert current_revision(database) is None
        assert upgrade_database(database_url) == head_revision()
        assert current_revision(database) == head_revision()
        assert set(inspect(database.engine).get_table_names()) >= TABLES
        assert upgrade_database(database_url) == head_revision()  # again: nothing to do
    finally:
        database.close()


def test_the_tables_match_the_migrations(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_go_down_and_up_again(database: Database) -> None:
    assert downgrade_database(database, revision="base") == ""
    assert current_revision(database) is None
    assert "users" not in inspect(database.engine).get_table_names()
    upgrade_database(database)
    assert current_revision(database) == head_revision()


def _user(database: Database) -> int:
    with database.session() as session:
        user = User(subject="alice", issuer="https://idp")
        session.add(user)
        session.flush()
        return user.id


def test_deployments_and_tries_round_trip(database: Database) -> None:
    owner = _user(database)
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    with database.session() as session:
        deployment = Deployment(owner_id=owner, module="classifier", resources={"cpu": 2})
        trial = Try(owner_id=owner, module="classifier", expires_at=expires)
        session.add_all([deployment, trial])
    with database.session() as session:
        loaded = session.get_one(Deployment, deployment.id)
        assert isinstance(loaded.id, uuid.UUID)
        assert loaded.status is DeploymentStatus.QUEUED
        assert loaded.resources == {"cpu": 2}
        assert loaded.created_at.tzinfo is not None
        loaded.status = DeploymentStatus.RUNNING
    with database.session() as session:
        assert session.get_one(Deployment, deployment.id).status is DeploymentStatus.RUNNING
        assert session.get_one(Try, trial.id).expires_at == expires


def test_timestamps_come_back_as_aware_utc(database: Database) -> None:
    created = datetime(2025, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    with database.session() as session:
        session.add(User(subject="bob", issuer="i", created_at=created))
    with database.session() as session:
        stored = session.scalars(select(User.created_at).where(User.subject == "bob")).one()
    assert stored == created
    assert stored.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), database.session() as session:
        session.add(User(subject="c", issuer="i", created_at=datetime(2025, 1, 1)))  # noqa: DTZ001


def test_foreign_keys_and_status_values_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(Deployment(owner_id=999, module="m"))
    owner = _user(database)
    with pytest.raises(IntegrityError), database.session() as session:
        session.execute(
            text(
                "INSERT INTO deployments (id, owner_id, module, status, resources, created_at,"
                " updated_at) VALUES (:id, :owner, 'm', 'exploded', '{}', :now, :now)"
            ),
            {"id": uuid.uuid4().hex, "owner": owner, "now": datetime.now(UTC)},
        )


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/deep/er/platform.sqlite")
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        database.close()


def test_postgres_urls_use_psycopg_3() -> None:
    for url in ("postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg2://u@h/db"):
        assert normalise_database_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "oracle+cx://h"])
def test_other_databases_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        Database(url)


def test_passwords_never_show() -> None:
    database = Database("postgresql://user:s3cret@db.example.org/seascope")
    assert "s3cret" not in database.display_url
    assert "s3cret" not in repr(database)
    assert "s3cret" not in redact_database_url("postgresql://user:s3cret@h/x")
    database.close()


def test_an_unreachable_server_is_a_database_error_with_no_password() -> None:
    port = closed_port_url().rsplit(":", 1)[1]
    url = f"postgresql+psycopg://user:s3cret@127.0.0.1:{port}/x?connect_timeout=2"
    with pytest.raises(DatabaseError, match="cannot migrate") as caught:
        upgrade_database(url)
    assert "s3cret" not in caught.value.message


def test_default_url_is_a_sqlite_file_in_the_home(tmp_path: Path) -> None:
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path}/platform.sqlite"
