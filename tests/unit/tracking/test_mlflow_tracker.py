"""``MLflowTracker`` against a real MLflow embedded in a temporary folder (no mocks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from seascope.errors import SeascopeError
from seascope.tracking import (
    SEASCOPE_FLAVOR,
    MLflowTracker,
    RunStatus,
    TrackedRun,
    tracker_from_uri,
)
from tests.unit.tracking.conftest import MLFLOW_WARNINGS, closed_port_url, requires_mlflow

pytestmark = [requires_mlflow, *MLFLOW_WARNINGS]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seascope home for the module: MLflow's first database set-up takes seconds."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def tracker(home: Path) -> MLflowTracker:
    built = tracker_from_uri(None, home)
    assert isinstance(built, MLflowTracker)
    return built


@pytest.fixture
def client(tracker: MLflowTracker) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracker.uri, registry_uri=tracker.uri)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A model package: a weights file and a class list in one folder."""
    folder = tmp_path / "output"
    folder.mkdir()
    (folder / "weights.npz").write_bytes(b"weights")
    (folder / "classes.json").write_text(json.dumps(["chain", "disc"]))
    (folder / "report").mkdir()
    (folder / "report" / "confusion.csv").write_text("a,b\n1,0\n")
    return folder


@pytest.fixture
def registry_env(tracker: MLflowTracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point MLflow's global URIs at the embedded store, as a user's shell would."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracker.uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", tracker.uri)


def test_params_metrics_tags_and_artifacts_round_trip(
    tracker: MLflowTracker, client: Any, package: Path, home: Path
) -> None:
    run = tracker.start_run(experiment="roundtrip", run_name="job-1", tags={"seascope.job_id": "1"})
    tracker.log_params(run, {"dataset": "/data", "augment": {"flip": True}, "sizes": [1, 2]})
    for step, loss in enumerate([0.9, 0.5, 0.2], start=1):
        tracker.log_metrics(run, {"loss": loss, "accuracy": 1 - loss}, step=step)
    tracker.set_tags(run, {"seascope.module_version": "1.2"})
    tracker.log_artifacts(run, package)
    tracker.log_artifact(run, package / "classes.json", artifact_path="extra")
    tracker.end_run(run)

    stored = client.get_run(run.run_id)
    assert stored.info.run_name == "job-1"
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"dataset": "/data", "augment.flip": "True", "sizes": "[1,2]"}
    assert stored.data.metrics == {"loss": 0.2, "accuracy": pytest.approx(0.8)}
    assert stored.data.tags["seascope.job_id"] == "1"
    assert stored.data.tags["seascope.module_version"] == "1.2"
    history = client.get_metric_history(run.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(1, 0.9), (2, 0.5), (3, 0.2)]
    listed = {a.path for a in client.list_artifacts(run.run_id)}
    assert listed == {"weights.npz", "classes.json", "report", "extra"}

    # Artifacts live under the home, in the experiment's own folder, not in ./mlruns.
    experiment = client.get_experiment(run.experiment_id)
    root = (home / "tracking" / "artifacts" / "roundtrip").resolve()
    assert experiment.artifact_location == root.as_uri()
    assert (root / run.run_id / "artifacts" / "report" / "confusion.csv").is_file()
    assert not Path("mlruns").exists()


@pytest.mark.usefixtures("registry_env")
def test_a_registered_version_resolves_through_its_alias(
    tracker: MLflowTracker, client: Any, package: Path, tmp_path: Path
) -> None:
    from mlflow.artifacts import download_artifacts

    run = tracker.start_run(experiment="registry", run_name="job-1")
    version = tracker.register_model(
        run, package / "weights.npz", name="registry-demo", alias="candidate", tags={"job": "1"}
    )
    tracker.end_run(run)
    assert version.version == "1" and version.uri == "models:/registry-demo/1"

    found = client.get_model_version_by_alias("registry-demo", "candidate")
    assert str(found.version) == "1"
    assert found.run_id == run.run_id
    assert found.tags["job"] == "1"
    logged = client.get_logged_model(version.model_id)
    assert logged.source_run_id == run.run_id
    assert logged.status.to_proto() == logged.status.READY.to_proto()

    # The MLflow way: models:/<name>@<alias> downloads the package files and an MLmodel.
    local = Path(
        download_artifacts("models:/registry-demo@candidate", dst_path=str(tmp_path / "dl"))
    )
    files = {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    assert {"weights.npz", "classes.json", "report/confusion.csv", "MLmodel"} <= files
    assert (local / "weights.npz").read_bytes() == b"weights"
    assert f"{SEASCOPE_FLAVOR}:" in (local / "MLmodel").read_text()

    # The seascope way: straight to the path a module's setup accepts as weights.
    weights = tracker.download_model("registry-demo", tmp_path / "mine", alias="candidate")
    assert weights.name == "weights.npz" and weights.read_bytes() == b"weights"


def test_a_new_version_takes_the_alias(tracker: MLflowTracker, client: Any, package: Path) -> None:
    versions = []
    for job in ("a", "b"):
        run = tracker.start_run(experiment="moving", run_name=job)
        versions.append(tracker.register_model(run, package, name="moving", alias="candidate"))
        tracker.end_run(run)
    assert [v.version for v in versions] == ["1", "2"]
    assert str(client.get_model_version_by_alias("moving", "candidate").version) == "2"
    assert client.get_model_version("moving", "1").aliases == []


def test_run_status_is_recorded(tracker: MLflowTracker, client: Any) -> None:
    for status in (RunStatus.FAILED, RunStatus.KILLED):
        run = tracker.start_run(experiment="statuses", run_name=status.value)
        tracker.end_run(run, status)
        assert client.get_run(run.run_id).info.status == status.value


def test_mlflow_errors_become_seascope_errors(tracker: MLflowTracker, package: Path) -> None:
    run = tracker.start_run(experiment="errors", run_name="job")
    with pytest.raises(SeascopeError, match="logging metrics"):
        tracker.log_metrics(run, {"bad key?!": 1.0})
    with pytest.raises(SeascopeError, match="does not exist"):
        tracker.register_model(run, package / "absent.npz", name="errors")
    with pytest.raises(SeascopeError, match="'latest' alias name"):
        tracker.register_model(run, package, name="errors", alias="latest")


def test_an_unreachable_server_fails_fast_and_the_run_goes_on(tmp_path: Path) -> None:
    tracked = TrackedRun(tracker_from_uri(closed_port_url(), tmp_path))
    started = time.monotonic()
    assert not tracked.start(experiment="m", run_name="job")
    tracked.log_metrics({"loss": 1.0})
    tracked.end()
    assert time.monotonic() - started < 15
    summary = tracked.summary()
    assert summary is not None
    assert "could not start the run" in summary["warnings"][0]  # type: ignore[index]


def test_telemetry_is_off(tracker: MLflowTracker, home: Path) -> None:
    # A clean environment: no CI markers or pytest variable that would switch MLflow's
    # telemetry off by themselves, so only seascope's own setting can.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_", "PYTEST", "GITHUB", "CI")) and k != "DO_NOT_TRACK"
    }
    tracker.start_run(experiment="telemetry", run_name="creates the database first")
    code = (
        "import os, sys; from pathlib import Path; "
        "from seascope.tracking import tracker_from_uri; "
        "t = tracker_from_uri(None, Path(sys.argv[1])); "
        "t.end_run(t.start_run(experiment='m', run_name='r')); "
        "from mlflow.telemetry.client import get_telemetry_client; "
        "from mlflow.telemetry.utils import is_telemetry_disabled; "
        "print(os.environ['MLFLOW_DISABLE_TELEMETRY'], is_telemetry_disabled(), "
        "get_telemetry_client() is None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["true", "True", "True"]
