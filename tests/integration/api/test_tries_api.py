"""``/v1/tries`` in the real app (token mode): start, predict, limit, expiry, who may see what."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
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
    DeploymentStatus,
    TokenStore,
    Try,
    build_authenticator,
    upgrade_database,
)
from seascope.platform.tries import TryService
from seascope.training import JobManager


@dataclass
class Server:
    client: TestClient
    database: Database
    alice: dict[str, str]
    bob: dict[str, str]


MakeServer = Callable[..., Server]


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[MakeServer]:
    """``make_server(duration=..., limit=...)``: the app with a try service, in token mode."""
    database = Database(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    upgrade_database(database)
    tokens = TokenStore(database)
    alice = {"Authorization": f"Bearer {tokens.create('laptop', subject='alice').secret}"}
    bob = {"Authorization": f"Bearer {tokens.create('laptop', subject='bob').secret}"}
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    clients: list[TestClient] = []

    def make(*, duration: timedelta = timedelta(minutes=10), limit: int = 2) -> Server:
        tries = TryService(database, registry, duration=duration, limit=limit, sweep_interval=0.05)
        app = create_app(
            host=ModuleHost(registry),
            jobs=jobs,
            options=ServerOptions(include_deepaas_modules=False, warm=False),
            catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
            authenticator=build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database),
            auth_mode=AuthMode.TOKEN,
            tries=tries,
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Server(client=client, database=database, alice=alice, bob=bob)

    yield make
    for client in clients:
        client.__exit__(None, None, None)  # the lifespan closes the try service
    jobs.close()
    database.close()


def predict(server: Server, try_id: str, who: dict[str, str], image: bytes) -> Any:
    files = [("files", ("disc.png", image, "image/png"))]
    return server.client.post(f"/v1/tries/{try_id}/predict", files=files, headers=who)


def test_a_try_predicts_like_the_module_route(
    make_server: MakeServer, particle_bytes: Callable[..., bytes]
) -> None:
    server = make_server()
    created = server.client.post("/v1/tries", json={"module": "reference"}, headers=server.alice)
    assert created.status_code == 201, created.text
    trial = created.json()
    assert set(trial) >= {"id", "module", "status", "expires_at", "seconds_left", "created_at"}
    assert (trial["module"], trial["status"]) == ("reference", "running")
    assert 590 < trial["seconds_left"] <= 600

    image = particle_bytes("disc", fmt="PNG")
    answered = predict(server, trial["id"], server.alice, image)
    assert answered.status_code == 200, answered.text
    direct = server.client.post(
        "/v1/modules/reference/predict",
        files=[("images", ("disc.png", image, "image/png"))],
        headers=server.alice,
    )
    assert (
        set(answered.json()) == set(direct.json()) == {"module", "version", "predictions", "timing"}
    )
    assert answered.json()["predictions"] == direct.json()["predictions"]

    listed = server.client.get("/v1/tries", headers=server.alice).json()
    assert [t["id"] for t in listed] == [trial["id"]]
    ended = server.client.delete(f"/v1/tries/{trial['id']}", headers=server.alice)
    assert (ended.json()["status"], ended.json()["seconds_left"]) == ("stopped", 0)
    refused = predict(server, trial["id"], server.alice, image)
    assert refused.status_code == 410, refused.text
    assert refused.json()["type"] == "TryEnded"
    assert "stopped on request" in refused.json()["message"]


def test_other_users_get_404_and_anonymous_callers_401(make_server: MakeServer) -> None:
    server = make_server()
    trial = server.client.post("/v1/tries", json={"module": "reference"}, headers=server.alice)
    path = f"/v1/tries/{trial.json()['id']}"
    for method, url in (("GET", path), ("DELETE", path), ("POST", f"{path}/predict")):
        other = server.client.request(method, url, headers=server.bob)
        assert other.status_code == 404, (method, url, other.text)
        anonymous = server.client.request(method, url)
        assert anonymous.status_code == 401, (method, url, anonymous.text)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert server.client.get("/v1/tries", headers=server.bob).json() == []
    assert server.client.get("/v1/tries").status_code == 401
    assert server.client.post("/v1/tries", json={"module": "reference"}).status_code == 401
    assert server.client.get("/v1/tries/not-an-id", headers=server.alice).status_code == 404
    unknown = server.client.post("/v1/tries", json={"module": "nope"}, headers=server.alice)
    assert unknown.status_code == 404
    assert server.client.get(path, headers=server.alice).json()["status"] == "running"


def test_the_limit_answers_429_with_when_to_retry(make_server: MakeServer) -> None:
    server = make_server(limit=2)
    for _ in range(2):
        started = server.client.post(
            "/v1/tries", json={"module": "reference"}, headers=server.alice
        )
        assert started.status_code == 201
    refused = server.client.post("/v1/tries", json={"module": "reference"}, headers=server.alice)
    assert refused.status_code == 429, refused.text
    assert refused.json()["type"] == "LimitReached"
    assert "the limit is 2 per user" in refused.json()["message"]
    assert 590 <= int(refused.headers["retry-after"]) <= 600
    other = server.client.post("/v1/tries", json={"module": "reference"}, headers=server.bob)
    assert other.status_code == 201


def test_an_expired_try_is_stopped_by_the_sweeper_and_refuses_predictions(
    make_server: MakeServer, particle_bytes: Callable[..., bytes]
) -> None:
    server = make_server(duration=timedelta(seconds=0.5))
    trial = server.client.post("/v1/tries", json={"module": "reference"}, headers=server.alice)
    try_id = trial.json()["id"]
    deadline = time.monotonic() + 10
    while True:  # the sweeper writes the end into the database by itself
        with server.database.session() as session:
            row = session.get_one(Try, uuid.UUID(try_id))
            if row.status is DeploymentStatus.STOPPED:
                break
        assert time.monotonic() < deadline, "the sweeper did not stop the try"
        time.sleep(0.05)
    shown = server.client.get(f"/v1/tries/{try_id}", headers=server.alice).json()
    assert (shown["status"], shown["message"], shown["seconds_left"]) == (
        "stopped",
        "time is up",
        0,
    )
    refused = predict(server, try_id, server.alice, particle_bytes("disc", fmt="PNG"))
    assert refused.status_code == 410, refused.text
    assert "time is up" in refused.json()["message"]
