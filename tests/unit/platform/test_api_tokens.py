"""API tokens: created once, stored hashed, verified, revoked, expired; secrets never leak."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from seascope.errors import InvalidInput
from seascope.platform import (
    ApiToken,
    AuthError,
    AuthFailure,
    Database,
    ResourceNotFound,
    TokenState,
    TokenStore,
)
from seascope.platform.api_tokens import hash_token


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: Database, clock: Clock) -> TokenStore:
    return TokenStore(database, clock=clock)


def test_created_tokens_verify_as_their_user(store: TokenStore) -> None:
    issued = store.create("laptop", subject="alice")
    assert issued.secret.startswith(f"ssc_{issued.info.id}_")
    assert len(issued.secret) >= 50
    owner = store.verify(issued.secret)
    assert (owner.subject, owner.issuer, owner.token_id) == ("alice", "seascope", issued.info.id)


def test_only_a_hash_is_stored(store: TokenStore, database: Database) -> None:
    issued = store.create("ci")
    with database.session() as session:
        row = session.get_one(ApiToken, issued.info.id)
        stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert row.secret_hash == hash_token(issued.secret) != issued.secret
    secret_part = issued.secret.rsplit("_", 1)[1]
    assert not any(secret_part in value for value in stored)
    assert secret_part not in repr(issued)


def test_each_token_is_unique(store: TokenStore) -> None:
    secrets = {store.create("same name").secret for _ in range(5)}
    assert len(secrets) == 5


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # wrong secret, real id
        lambda s: "ssc_000000000000_" + s.rsplit("_", 1)[1],  # unknown id
        lambda s: s.replace("ssc_", "xyz_"),
        lambda s: "ssc_",
        lambda s: "ssc_short_x",
        lambda s: "",
        lambda s: s + "extra",
    ],
    ids=[
        "wrong-secret",
        "unknown-id",
        "wrong-prefix",
        "prefix-only",
        "short-id",
        "empty",
        "longer",
    ],
)
def test_wrong_tokens_are_refused_alike(store: TokenStore, mangle: object) -> None:
    issued = store.create("t")
    assert callable(mangle)
    with pytest.raises(AuthError) as caught:
        store.verify(mangle(issued.secret))
    assert caught.value.reason is AuthFailure.UNKNOWN_TOKEN
    assert caught.value.message == "invalid API token"


def test_revoked_tokens_stop_working(store: TokenStore, clock: Clock) -> None:
    issued = store.create("t")
    info = store.revoke(issued.info.id)
    assert info.revoked_at == clock.now
    assert info.state(clock.now) is TokenState.REVOKED
    with pytest.raises(AuthError) as caught:
        store.verify(issued.secret)
    assert caught.value.reason is AuthFailure.REVOKED
    clock.now += timedelta(hours=1)
    assert store.revoke(issued.info.id).revoked_at == info.revoked_at  # revoking again: no-op


def test_revoking_an_unknown_token_is_not_found(store: TokenStore) -> None:
    with pytest.raises(ResourceNotFound, match="no API token with id 'nope'"):
        store.revoke("nope")


def test_tokens_expire(store: TokenStore, clock: Clock) -> None:
    issued = store.create("t", expires_in=timedelta(days=1))
    assert issued.info.expires_at == clock.now + timedelta(days=1)
    clock.now += timedelta(hours=23, minutes=59)
    store.verify(issued.secret)
    clock.now += timedelta(minutes=1)
    with pytest.raises(AuthError) as caught:
        store.verify(issued.secret)
    assert caught.value.reason is AuthFailure.EXPIRED
    assert store.list()[0].state(clock.now) is TokenState.EXPIRED


def test_last_use_is_recorded_at_most_once_a_minute(store: TokenStore, clock: Clock) -> None:
    issued = store.create("t")
    assert store.list()[0].last_used_at is None
    store.verify(issued.secret)
    first = clock.now
    clock.now += timedelta(seconds=30)
    store.verify(issued.secret)
    assert store.list()[0].last_used_at == first
    clock.now += timedelta(seconds=31)
    store.verify(issued.secret)
    assert store.list()[0].last_used_at == clock.now


def test_list_filters_by_user_and_shows_no_secrets(store: TokenStore) -> None:
    alice = store.create("a", subject="alice")
    store.create("b", subject="bob")
    listed = store.list(subject="alice")
    assert [info.id for info in listed] == [alice.info.id]
    assert len(store.list()) == 2
    assert alice.secret not in repr(listed)


@pytest.mark.parametrize(
    ("name", "subject", "expires_in"),
    [("", "local", None), ("x" * 101, "local", None), ("ok", " ", None), ("ok", "u", timedelta())],
)
def test_bad_requests_are_invalid_input(
    store: TokenStore, name: str, subject: str, expires_in: timedelta | None
) -> None:
    with pytest.raises(InvalidInput):
        store.create(name, subject=subject, expires_in=expires_in)


def test_secrets_never_reach_the_logs(
    database_url: str, caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    # Even with SQL echo on: the secret is never a bound parameter, only its hash is.
    database = Database(database_url, echo=True)
    try:
        from seascope.platform import upgrade_database

        upgrade_database(database)
        store = TokenStore(database, clock=clock)
        with caplog.at_level(logging.DEBUG):
            issued = store.create("t")
            store.verify(issued.secret)
            with pytest.raises(AuthError) as caught:
                store.verify(issued.secret + "x")
            store.revoke(issued.info.id)
            with pytest.raises(AuthError):
                store.verify(issued.secret)
        logged = caplog.text + "".join(str(record.args) for record in caplog.records)
        assert issued.info.id in logged  # the log does talk about the token ...
        secret_part = issued.secret.rsplit("_", 1)[1]
        assert secret_part not in logged  # ... but never shows its secret
        assert secret_part not in caught.value.message
        with database.session() as session:
            assert session.scalars(select(ApiToken.secret_hash)).one() != issued.secret
    finally:
        database.close()
