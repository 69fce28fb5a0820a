"""Every route of the server, as anonymous, as another user and as the owner (token mode).

The table below classifies each route; ``test_every_route_is_classified`` fails when a
route is added without deciding who may call it.

- ``public``: anyone, also without credentials (health, docs, catalog browsing).
- ``user``: a signed-in user; anonymous callers get 401 with a ``WWW-Authenticate``
  challenge.
- ``owner``: a signed-in user, on their own record only; someone else's record answers
  exactly like a missing one (404).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient
from httpx import Response

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
from seascope.platform.deployments import DeploymentService
from seascope.platform.tries import TryService
from seascope.training import JobManager

Kind = Literal["public", "user", "owner"]

ROUTES: dict[tuple[str, str], Kind] = {
    ("GET", "/v1/health"): "public",
    ("GET", "/v1/ready"): "public",
    ("GET", "/v1/me"): "public",
    ("GET", "/v1/modules"): "public",
    ("GET", "/v1/modules/{name}"): "public",
    ("GET", "/v1/catalog"): "public",
    ("GET", "/v1/catalog/{entry_id}"): "public",
    ("GET", "/v1/catalog/{entry_id}/ai4-metadata"): "public",
    ("GET", "/v1/catalog/{entry_id}/packages/{version}/card"): "public",
    ("GET", "/metrics"): "public",
    ("POST", "/v1/catalog/import"): "user",
    ("POST", "/v1/datasets/uploads"): "user",
    ("DELETE", "/v1/catalog/{entry_id}"): "user",
    ("POST", "/v1/modules/{name}/predict"): "user",
    ("POST", "/v1/modules/{name}/trainings"): "user",
    ("GET", "/v1/modules/{name}/trainings"): "user",
    ("GET", "/v1/jobs"): "user",
    ("GET", "/v1/jobs/{job_id}"): "owner",
    ("GET", "/v1/jobs/{job_id}/log"): "owner",
    ("POST", "/v1/jobs/{job_id}/resume"): "owner",
    ("DELETE", "/v1/jobs/{job_id}"): "owner",
    ("GET", "/v1/jobs/{job_id}/files/{name}"): "owner",
    # Deployments and try sessions: owner-only (tests/integration/api/test_deployments_api.py
    # and test_tries_api.py call each as another user and as the owner).
    ("GET", "/v1/deployments"): "user",
    ("POST", "/v1/deployments"): "user",
    ("GET", "/v1/deployments/{deployment_id}"): "owner",
    ("DELETE", "/v1/deployments/{deployment_id}"): "owner",
    ("GET", "/v1/deployments/{deployment_id}/log"): "owner",
    ("GET", "/v1/tries"): "user",
    ("POST", "/v1/tries"): "user",
    ("GET", "/v1/tries/{try_id}"): "owner",
    ("DELETE", "/v1/tries/{try_id}"): "owner",
    ("POST", "/v1/tries/{try_id}/predict"): "owner",
    # DEEPaaS v2: documents are public, predictions and trainings are not.
    ("GET", "/v2/models/"): "public",
    ("GET", "/v2/models/{name}/"): "public",
    ("POST", "/v2/models/{name}/predict/"): "user",
    ("POST", "/v2/models/{name}/train/"): "user",
    ("GET", "/v2/models/{name}/train/"): "user",
    ("GET", "/v2/models/{name}/train/{uuid}"): "owner",
    ("DELETE", "/v2/models/{name}/train/{uuid}"): "owner",
}


@dataclass
class Server:
    client: TestClient
    alice: dict[str, str]
    bob: dict[str, str]
    dataset: Path

    def call(self, method: str, path: str, who: dict[str, str] | None, **kwargs: Any) -> Response:
        return self.client.request(method, path, headers=who or {}, **kwargs)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    database = Database(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    upgrade_database(database)
    tokens = TokenStore(database)
    alice = tokens.create("laptop", subject="alice").secret
    bob = tokens.create("laptop", subject="bob").secret
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    deployments = DeploymentService.local(database, registry, home=tmp_path / "deployments")
    tries = TryService(database, registry)
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(include_deepaas_modules=False),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
        authenticator=build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database),
        auth_mode=AuthMode.TOKEN,
        deployments=deployments,
        tries=tries,
    )
    with TestClient(app) as client:
        yield Server(
            client=client,
            alice={"Authorization": f"Bearer {alice}"},
            bob={"Authorization": f"Bearer {bob}"},
            dataset=tmp_path / "no-such-dataset",
        )
    deployments.stop_all()
    jobs.close(cancel_running=True)
    database.close()


def test_every_route_is_classified(server: Server) -> None:
    # Every documented route (the OpenAPI document lists them all; the DEEPaaS routes,
    # undocumented there, are classified above and called below).
    document = server.client.get("/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert ("GET", "/v1/jobs/{job_id}") in documented  # the walk sees real routes
    unclassified = sorted(f"{m} {p}" for m, p in documented if (m, p) not in ROUTES)
    assert not unclassified, f"classify these routes in ROUTES: {unclassified}"


def test_public_routes_answer_anonymous_callers(server: Server) -> None:
    for (method, path), kind in ROUTES.items():
        if kind != "public" or method != "GET":
            continue
        url = path.format(name="reference", entry_id="reference", version="1.0.0")
        response = server.call(method, url, None)
        assert response.status_code not in (401, 403), (url, response.text)
        # /v1/ready is 503 until the module is loaded; no package 1.0.0 is published.
        expected = (200,)
        if url == "/v1/ready":
            expected = (200, 503)
        elif "/packages/" in url:
            expected = (404,)
        assert response.status_code in expected, (url, response.status_code, response.text)
    assert server.call("GET", "/v1/me", None).json()["anonymous"] is True
    me = server.call("GET", "/v1/me", server.alice).json()
    assert (me["anonymous"], me["subject"], me["method"], me["auth_mode"]) == (
        False,
        "alice",
        "token",
        "token",
    )


def _anonymous_is_401(response: Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["type"] == "AuthError"
    assert response.headers["www-authenticate"].startswith("Bearer")


USER_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/v1/modules/reference/predict", {"files": {"images": ("a.png", b"x")}}),
    ("POST", "/v1/modules/reference/trainings", {"json": {"dataset": "/nowhere"}}),
    ("GET", "/v1/modules/reference/trainings", {}),
    ("GET", "/v1/jobs", {}),
    ("POST", "/v1/datasets/uploads", {"files": {"file": ("d.zip", b"not a zip")}}),
    ("POST", "/v1/catalog/import", {"files": {"file": ("m.yml", b"x: 1")}}),
    ("DELETE", "/v1/catalog/nothing-here", {}),
    ("POST", "/v2/models/reference/predict/", {"files": {"data": ("a.png", b"x")}}),
    ("POST", "/v2/models/reference/train/", {}),
    ("GET", "/v2/models/reference/train/", {}),
    ("GET", "/v1/deployments", {}),
    ("POST", "/v1/deployments", {"json": {"module": "nope"}}),
    ("GET", "/v1/tries", {}),
    ("POST", "/v1/tries", {"json": {"module": "reference"}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), USER_CALLS, ids=lambda v: str(v))
def test_user_routes_refuse_anonymous_and_bad_tokens(
    server: Server, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    _anonymous_is_401(server.call(method, path, None, **kwargs))
    forged = {"Authorization": "Bearer ssc_0123456789abcdef_not-the-secret"}
    _anonymous_is_401(server.call(method, path, forged, **kwargs))
    signed_in = server.call(method, path, server.alice, **kwargs)
    assert signed_in.status_code not in (401, 403), signed_in.text


def _start_job(server: Server, who: dict[str, str]) -> str:
    started = server.call(
        "POST", "/v1/modules/reference/trainings", who, json={"dataset": str(server.dataset)}
    )
    assert started.status_code == 202, started.text
    return str(started.json()["id"])


def _wait_finished(server: Server, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while server.call("GET", f"/v1/jobs/{job_id}", server.alice).json()["finished_at"] is None:
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.1)


def test_jobs_are_seen_and_touched_by_their_owner_only(server: Server) -> None:
    job = _start_job(server, server.alice)
    _wait_finished(server, job)
    owner_calls: list[tuple[str, str, Callable[[Response], bool]]] = [
        ("GET", f"/v1/jobs/{job}", lambda r: r.status_code == 200),
        ("GET", f"/v1/jobs/{job}/log", lambda r: r.status_code == 200),
        # No evaluation files for a job that failed: a 404 for the owner too, but only
        # after the ownership check (others get the job's 404, see below).
        ("GET", f"/v1/jobs/{job}/files/confusion_matrix.csv", lambda r: r.status_code == 404),
        # A failed job may be resumed (it fails again: the dataset does not exist).
        ("POST", f"/v1/jobs/{job}/resume", lambda r: r.status_code == 200),
        ("GET", f"/v2/models/reference/train/{job}", lambda r: r.status_code == 200),
        ("DELETE", f"/v2/models/reference/train/{job}", lambda r: r.status_code == 200),
        ("DELETE", f"/v1/jobs/{job}", lambda r: r.status_code == 200),
    ]
    for method, path, ok in owner_calls:
        _anonymous_is_401(server.call(method, path, None))
        other = server.call(method, path, server.bob)
        assert other.status_code == 404, (method, path, other.text)
        owner = server.call(method, path, server.alice)
        assert ok(owner), (method, path, owner.status_code, owner.text)
    # Listings hold only the caller's own jobs.
    assert [j["id"] for j in server.call("GET", "/v1/jobs", server.alice).json()] == [job]
    assert server.call("GET", "/v1/jobs", server.bob).json() == []
    assert server.call("GET", "/v1/modules/reference/trainings", server.bob).json() == []
    assert server.call("GET", "/v2/models/reference/train/", server.bob).json() == []
    bobs = _start_job(server, server.bob)
    assert [j["id"] for j in server.call("GET", "/v1/jobs", server.bob).json()] == [bobs]
    assert server.call("GET", f"/v1/jobs/{bobs}", server.alice).status_code == 404


def test_metrics_count_deployments_and_tries_by_status(server: Server) -> None:
    def gauge(name: str, status: str) -> float:
        text = server.call("GET", "/metrics", None).text
        line = next(
            line for line in text.splitlines() if line.startswith(f'{name}{{status="{status}"}}')
        )
        return float(line.split()[-1])

    assert gauge("seascope_deployments", "running") == 0
    assert gauge("seascope_tries", "running") == 0
    started = server.call("POST", "/v1/tries", server.alice, json={"module": "reference"})
    assert started.status_code == 201, started.text
    assert gauge("seascope_tries", "running") == 1
    server.call("DELETE", f"/v1/tries/{started.json()['id']}", server.alice)
    assert (gauge("seascope_tries", "running"), gauge("seascope_tries", "stopped")) == (0, 1)
