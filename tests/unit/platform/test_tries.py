"""Try-it sessions on SQLite and PostgreSQL: limit, expiry, sweeper, ownership."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from seascope.errors import AuthError, LimitReached, ModuleNotFound, ResourceNotFound, TryEnded
from seascope.modules import ModuleRegistry
from seascope.platform import ANONYMOUS, Database, DeploymentStatus, Try
from seascope.platform.tries import TryService
from tests.unit.platform.test_deployments_records import user

START = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def registry() -> ModuleRegistry:
    return ModuleRegistry.from_entry_points().only(["reference"])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tries(database: Database, registry: ModuleRegistry, clock: Clock) -> Iterator[TryService]:
    service = TryService(
        database, registry, duration=timedelta(minutes=10), limit=2, sweep_interval=60, clock=clock
    )
    yield service
    service.close()


def test_start_list_show_and_stop(tries: TryService, database: Database, clock: Clock) -> None:
    alice = user(database, "alice")
    trial = tries.start(alice, "reference")
    assert trial.status is DeploymentStatus.RUNNING
    assert trial.expires_at == START + timedelta(minutes=10)
    assert trial.seconds_left(clock.now) == 600
    assert tries.require_running(alice, str(trial.id)).module == "reference"
    clock.now += timedelta(seconds=1)
    second = tries.start(alice, "reference")
    assert [info.id for info in tries.list(alice)] == [second.id, trial.id]  # newest first

    stopped = tries.stop(alice, trial.id)
    assert stopped.status is DeploymentStatus.STOPPED
    assert (stopped.message, stopped.seconds_left(clock.now)) == ("stopped on request", 0.0)
    assert tries.stop(alice, trial.id) == stopped  # ended: unchanged
    with pytest.raises(TryEnded, match="stopped on request"):
        tries.require_running(alice, trial.id)


def test_other_users_and_anonymous_callers(tries: TryService, database: Database) -> None:
    alice, bob = user(database, "alice"), user(database, "bob")
    trial = tries.start(alice, "reference")
    assert tries.list(bob) == []
    for call in (tries.get, tries.stop, tries.require_running):
        with pytest.raises(ResourceNotFound, match=str(trial.id)):
            call(bob, trial.id)
    with pytest.raises(ResourceNotFound):
        tries.get(alice, "not-a-uuid")
    with pytest.raises(AuthError):
        tries.start(ANONYMOUS, "reference")
    with pytest.raises(ModuleNotFound):
        tries.start(alice, "classifier")  # installed, but not served by this host
    assert tries.require_running(alice, trial.id).status is DeploymentStatus.RUNNING


def test_the_limit_says_what_it_is_and_when_a_slot_frees(
    tries: TryService, database: Database, clock: Clock
) -> None:
    alice, bob = user(database, "alice"), user(database, "bob")
    first = tries.start(alice, "reference")
    clock.now += timedelta(minutes=4)
    tries.start(alice, "reference")
    with pytest.raises(LimitReached) as refused:
        tries.start(alice, "reference")
    message = refused.value.message
    assert "you already have 2 running tries and the limit is 2 per user" in message
    assert "ends at 12:10:00 UTC, in 360 s" in message
    assert refused.value.retry_after == pytest.approx(360)
    tries.start(bob, "reference")  # the limit is per user

    clock.now = first.expires_at  # the oldest ends: a slot frees
    assert tries.get(alice, first.id).status is DeploymentStatus.STOPPED
    assert tries.start(alice, "reference").status is DeploymentStatus.RUNNING


def test_an_expired_try_reads_stopped_and_refuses_predictions(
    tries: TryService, database: Database, clock: Clock
) -> None:
    alice = user(database, "alice")
    trial = tries.start(alice, "reference")
    clock.now += timedelta(minutes=10, seconds=1)
    shown = tries.get(alice, trial.id)  # before any sweep: still truthful
    assert (shown.status, shown.message, shown.seconds_left(clock.now)) == (
        DeploymentStatus.STOPPED,
        "time is up",
        0.0,
    )
    assert shown.stopped_at == trial.expires_at
    with pytest.raises(TryEnded, match="ended at 2030-05-01 12:10:00 UTC"):
        tries.require_running(alice, trial.id)
    assert tries.sweep() == 1
    assert tries.sweep() == 0
    with database.session() as session:
        row = session.get_one(Try, trial.id)
        assert (row.status, row.message) == (DeploymentStatus.STOPPED, "time is up")


def test_the_sweeper_stops_expired_tries_by_itself(
    database: Database, registry: ModuleRegistry
) -> None:
    service = TryService(
        database, registry, duration=timedelta(seconds=0.3), limit=2, sweep_interval=0.05
    )
    try:
        trial = service.start(user(database, "alice"), "reference")
        deadline = time.monotonic() + 10
        while True:
            with database.session() as session:
                row = session.get_one(Try, trial.id)
                if row.status is DeploymentStatus.STOPPED:
                    break
            assert time.monotonic() < deadline, "the sweeper did not stop the try"
            time.sleep(0.05)
        assert row.message == "time is up"
        assert row.stopped_at == row.expires_at
    finally:
        service.close()


def test_concurrent_starts_never_exceed_the_limit(tries: TryService, database: Database) -> None:
    alice = user(database, "alice")
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            tries.start(alice, "reference")
            outcomes.append("started")
        except LimitReached:
            outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "started", "started"]
    assert len(tries.list(alice)) == 2
