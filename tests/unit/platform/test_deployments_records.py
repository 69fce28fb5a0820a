"""Deployments without a server: records, ownership, resources, restart policy (both databases)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from seascope.errors import AuthError, InvalidParameters, ModuleNotFound, ResourceNotFound
from seascope.modules import ModuleRegistry
from seascope.platform import ANONYMOUS, AuthMethod, Database, DeploymentStatus, Principal
from seascope.platform.deployments import (
    DeploymentResources,
    DeploymentService,
    DeploymentStore,
    LocalProcessBackend,
    MachineLimits,
    RestartPolicy,
    check_resources,
    processes,
)
from seascope.platform.users import LOCAL_ISSUER, UserStore

LIMITS = MachineLimits(cpus=2, memory_mb=4096)


def user(database: Database, subject: str) -> Principal:
    """A signed-in token user, recorded in ``users``."""
    user_id = UserStore(database).ensure(subject=subject, issuer=LOCAL_ISSUER)
    return Principal(subject=subject, issuer=LOCAL_ISSUER, method=AuthMethod.TOKEN, user_id=user_id)


@pytest.fixture
def service(database: Database, tmp_path: Path) -> Iterator[DeploymentService]:
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    deployments = DeploymentService(
        database, LocalProcessBackend(tmp_path / "home"), registry, limits=LIMITS
    )
    yield deployments
    deployments.stop_all()
    deployments.close()


def test_an_unknown_module_is_not_found_and_nothing_is_recorded(
    service: DeploymentService, database: Database
) -> None:
    alice = user(database, "alice")
    with pytest.raises(ModuleNotFound, match="nope"):
        service.start(alice, "nope")
    assert service.list(alice) == []


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        (DeploymentResources(cpus=3), "resources.cpus"),
        (DeploymentResources(memory_mb=5000), "resources.memory_mb"),
    ],
)
def test_resources_beyond_the_machine_are_refused_before_anything_is_recorded(
    service: DeploymentService, database: Database, resources: DeploymentResources, field: str
) -> None:
    alice = user(database, "alice")
    with pytest.raises(InvalidParameters, match="this machine has") as raised:
        service.start(alice, "reference", resources)
    assert list(raised.value.fields) == [field]
    assert service.list(alice) == []


@pytest.mark.parametrize(
    "given", [{"cpus": 0}, {"memory_mb": 10}, {"cpus": 1, "gpus": 1}, {"cpus": "many"}]
)
def test_resources_outside_their_bounds_are_invalid(given: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DeploymentResources.model_validate(given)


def test_check_resources_reports_both_fields() -> None:
    with pytest.raises(InvalidParameters) as raised:
        check_resources(DeploymentResources(cpus=9, memory_mb=9000), LIMITS)
    assert set(raised.value.fields) == {"resources.cpus", "resources.memory_mb"}
    check_resources(DeploymentResources(cpus=2, memory_mb=4096), LIMITS)  # exactly fits


def test_this_machine_has_cores_and_memory() -> None:
    limits = MachineLimits.of_this_machine()
    assert limits.cpus >= 1
    assert limits.memory_mb > 64


def test_anonymous_callers_are_refused(service: DeploymentService) -> None:
    with pytest.raises(AuthError):
        service.start(ANONYMOUS, "reference")
    with pytest.raises(AuthError):
        service.list(ANONYMOUS)


def test_other_users_deployments_are_not_found(
    service: DeploymentService, database: Database
) -> None:
    alice, bob = user(database, "alice"), user(database, "bob")
    record = service.store.insert(
        owner_id=alice.user_id or 0,
        module="reference",
        resources=DeploymentResources(),
        backend="local",
    )
    assert service.get(alice, record.id).module == "reference"
    assert service.get(alice, str(record.id)).id == record.id
    assert [info.id for info in service.list(alice)] == [record.id]
    assert service.list(bob) == []
    for call in (service.get, service.stop, service.logs):
        with pytest.raises(ResourceNotFound, match=str(record.id)):
            call(bob, record.id)
    with pytest.raises(ResourceNotFound):
        service.get(alice, "not-a-uuid")
    with pytest.raises(ResourceNotFound):
        service.get(alice, uuid.uuid4())


def test_stopping_a_deployment_without_server_and_an_ended_one(
    service: DeploymentService, database: Database
) -> None:
    alice = user(database, "alice")
    owner = alice.user_id or 0
    queued = service.store.insert(
        owner_id=owner, module="reference", resources=DeploymentResources(), backend="local"
    )
    stopped = service.stop(alice, queued.id)
    assert stopped.status is DeploymentStatus.STOPPED
    assert stopped.message == "stopped on request"
    assert stopped.stopped_at is not None
    assert service.logs(alice, queued.id) == ""

    failed = service.store.insert(
        owner_id=owner, module="reference", resources=DeploymentResources(), backend="local"
    )
    service.store.update(failed.id, status=DeploymentStatus.FAILED, message="boom")
    assert service.stop(alice, failed.id).status is DeploymentStatus.FAILED  # unchanged
    assert service.get(alice, failed.id).message == "boom"


def test_updates_apply_only_while_active_and_claims_are_compare_and_set(
    database: Database,
) -> None:
    store = DeploymentStore(database)
    owner = user(database, "alice").user_id or 0
    record = store.insert(
        owner_id=owner, module="reference", resources=DeploymentResources(), backend="local"
    )
    assert store.claim(record.id, expected=None, supervisor="node/1")
    assert not store.claim(record.id, expected=None, supervisor="node/2")  # taken meanwhile
    assert store.claim(record.id, expected="node/1", supervisor="node/2")
    assert store.update(record.id, only_if_supervisor="node/2", restarts=1)
    assert not store.update(record.id, only_if_supervisor="node/1", restarts=5)
    assert store.update(record.id, status=DeploymentStatus.STOPPED)
    assert not store.update(record.id, status=DeploymentStatus.RUNNING)  # ended stays ended
    assert store.update(record.id, only_if=(DeploymentStatus.STOPPED,), pid=None)
    stored = store.get(record.id)
    assert (stored.status, stored.restarts, stored.supervisor) == (
        DeploymentStatus.STOPPED,
        1,
        "node/2",
    )
    assert store.list_active() == []
    assert stored.handle() is None  # never started: nothing to stop or read


def test_restart_back_off_doubles_up_to_its_cap() -> None:
    policy = RestartPolicy(max_restarts=6, backoff_seconds=0.5, backoff_max_seconds=3.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_process_helpers_on_this_process(tmp_path: Path) -> None:
    assert processes.is_alive(os.getpid())
    assert processes.runs_with(os.getpid(), "python") or not Path("/proc").exists()
    assert not processes.runs_with(os.getpid(), str(uuid.uuid4()))
    memory = processes.memory_mb(os.getpid())
    assert memory is None or memory > 1
    assert processes.exit_code_of(os.getpid()) is None  # not a child of itself
    port = processes.free_port()
    assert not processes.health_answers(f"http://127.0.0.1:{port}", "/v1/health", timeout=0.5)
    log = tmp_path / "server.log"
    assert processes.read_log_tail(log, 3) == ""
    log.write_text("".join(f"line {n}\n" for n in range(10)))
    assert processes.read_log_tail(log, 3) == "line 7\nline 8\nline 9\n"
