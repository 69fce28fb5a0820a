"""The native /v1 API through the real app (in-process ASGI client)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.datasets import generate_dataset
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager
from tests.unit.test_imaging import png_header_only


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(max_request_bytes=1_000_000, max_files_per_request=4),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
    )
    with TestClient(app) as test_client:
        yield test_client
    jobs.close(cancel_running=True)


def images(*pairs: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("images", (name, data, "application/octet-stream")) for name, data in pairs]


def test_health_ready_and_listing(client: TestClient) -> None:
    assert client.get("/v1/health").json()["status"] == "ok"
    deadline = time.monotonic() + 20
    while (ready := client.get("/v1/ready")).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert ready.json()["loaded"] == ["reference"]
    listing = client.get("/v1/modules").json()
    assert [m["name"] for m in listing["modules"]] == ["reference"]
    assert listing["modules"][0]["links"]["predict"] == "/v1/modules/reference/predict"
    detail = client.get("/v1/modules/reference").json()
    assert detail["predict_params"]["properties"]["top_k"]["maximum"] == 100
    assert detail["train_params"]["required"] == ["dataset"]
    catalog = client.get("/v1/catalog", params={"text": "centroid"}).json()
    assert [entry["id"] for entry in catalog["entries"]] == ["reference"]


def test_predict_several_images_with_params(
    client: TestClient, particle_bytes: Callable[..., bytes]
) -> None:
    files = images(
        ("disc.jpg", particle_bytes("disc", seed=4)),
        ("chain.png", particle_bytes("chain", seed=4, fmt="PNG")),
    )
    response = client.post("/v1/modules/reference/predict", files=files, data={"top_k": "2"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["input"] for p in body["predictions"]] == ["disc.jpg", "chain.png"]
    assert all(len(p["classes"]) == 2 for p in body["predictions"])
    assert body["predictions"][0]["classes"][0]["label"] == "disc"
    assert body["timing"]["total"] >= body["timing"]["predict"]
    as_json = client.post(
        "/v1/modules/reference/predict", files=files[:1], data={"params": json.dumps({"top_k": 1})}
    )
    assert len(as_json.json()["predictions"][0]["classes"]) == 1
    in_query = client.post("/v1/modules/reference/predict?top_k=3", files=files[:1])
    assert len(in_query.json()["predictions"][0]["classes"]) == 3


@pytest.mark.parametrize(
    ("files", "data", "status", "kind", "text"),
    [
        ([("x.txt", b"not an image")], {}, 415, "UnsupportedMediaType", "x.txt: not an image"),
        ([("zero.jpg", b"")], {}, 422, "InvalidInput", "zero.jpg: the file is empty"),
        ([("bomb.png", png_header_only(30000, 30000))], {}, 413, "ImageTooLarge", "900 MP"),
        ([], {"top_k": "2"}, 422, "InvalidInput", "no image in the request"),
        ([("ok.png", None)], {"top_k": "0"}, 422, "InvalidParameters", "top_k"),
        ([("ok.png", None)], {"colour": "red"}, 422, "InvalidParameters", "colour"),
        ([("ok.png", None)], {"params": "{oops"}, 422, "InvalidParameters", "not valid JSON"),
    ],
)
def test_bad_requests_get_precise_errors(
    client: TestClient,
    particle_bytes: Callable[..., bytes],
    files: list[tuple[str, bytes | None]],
    data: dict[str, str],
    status: int,
    kind: str,
    text: str,
) -> None:
    parts = images(*((n, d if d is not None else particle_bytes(fmt="PNG")) for n, d in files))
    response = client.post("/v1/modules/reference/predict", files=parts or None, data=data)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["type"]) == (status, kind)
    assert text in body["message"]
    assert client.get("/v1/health").status_code == 200  # still serving


def test_truncated_jpeg_oversized_body_and_too_many_files(
    client: TestClient, particle_bytes: Callable[..., bytes]
) -> None:
    data = particle_bytes("spiny", seed=9)
    response = client.post(
        "/v1/modules/reference/predict", files=images(("half.jpg", data[: len(data) // 2]))
    )
    assert response.status_code == 422 and "truncated" in response.json()["message"]
    big = client.post(
        "/v1/modules/reference/predict", files=images(("big.jpg", b"\xff" * 1_200_000))
    )
    assert big.status_code == 413 and big.json()["type"] == "PayloadTooLarge"
    many = client.post(
        "/v1/modules/reference/predict", files=images(*[(f"{i}.jpg", data) for i in range(5)])
    )
    assert many.status_code == 400 and "Too many files" in many.json()["message"]
    json_body = client.post("/v1/modules/reference/predict", json={"image": "x"})
    assert json_body.status_code == 415


def test_unknown_module_and_route(client: TestClient, particle_bytes: Callable[..., bytes]) -> None:
    response = client.post(
        "/v1/modules/referenc/predict", files=images(("a.jpg", particle_bytes()))
    )
    assert response.status_code == 404
    assert "did you mean 'reference'" in response.json()["message"]
    assert client.get("/v1/nothing-here").status_code == 404
    assert client.get("/v1/jobs/" + "f" * 32).status_code == 404


def test_training_job_through_the_api(client: TestClient, tmp_path: Path) -> None:
    generate_dataset(tmp_path / "data", per_class=3, morphologies=("disc", "chain"))
    bad = client.post("/v1/modules/reference/trainings", json={"validation_fraction": 2})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"dataset", "validation_fraction"}
    started = client.post(
        "/v1/modules/reference/trainings", json={"dataset": str(tmp_path / "data")}
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/v1/jobs/{job_id}").json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["result"]["extra"]["classes"] == ["chain", "disc"]
    assert [j["id"] for j in client.get("/v1/modules/reference/trainings").json()] == [job_id]
    assert "starts" in client.get(f"/v1/jobs/{job_id}/log").text
    assert client.delete(f"/v1/jobs/{job_id}").json()["status"] == "done"
    refused = client.post(f"/v1/jobs/{job_id}/resume")
    assert refused.status_code == 409
    assert "only interrupted, failed or cancelled" in refused.json()["message"]
