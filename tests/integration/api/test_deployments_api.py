"""``/v1/deployments`` in the real app (token mode) with a real server process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.platform import (
    AuthConfig,
    AuthMode,
    Database,
    TokenStore,
    build_authenticator,
    upgrade_database,
)
from seascope.platform.deployments import (
    DeploymentService,
    MachineLimits,
    RestartPolicy,
    SupervisionOptions,
    processes,
)
from seascope.training import JobManager


@dataclass
class Server:
    client: TestClient
    alice: dict[str, str]
    bob: dict[str, str]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    database = Database(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    upgrade_database(database)
    tokens = TokenStore(database)
    alice = {"Authorization": f"Bearer {tokens.create('laptop', subject='alice').secret}"}
    bob = {"Authorization": f"Bearer {tokens.create('laptop', subject='bob').secret}"}
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    deployments = DeploymentService.local(
        database,
        registry,
        home=tmp_path / "home",
        policy=RestartPolicy(max_restarts=0),
        options=SupervisionOptions(interval=0.1, health_interval=0.3, adopt_interval=0),
    )
    deployments.limits = MachineLimits(cpus=2, memory_mb=8192)  # the same on every machine
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(include_deepaas_modules=False, warm=False),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
        authenticator=build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database),
        auth_mode=AuthMode.TOKEN,
        deployments=deployments,
    )
    try:
        with TestClient(app) as client:
            yield Server(client=client, alice=alice, bob=bob)
            deployments.stop_all()
    finally:
        for info in deployments.store.list():
            if info.pid is not None and processes.runs_with(info.pid, str(info.id)):
                processes.terminate_group(info.pid, grace=1.0)
        jobs.close()
        database.close()


def wait_until_running(server: Server, deployment_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        shown: dict[str, Any] = server.client.get(
            f"/v1/deployments/{deployment_id}", headers=server.alice
        ).json()
        if shown["status"] != "starting":
            return shown
        assert time.monotonic() < deadline, shown
        time.sleep(0.1)


def test_start_show_log_and_stop_a_deployment(server: Server) -> None:
    created = server.client.post(
        "/v1/deployments",
        json={"module": "reference", "resources": {"cpus": 1, "memory_mb": 1024}},
        headers=server.alice,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) >= {
        "id",
        "module",
        "status",
        "endpoint",
        "resources",
        "restarts",
        "message",
        "created_at",
        "updated_at",
    }
    assert (body["module"], body["status"], body["restarts"]) == ("reference", "starting", 0)
    assert body["resources"] == {"cpus": 1, "memory_mb": 1024}
    assert body["endpoint"].startswith("http://127.0.0.1:")

    running = wait_until_running(server, body["id"])
    assert running["status"] == "running", running["message"]
    listed = server.client.get("/v1/deployments", headers=server.alice).json()
    assert [d["id"] for d in listed] == [body["id"]]
    log = server.client.get(f"/v1/deployments/{body['id']}/log?tail=20", headers=server.alice)
    assert log.status_code == 200
    assert log.headers["content-type"].startswith("text/plain")
    assert "Uvicorn running" in log.text

    path = f"/v1/deployments/{body['id']}"
    for method, url in (("GET", path), ("DELETE", path), ("GET", f"{path}/log")):
        assert server.client.request(method, url, headers=server.bob).status_code == 404
        anonymous = server.client.request(method, url)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert server.client.get("/v1/deployments", headers=server.bob).json() == []

    stopped = server.client.delete(path, headers=server.alice)
    assert stopped.status_code == 200
    assert (stopped.json()["status"], stopped.json()["message"]) == (
        "stopped",
        "stopped on request",
    )
    assert server.client.delete(path, headers=server.alice).json()["status"] == "stopped"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"module": "nope"}, 404, "ModuleNotFound"),
        ({"module": "reference", "resources": {"cpus": 3}}, 422, "InvalidParameters"),
        ({"module": "reference", "resources": {"memory_mb": 100_000}}, 422, "InvalidParameters"),
        ({"module": "reference", "resources": {"memory_mb": 8}}, 422, "InvalidParameters"),
        ({"module": "reference", "resources": {"gpus": 1}}, 422, "InvalidParameters"),
        ({"module": "reference", "replicas": 2}, 422, "InvalidParameters"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_recorded(
    server: Server, body: dict[str, Any], status: int, error: str
) -> None:
    refused = server.client.post("/v1/deployments", json=body, headers=server.alice)
    assert refused.status_code == status, refused.text
    assert refused.json()["type"] == error
    assert server.client.get("/v1/deployments", headers=server.alice).json() == []


def test_anonymous_callers_cannot_start_or_list(server: Server) -> None:
    assert server.client.post("/v1/deployments", json={"module": "reference"}).status_code == 401
    assert server.client.get("/v1/deployments").status_code == 401
    assert server.client.get("/v1/deployments/nope", headers=server.alice).status_code == 404
