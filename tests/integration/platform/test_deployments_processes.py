"""Deployments as real ``seascope serve`` processes: life cycle, failures, platform restarts.

Every server a test starts is stopped at its end (``stop_all``, then a kill of any pid
still recorded), so no process outlives the test.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.unit.platform.test_deployments_records import user

from seascope.modules import ModuleRegistry
from seascope.platform import Database, DeploymentStatus, upgrade_database
from seascope.platform.deployments import (
    DeploymentInfo,
    DeploymentResources,
    DeploymentService,
    LocalProcessBackend,
    RestartPolicy,
    SupervisionOptions,
    processes,
)

FAST = SupervisionOptions(
    interval=0.1, health_interval=0.3, start_timeout=60.0, unhealthy_after=2, adopt_interval=0
)

MakeService = Callable[..., DeploymentService]


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    upgrade_database(database)
    yield database
    database.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def make_service(home: Path) -> Iterator[MakeService]:
    """``make_service(database, python=..., policy=..., options=...)``; all cleaned up."""
    made: list[DeploymentService] = []

    def make(
        database: Database,
        *,
        python: str | None = None,
        policy: RestartPolicy | None = None,
        options: SupervisionOptions = FAST,
    ) -> DeploymentService:
        url = database.url.render_as_string(hide_password=False)
        backend = LocalProcessBackend(
            home,
            environment={"SEASCOPE_DATABASE_URL": url},
            stop_grace=3.0,
            python=python or sys.executable,
        )
        service = DeploymentService(
            database,
            backend,
            ModuleRegistry.from_entry_points().only(["reference"]),
            policy=policy or RestartPolicy(max_restarts=0),
            options=options,
        )
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop_all()
        service.close()
        for info in service.store.list():  # servers started by a service that was closed
            if info.pid is not None and processes.runs_with(info.pid, str(info.id)):
                processes.terminate_group(info.pid, grace=1.0)


def wait_for(
    service: DeploymentService, info: DeploymentInfo, *statuses: DeploymentStatus
) -> DeploymentInfo:
    deadline = time.monotonic() + 60
    while (current := service.store.get(info.id)).status not in statuses:
        assert time.monotonic() < deadline, f"still {current.status}: {current.message}"
        time.sleep(0.05)
    return current


def fake_python(tmp_path: Path, body: str) -> str:
    """An executable that stands in for the interpreter: a server that misbehaves."""
    script = tmp_path / "fake-python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_reference_deployment_runs_predicts_and_stops(
    sqlite_database: Database,
    make_service: MakeService,
    particle_bytes: Callable[..., bytes],
) -> None:
    service = make_service(sqlite_database)
    alice = user(sqlite_database, "alice")
    started = service.start(alice, "reference", DeploymentResources(cpus=1, memory_mb=1024))
    assert started.status is DeploymentStatus.STARTING
    assert started.endpoint is not None and started.pid is not None

    running = wait_for(service, started, DeploymentStatus.RUNNING)
    assert (running.pid, running.endpoint, running.message) == (started.pid, started.endpoint, "")
    response = httpx.post(
        f"{running.endpoint}/v1/modules/reference/predict",
        files=[("images", ("disc.png", particle_bytes("disc", fmt="PNG"), "image/png"))],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["classes"]

    pid = running.pid
    assert pid is not None
    environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"OMP_NUM_THREADS=1" in environment
    assert b"SEASCOPE_PREDICT_THREADS=1" in environment  # one engine thread per worker
    assert f"SEASCOPE_DEPLOYMENT_ID={running.id}".encode() in environment
    if len(os.sched_getaffinity(0)) > 1:
        assert len(os.sched_getaffinity(pid)) == 1  # pinned to the one core it asked for
    assert "starting reference on port" in service.logs(alice, running.id, tail=50)

    stopped = service.stop(alice, running.id)
    assert (stopped.status, stopped.message, stopped.pid) == (
        DeploymentStatus.STOPPED,
        "stopped on request",
        None,
    )
    assert not processes.runs_with(pid, str(running.id))
    assert stopped.endpoint == running.endpoint  # kept for the record


def test_a_crashing_server_is_restarted_then_failed_with_the_end_of_its_log(
    sqlite_database: Database, make_service: MakeService, tmp_path: Path
) -> None:
    python = fake_python(
        tmp_path,
        'echo "loading weights of $5"\necho "RuntimeError: weights are corrupt" >&2\nexit 3',
    )
    policy = RestartPolicy(max_restarts=2, backoff_seconds=0.05)
    service = make_service(sqlite_database, python=python, policy=policy)
    alice = user(sqlite_database, "alice")
    failed = wait_for(service, service.start(alice, "reference"), DeploymentStatus.FAILED)
    assert failed.restarts == 2
    assert failed.message.startswith("failed after 2 restarts: the server exited with code 3")
    assert "RuntimeError: weights are corrupt" in failed.message
    assert failed.pid is None and failed.stopped_at is not None
    log = service.logs(alice, failed.id, tail=100)
    assert log.count("starting reference on port") == 3  # the first start and two restarts


def test_a_server_that_never_answers_fails_after_the_start_timeout(
    sqlite_database: Database, make_service: MakeService, tmp_path: Path
) -> None:
    python = fake_python(tmp_path, "exec sleep 60")  # its command line no longer names the id
    options = SupervisionOptions(interval=0.1, start_timeout=0.5, adopt_interval=0)
    service = make_service(sqlite_database, python=python, options=options)
    started = service.start(user(sqlite_database, "alice"), "reference")
    failed = wait_for(service, started, DeploymentStatus.FAILED)
    assert failed.message.startswith("the server did not answer /v1/health within 0.5 s")
    assert started.pid is not None and not processes.is_alive(started.pid)


def test_a_server_above_its_memory_limit_is_stopped_and_failed(
    sqlite_database: Database, make_service: MakeService
) -> None:
    service = make_service(sqlite_database)
    started = service.start(
        user(sqlite_database, "alice"), "reference", DeploymentResources(memory_mb=64)
    )
    failed = wait_for(service, started, DeploymentStatus.FAILED)
    assert "above its memory limit of 64 MiB, and was stopped" in failed.message
    assert started.pid is not None and not processes.is_alive(started.pid)


def test_a_platform_restart_reattaches_a_live_server_and_marks_a_dead_one_interrupted(
    database: Database, make_service: MakeService
) -> None:
    alice = user(database, "alice")
    first = make_service(database)
    started = first.start(alice, "reference", DeploymentResources(cpus=1, memory_mb=1024))
    running = wait_for(first, started, DeploymentStatus.RUNNING)
    first.close()  # the platform goes away without stopping anything
    assert running.pid is not None and processes.runs_with(running.pid, str(running.id))

    second = make_service(database)
    [reattached] = second.recover()
    assert (reattached.id, reattached.status) == (running.id, DeploymentStatus.RUNNING)
    assert (reattached.pid, reattached.endpoint) == (running.pid, running.endpoint)
    assert second.supervisor.watched() == [running.id]
    assert httpx.get(f"{running.endpoint}/v1/health", timeout=5).status_code == 200
    second.close()

    os.killpg(running.pid, signal.SIGKILL)  # the server dies while no platform runs
    deadline = time.monotonic() + 10
    while processes.is_alive(running.pid):
        processes.exit_code_of(running.pid)
        assert time.monotonic() < deadline
        time.sleep(0.02)

    third = make_service(database)
    [interrupted] = third.recover()
    assert interrupted.status is DeploymentStatus.FAILED
    assert interrupted.message.startswith("interrupted: ")
    assert "was not running after the platform restarted (it was running)" in interrupted.message
    assert third.supervisor.watched() == []
    # Nothing is lost: the same record, with its history.
    [kept] = third.list(alice)
    assert (kept.id, kept.module, kept.resources, kept.endpoint, kept.created_at) == (
        running.id,
        "reference",
        running.resources,
        running.endpoint,
        running.created_at,
    )
    assert "Uvicorn running" in third.logs(alice, kept.id, tail=200)
