"""A ``TrackedRun`` never lets a tracker failure escape: it records warnings instead."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from seascope.errors import SeascopeError
from seascope.tracking import (
    ModelVersionRef,
    NullTracker,
    RunRef,
    RunStatus,
    TrackedRun,
    Tracker,
)
from seascope.types import JsonValue


class FlakyTracker:
    """A tracker that records calls and fails the ones named in ``failing``."""

    uri = "http://user:secret@tracker.test"

    def __init__(self, failing: set[str] | None = None) -> None:
        self.failing = failing or set()
        self.calls: list[tuple[str, object]] = []

    def _record(self, name: str, value: object = None) -> None:
        self.calls.append((name, value))
        if name in self.failing:
            raise SeascopeError(f"{name} failed")

    def start_run(
        self, *, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> RunRef:
        self._record("start_run", dict(tags or {}))
        return RunRef(run_id="r1", run_name=run_name, experiment=experiment, experiment_id="7")

    def log_params(self, run: RunRef, params: Mapping[str, JsonValue]) -> None:
        self._record("log_params", dict(params))

    def log_metrics(
        self, run: RunRef, metrics: Mapping[str, float], *, step: int | None = None
    ) -> None:
        self._record("log_metrics", (dict(metrics), step))

    def set_tags(self, run: RunRef, tags: Mapping[str, str]) -> None:
        self._record("set_tags", dict(tags))

    def log_artifact(self, run: RunRef, path: Path, *, artifact_path: str | None = None) -> None:
        self._record("log_artifact", path.name)

    def log_artifacts(
        self, run: RunRef, directory: Path, *, artifact_path: str | None = None
    ) -> None:
        self._record("log_artifacts", directory.name)

    def register_model(
        self,
        run: RunRef,
        path: Path,
        *,
        name: str,
        alias: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersionRef:
        self._record("register_model", dict(tags or {}))
        return ModelVersionRef(name=name, version="3", alias=alias, model_id="m-1")

    def end_run(self, run: RunRef, status: RunStatus = RunStatus.FINISHED) -> None:
        self._record("end_run", status)


def names(tracker: FlakyTracker) -> list[str]:
    return [name for name, _ in tracker.calls]


def test_the_fake_tracker_satisfies_the_protocol() -> None:
    assert isinstance(FlakyTracker(), Tracker)
    assert isinstance(NullTracker(), Tracker)


def test_a_full_run_is_summarised_without_the_password(tmp_path: Path) -> None:
    tracker = FlakyTracker()
    run = TrackedRun(tracker)
    assert run.start(experiment="reference", run_name="job-1", tags={"seascope.job_id": "job-1"})
    run.log_params({"dataset": "/data", "seed": 0})
    run.log_params({"dataset": "/elsewhere", "epochs": 3})  # dataset keeps its first value
    run.set_tags({"seascope.module_version": "1.0"})
    run.log_metrics({"loss": 0.5}, step=2)
    (tmp_path / "model.npz").write_bytes(b"x")
    run.log_artifacts(tmp_path)
    assert run.register_model(tmp_path / "model.npz", name="reference", alias="candidate")
    run.end()
    run.end(RunStatus.FAILED)  # ignored: the run has ended
    assert tracker.calls == [
        ("start_run", {"seascope.job_id": "job-1"}),
        ("log_params", {"dataset": "/data", "seed": "0"}),
        ("log_params", {"epochs": "3"}),
        ("set_tags", {"seascope.module_version": "1.0"}),
        ("log_metrics", ({"loss": 0.5}, 2)),
        ("log_artifacts", tmp_path.name),
        ("register_model", {"seascope.job_id": "job-1", "seascope.module_version": "1.0"}),
        ("end_run", RunStatus.FINISHED),
    ]
    assert run.metric_names == {"loss"}
    assert run.summary() == {
        "uri": "http://user:***@tracker.test",
        "experiment": "reference",
        "experiment_id": "7",
        "run_id": "r1",
        "status": "FINISHED",
        "model_name": "reference",
        "model_version": "3",
        "model_alias": "candidate",
        "model_uri": "models:/reference/3",
        "warnings": [],
    }


def test_a_run_that_cannot_start_tracks_nothing_more() -> None:
    tracker = FlakyTracker(failing={"start_run"})
    run = TrackedRun(tracker)
    assert not run.start(experiment="m", run_name="job")
    run.log_metrics({"loss": 1.0})
    run.end()
    assert names(tracker) == ["start_run"]
    summary = run.summary()
    assert summary is not None
    assert summary["run_id"] is None
    assert summary["warnings"] == [
        "could not start the run: start_run failed",
        "experiment tracking is off for the rest of this job",
    ]


def test_repeated_failures_turn_tracking_off() -> None:
    tracker = FlakyTracker(failing={"log_metrics"})
    run = TrackedRun(tracker, max_failures=2)
    run.start(experiment="m", run_name="job")
    for step in range(5):
        run.log_metrics({"loss": 1.0}, step=step)
    run.end()
    assert names(tracker) == ["start_run", "log_metrics", "log_metrics"]
    assert not run.is_active
    assert run.warnings[-1] == "experiment tracking is off for the rest of this job"


def test_missing_files_are_skipped(tmp_path: Path) -> None:
    tracker = FlakyTracker()
    run = TrackedRun(tracker)
    run.start(experiment="m", run_name="job")
    run.log_artifact(tmp_path / "absent.log")
    run.log_artifacts(tmp_path / "absent")
    run.log_artifacts(tmp_path)  # empty
    assert names(tracker) == ["start_run"]


def test_the_null_tracker_leaves_no_summary() -> None:
    run = TrackedRun(NullTracker())
    assert run.start(experiment="m", run_name="job")
    run.log_metrics({"loss": 1.0})
    assert run.register_model(Path("model"), name="m") is None
    run.end()
    assert run.summary() is None


def test_a_warning_alone_is_reported() -> None:
    run = TrackedRun(NullTracker())
    run.warn("experiment tracking is off for this job: no MLflow")
    summary = run.summary()
    assert summary is not None
    assert summary["uri"] == "none"
    assert summary["warnings"] == ["experiment tracking is off for this job: no MLflow"]
