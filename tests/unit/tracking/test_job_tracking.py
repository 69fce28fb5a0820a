"""Training jobs are tracked: a run per job, metrics forwarded, the model registered.

The jobs run in real worker processes through ``JobManager`` and record into a real MLflow
embedded in a temporary seascope home.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seascope.datasets import generate_dataset
from seascope.tracking import MLflowTracker, tracker_from_uri
from seascope.training import TRAIN_MODULE, JobManager, JobRecord, JobStatus
from seascope.training.worker import MODEL_ALIAS, TRACKING_URI_VARIABLE
from tests.unit.tracking.conftest import MLFLOW_WARNINGS, closed_port_url, requires_mlflow

SLEEPY = "tests.unit.training.slow_runners:sleepy"

pytestmark = MLFLOW_WARNINGS


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home (and so one tracking database) for the module's jobs."""
    root = tmp_path_factory.mktemp("home")
    generate_dataset(root / "data", per_class=4, morphologies=("disc", "chain"))
    return root


@pytest.fixture(scope="module")
def manager(home: Path) -> Iterator[JobManager]:
    jobs = JobManager(database=home / "jobs.sqlite", jobs_dir=home / "jobs")
    yield jobs
    jobs.close(cancel_running=True)


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers use the default: MLflow embedded beside the job database."""
    monkeypatch.delenv(TRACKING_URI_VARIABLE, raising=False)


def open_client(home: Path) -> Any:
    """An MLflow client on the home's embedded store (opening it creates the database)."""
    from mlflow import MlflowClient

    uri = f"sqlite:///{home.resolve()}/tracking/mlflow.db"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


@pytest.fixture
def client(home: Path) -> Any:
    return open_client(home)


def train(manager: JobManager, home: Path, dataset: str | None = None) -> JobRecord:
    return manager.submit(
        module="reference", runner=TRAIN_MODULE, args={"dataset": dataset or str(home / "data")}
    )


def run_of(client: Any, experiment: str, job_id: str, *, ended: bool = True) -> Any:
    """The MLflow run of ``job_id`` (waiting for it to end when ``ended``)."""
    deadline = time.monotonic() + 30
    while True:
        found = client.get_experiment_by_name(experiment)
        runs = (
            client.search_runs([found.experiment_id], f"attributes.run_name = '{job_id}'")
            if found
            else []
        )
        if runs and (not ended or runs[0].info.status != "RUNNING"):
            return runs[0]
        assert time.monotonic() < deadline, f"no ended run for job {job_id}"
        time.sleep(0.1)


@requires_mlflow
@pytest.mark.usefixtures("embedded")
def test_concurrent_jobs_are_tracked_and_registered(
    manager: JobManager, home: Path, tmp_path: Path
) -> None:
    # Both workers start on a fresh database: its creation and every write race.
    first, second = train(manager, home), train(manager, home)
    done = [manager.wait(job.id, timeout=90) for job in (first, second)]
    client = open_client(home)
    for record in done:
        assert record.status is JobStatus.DONE, record.message
        assert Path(record.result["model_path"]).is_file()
        assert record.result["tracking"]["warnings"] == []
    versions = {record.result["tracking"]["model_version"] for record in done}
    assert versions == {"1", "2"}

    record = done[0]
    tracking = record.result["tracking"]
    assert tracking["uri"] == f"sqlite:///{home.resolve()}/tracking/mlflow.db"
    assert tracking["experiment"] == "reference"
    assert tracking["status"] == "FINISHED"
    assert tracking["model_alias"] == MODEL_ALIAS
    run = client.get_run(tracking["run_id"])
    assert run.info.run_name == record.id
    assert run.info.status == "FINISHED"
    # Every ctx.log_metrics call, with its step; the job args and the filled-in defaults.
    assert run.data.metrics["train_accuracy"] == record.metrics[0]["train_accuracy"]
    history = client.get_metric_history(run.info.run_id, "train_accuracy")
    assert [m.step for m in history] == [1]
    assert run.data.params["dataset"] == str(home / "data")
    assert "seed" in run.data.params
    assert run.data.tags["seascope.job_id"] == record.id
    assert "seascope.module_version" in run.data.tags
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"reference-model.npz", "classes.json", "job.log"} <= artifacts

    version = client.get_model_version("reference", tracking["model_version"])
    assert version.run_id == run.info.run_id
    assert version.tags["seascope.job_id"] == record.id
    alias = client.get_model_version_by_alias("reference", MODEL_ALIAS)
    assert str(alias.version) in versions

    tracker = tracker_from_uri(None, home)
    assert isinstance(tracker, MLflowTracker)
    weights = tracker.download_model(
        "reference", tmp_path / "dl", version=tracking["model_version"]
    )
    assert weights.read_bytes() == Path(record.result["model_path"]).read_bytes()


@requires_mlflow
@pytest.mark.usefixtures("embedded")
def test_a_failed_job_ends_its_run_failed(manager: JobManager, home: Path, client: Any) -> None:
    failed = manager.wait(train(manager, home, "/no/such/folder").id, timeout=90)
    assert failed.status is JobStatus.ERROR
    assert failed.message == "dataset folder not found: /no/such/folder"
    run = run_of(client, "reference", failed.id)
    assert run.info.status == "FAILED"
    assert "job.log" in {a.path for a in client.list_artifacts(run.info.run_id)}


@requires_mlflow
@pytest.mark.usefixtures("embedded")
def test_a_cancelled_job_ends_its_run_killed(manager: JobManager, client: Any) -> None:
    record = manager.submit(module="sleepy", runner=SLEEPY, args={"seconds": 60})
    deadline = time.monotonic() + 60
    while manager.get(record.id).progress.get("done", 0) < 2:
        assert time.monotonic() < deadline, "the job never made progress"
        time.sleep(0.05)
    assert run_of(client, "sleepy", record.id, ended=False).data.params == {"seconds": "60"}
    assert manager.cancel(record.id).status is JobStatus.CANCELLED
    assert run_of(client, "sleepy", record.id).info.status == "KILLED"


@requires_mlflow
@pytest.mark.usefixtures("embedded")
def test_other_runners_results_stay_exactly_as_returned(manager: JobManager, client: Any) -> None:
    # A DEEPaaS module's output is part of the DEEPaaS wire format: it is not touched,
    # but the job is tracked all the same.
    done = manager.wait(
        manager.submit(module="sleepy", runner=SLEEPY, args={"seconds": 0.2}).id, timeout=90
    )
    assert done.status is JobStatus.DONE, done.message
    assert set(done.result) == {"module", "pid"}
    run = run_of(client, "sleepy", done.id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics == {"loss": 0.5}
    assert f"tracking: run {run.info.run_id}" in done.log_path.read_text()


@requires_mlflow
def test_an_unreachable_server_does_not_cost_the_result(
    manager: JobManager, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRACKING_URI_VARIABLE, closed_port_url())
    done = manager.wait(train(manager, home).id, timeout=90)
    assert done.status is JobStatus.DONE, done.message
    assert Path(done.result["model_path"]).is_file()
    tracking = done.result["tracking"]
    assert tracking["run_id"] is None and tracking["model_version"] is None
    assert tracking["warnings"][0].startswith("could not start the run: MLflow failed")
    assert "could not start the run" in done.log_path.read_text()


def test_tracking_none_leaves_the_result_as_the_runner_made_it(
    manager: JobManager, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRACKING_URI_VARIABLE, "none")
    done = manager.wait(train(manager, home).id, timeout=90)
    assert done.status is JobStatus.DONE, done.message
    assert set(done.result) == {"model_path", "metrics", "extra"}


def test_an_unusable_tracking_uri_is_a_warning_not_a_failure(
    manager: JobManager, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRACKING_URI_VARIABLE, "ftp://nowhere")
    done = manager.wait(train(manager, home).id, timeout=90)
    assert done.status is JobStatus.DONE, done.message
    tracking = done.result["tracking"]
    assert tracking["uri"] == "none"
    assert "unsupported tracking URI" in tracking["warnings"][0]


def test_tracking_and_training_do_not_import_mlflow() -> None:
    code = (
        "import sys, seascope.tracking, seascope.training, seascope.training.worker; "
        "print('mlflow' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
