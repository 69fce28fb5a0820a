"""The DEEPaaS router in process (ASGI transport): the branches the e2e suite crosses too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from seascope.deepaas.debug import DebugLog
from seascope.deepaas.loading import load_deepaas_models
from seascope.deepaas.routes import DeepaasRouteOptions, build_deepaas_router
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.platform import LocalAuthenticator
from seascope.training import JobManager

pytestmark = pytest.mark.filterwarnings("ignore::marshmallow.warnings.Marshmallow4Warning")


@dataclass
class Api:
    """Sends requests to an in-process app."""

    app: FastAPI

    def __call__(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(send())


@pytest.fixture
def jobs(tmp_path: Path) -> Iterator[JobManager]:
    manager = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    yield manager
    manager.close(cancel_running=True)


def _api(jobs: JobManager, **options: Any) -> Api:
    host = ModuleHost(ModuleRegistry.from_entry_points().only(["reference"]))
    legacy = load_deepaas_models(["fakemod", "fakeclass", "fakeschema"])
    app = FastAPI()
    app.state.authenticator = LocalAuthenticator()
    log = DebugLog()
    router = build_deepaas_router(
        host=host,
        jobs=jobs,
        options=DeepaasRouteOptions(**options),
        legacy=legacy,
        debug_log=log,
    )
    app.include_router(router)
    return Api(app)


def test_documents_redirects_and_errors(jobs: JobManager) -> None:
    api = _api(jobs, debug_endpoint=True)
    assert api("GET", "/").json()["versions"][0]["id"] == "v2"
    assert api("GET", "/v2/").status_code == 200
    redirect = api("POST", "/v2/models/fakemod/train?steps=1")
    assert (redirect.status_code, redirect.headers["location"]) == (
        308,
        "/v2/models/fakemod/train/?steps=1",
    )
    assert api("HEAD", "/v2/models/").status_code == 405
    assert api("GET", "/v2/models/nope").status_code == 404
    assert api("GET", "/v2/models/nope/").text == "404: Not Found"
    assert api("GET", "/v2/debug/").text.startswith("--- DEBUG MARKER")
    assert api("GET", "/ui").headers["location"] == "/api"
    assert "swagger.json" in api("GET", "/api").text
    assert api("GET", "/static/swagger/unknown.js").status_code == 404
    assert api("GET", "/swagger.json").json()["swagger"] == "2.0"
    models = api("GET", "/v2/models/").json()["models"]
    assert [m["id"] for m in models] == ["fakemod", "fakeclass", "0", "reference"]
    assert api("GET", "/v2/models/reference/").json()["task"] == "image-classification"


def test_disabled_debug_is_204_and_docs_can_be_off(jobs: JobManager) -> None:
    api = _api(jobs, doc_endpoint=False, base_path="/base/")
    assert api("GET", "/base/v2/debug/").status_code == 204
    assert "links" not in api("GET", "/base").json()
    assert api("GET", "/base/api").status_code == 404
    assert api("GET", "/base/").status_code == 404


def test_predict_paths(jobs: JobManager, particle_bytes: Callable[..., bytes]) -> None:
    api = _api(jobs)
    ok = api(
        "POST",
        "/v2/models/fakemod/predict/",
        params={"parameter": "1"},
        headers={"accept": "text/plain"},
    )
    assert (ok.status_code, ok.text, ok.headers["content-type"]) == (
        200,
        "parameter=1",
        "text/plain",
    )
    invalid = api("POST", "/v2/models/fakemod/predict/", headers={"accept": "text/html"})
    assert invalid.json() == {
        "parameter": ["Missing data for required field."],
        "accept": ["Must be one of: application/json, text/plain, image/png."],
    }
    bad_json = api(
        "POST",
        "/v2/models/fakemod/predict/",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (bad_json.status_code, bad_json.json()) == (422, {"json": ["Invalid JSON body."]})
    failed = api("POST", "/v2/models/fakemod/predict/", params={"parameter": "1", "mode": "value"})
    assert failed.json() == {
        "message": "bad value from the module",
        "type": "ValueError",
        "status": 500,
    }
    image = particle_bytes("disc", fmt="PNG")
    reference = api(
        "POST", "/v2/models/reference/predict/", files=[("data", ("d.png", image, "image/png"))]
    )
    assert reference.json()["predictions"]["filenames"] == ["d.png"]
    too_many = api(
        "POST",
        "/v2/models/reference/predict/",
        files=[("data", (f"{i}.png", image, "image/png")) for i in range(3)],
    )
    assert too_many.status_code == 200
    assert api("POST", "/v2/models/nope/predict/").status_code == 404


def test_too_many_files_is_413(jobs: JobManager) -> None:
    api = _api(jobs, max_files_per_request=1)
    files = [("data", (f"{i}.png", b"x", "image/png")) for i in range(2)]
    response = api("POST", "/v2/models/reference/predict/", files=files)
    assert response.status_code == 413
    assert response.json()["type"] == "PayloadTooLarge"


def test_training_paths(jobs: JobManager) -> None:
    api = _api(jobs)
    assert api("POST", "/v2/models/fakemod/train/", params={"steps": "x"}).status_code == 422
    assert api("POST", "/v2/models/fakeclass/train/").status_code == 501
    started = api("POST", "/v2/models/fakemod/train/", params={"steps": "500", "sleep": "0.1"})
    assert started.status_code == 200
    uuid = started.json()["uuid"]
    assert api("GET", f"/v2/models/fakemod/train/{uuid}").json()["status"] == "running"
    assert [t["uuid"] for t in api("GET", "/v2/models/fakemod/train/").json()] == [uuid]
    assert api("GET", f"/v2/models/fakeclass/train/{uuid}").status_code == 404
    assert api("GET", "/v2/models/nope/train/").status_code == 404
    cancelled = api("DELETE", f"/v2/models/fakemod/train/{uuid}")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled"), (
        cancelled.json()
    )
    assert api("DELETE", "/v2/models/fakemod/train/" + "0" * 32).status_code == 404
    reference = api("POST", "/v2/models/reference/train/")
    assert reference.json() == {"dataset": ["Missing data for required field."]}


def test_disabled_predict_and_train_are_402(jobs: JobManager) -> None:
    api = _api(jobs, predict_endpoint=False, train_endpoint=False)
    assert api("POST", "/v2/models/fakemod/predict/").status_code == 402
    assert api("GET", "/v2/models/fakemod/train/abc").text == "402: Payment Required"


def test_debug_log_attached_when_not_given(jobs: JobManager) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        build_deepaas_router(
            host=ModuleHost(ModuleRegistry([])),
            jobs=jobs,
            options=DeepaasRouteOptions(debug_endpoint=True),
        )
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1
        assert isinstance(added[0], DebugLog)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
