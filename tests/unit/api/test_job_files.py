"""``GET /v1/jobs/{id}/files/{name}``: allow-listed evaluation files, for the owner only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seascope.api.job_files import JOB_FILES
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
from seascope.training import JobManager

CONFUSION = "true \\ predicted,chain,disc\nchain,4,1\ndisc,0,5\n"


@dataclass
class Served:
    client: TestClient
    jobs: JobManager
    alice: dict[str, str]
    bob: dict[str, str]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    database = Database(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    upgrade_database(database)
    tokens = TokenStore(database)
    alice = tokens.create("laptop", subject="alice").secret
    bob = tokens.create("laptop", subject="bob").secret
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(include_deepaas_modules=False, warm=False),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
        authenticator=build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database),
        auth_mode=AuthMode.TOKEN,
    )
    with TestClient(app) as client:
        yield Served(
            client,
            jobs,
            {"Authorization": f"Bearer {alice}"},
            {"Authorization": f"Bearer {bob}"},
        )
    jobs.close(cancel_running=True)
    database.close()


def _finished_job(served: Served) -> str:
    """A job of alice's (it fails at once: there is no dataset) with evaluation files."""
    started = served.client.post(
        "/v1/modules/reference/trainings", headers=served.alice, json={"dataset": "/nowhere"}
    )
    assert started.status_code == 202, started.text
    job_id = str(started.json()["id"])
    deadline = time.monotonic() + 30
    while not served.jobs.get(job_id).is_finished:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    evaluation = served.jobs.get(job_id).directory / "output/model-package/evaluation"
    evaluation.mkdir(parents=True)
    (evaluation / "val-confusion-matrix.csv").write_text(CONFUSION)
    (evaluation / "val-confusion-matrix.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return job_id


def test_owner_reads_allowed_files_and_others_get_404(served: Served) -> None:
    job_id = _finished_job(served)
    url = f"/v1/jobs/{job_id}/files/val-confusion-matrix.csv"
    owner = served.client.get(url, headers=served.alice)
    assert owner.status_code == 200
    assert owner.text == CONFUSION
    assert owner.headers["content-type"].startswith("text/csv")
    png = served.client.get(url.replace(".csv", ".png"), headers=served.alice)
    assert png.headers["content-type"] == "image/png"
    other = served.client.get(url, headers=served.bob)
    assert other.status_code == 404
    assert other.json()["type"] == "JobNotFound"
    anonymous = served.client.get(url)
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    "name", ["job.log", "..%2Fjob.log", "test-confusion-matrix.csv", "weights.safetensors"]
)
def test_files_outside_the_allow_list_or_not_written_are_404(served: Served, name: str) -> None:
    job_id = _finished_job(served)
    response = served.client.get(f"/v1/jobs/{job_id}/files/{name}", headers=served.alice)
    assert response.status_code == 404


def test_the_allow_list_holds_evaluation_outputs_only() -> None:
    assert "val-confusion-matrix.csv" in JOB_FILES
    assert "model-card.json" in JOB_FILES
    for path, _media_type in JOB_FILES.values():
        assert path.startswith("output/")
        assert ".." not in path
