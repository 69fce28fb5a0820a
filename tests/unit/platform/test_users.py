"""The users table: one row per (issuer, subject), kept in step with the identity provider."""

from __future__ import annotations

import threading

from seascope.platform import Database, UserStore


def test_ensure_creates_once_and_follows_name_changes(database: Database) -> None:
    users = UserStore(database)
    first = users.ensure(subject="alice", issuer="https://idp", name="Alice", email="a@x.org")
    again = users.ensure(subject="alice", issuer="https://idp", name="Alice B.")
    assert first == again
    stored = users.find(subject="alice", issuer="https://idp")
    assert stored is not None
    assert (stored.name, stored.email) == ("Alice B.", "a@x.org")  # never blanked


def test_the_same_subject_at_another_issuer_is_another_user(database: Database) -> None:
    users = UserStore(database)
    assert users.ensure(subject="alice", issuer="https://a") != users.ensure(
        subject="alice", issuer="https://b"
    )
    assert users.find(subject="nobody", issuer="https://a") is None


def test_concurrent_first_sign_ins_give_one_row(database: Database) -> None:
    users = UserStore(database)
    ids: list[int] = []
    barrier = threading.Barrier(4)

    def sign_in() -> None:
        barrier.wait()
        ids.append(users.ensure(subject="carol", issuer="https://idp"))

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 4
    assert len(set(ids)) == 1
