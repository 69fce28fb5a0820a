"""``GET /metrics``: Prometheus text format, counted by route template, read at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(include_deepaas_modules=False, warm=False),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
    )
    with TestClient(app) as test_client:
        yield test_client
    jobs.close(cancel_running=True)


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_requests_predictions_and_jobs_are_counted(
    client: TestClient, particle_bytes: Callable[..., bytes]
) -> None:
    before = scrape(client)
    assert ("seascope_jobs", (("status", "running"),)) in before
    assert not any(name == "seascope_predicted_images_total" for name, _ in before)
    files = [
        ("images", ("a.png", particle_bytes("disc", seed=1, fmt="PNG"), "image/png")),
        ("images", ("b.png", particle_bytes("chain", seed=2, fmt="PNG"), "image/png")),
    ]
    assert client.post("/v1/modules/reference/predict", files=files).status_code == 200
    assert client.get("/v1/jobs/" + "0" * 32).status_code == 404
    after = scrape(client)
    module = (("module", "reference"),)
    assert after[("seascope_predicted_images_total", module)] == 2
    assert after[("seascope_prediction_batches_total", module)] >= 1
    assert after[("seascope_queued_images", module)] == 0
    predict = (("method", "POST"), ("route", "/v1/modules/{name}/predict"), ("status", "200"))
    assert after[("seascope_http_requests_total", predict)] == 1
    # Ids never become labels: the template is recorded.
    missing = (("method", "GET"), ("route", "/v1/jobs/{job_id}"), ("status", "404"))
    assert after[("seascope_http_requests_total", missing)] == 1
    timed = (("le", "+Inf"), ("method", "POST"), ("route", "/v1/modules/{name}/predict"))
    assert after[("seascope_http_request_duration_seconds_bucket", timed)] == 1
    assert client.get("/no/such/path").status_code == 404
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert scrape(client)[("seascope_http_requests_total", unmatched)] == 1
