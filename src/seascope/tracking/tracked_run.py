"""``TrackedRun``: one run driven through a tracker that is never allowed to break the job.

Training must not fail, or lose its result, because the tracking server is down or the
tracking database is busy. Every tracker call made through a ``TrackedRun`` turns a
failure into a recorded warning; the run stops tracking when it could not start, or after
``max_failures`` failed calls (so a dead server costs a few seconds, not one timeout per
metric).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from seascope.tracking.factory import redact_uri
from seascope.tracking.null import NullTracker
from seascope.tracking.params import flatten_params
from seascope.tracking.tracker import ModelVersionRef, RunRef, RunStatus, Tracker
from seascope.types import JsonValue

__all__ = ["TrackedRun"]

_log = logging.getLogger("seascope.tracking")

_T = TypeVar("_T")


class TrackedRun:
    """A run whose tracker failures become warnings.

    Args:
        tracker: Where the run is recorded (a :class:`NullTracker` records nothing and
            produces no summary).
        max_failures: Failed calls after which the run stops calling the tracker.

    Example:
        >>> run = TrackedRun(NullTracker())
        >>> run.start(experiment="reference", run_name="job-1")
        True
        >>> run.log_metrics({"loss": 0.5}, step=1)
        >>> run.summary() is None
        True
    """

    def __init__(self, tracker: Tracker, *, max_failures: int = 3) -> None:
        self._tracker = tracker
        self._max_failures = max_failures
        self._lock = threading.Lock()
        self._run: RunRef | None = None
        self._model: ModelVersionRef | None = None
        self._status: RunStatus | None = None
        self._failures = 0
        self._disabled = isinstance(tracker, NullTracker)
        self._warnings: list[str] = []
        self._params: dict[str, str] = {}
        self._metric_names: set[str] = set()
        self._tags: dict[str, str] = {}

    @property
    def tracker(self) -> Tracker:
        """The tracker behind this run."""
        return self._tracker

    @property
    def run(self) -> RunRef | None:
        """The started run, if it started."""
        return self._run

    @property
    def model(self) -> ModelVersionRef | None:
        """The registered model version, once registered."""
        return self._model

    @property
    def warnings(self) -> list[str]:
        """What went wrong, oldest first."""
        with self._lock:
            return list(self._warnings)

    @property
    def metric_names(self) -> frozenset[str]:
        """Names of the metrics logged so far."""
        with self._lock:
            return frozenset(self._metric_names)

    @property
    def is_active(self) -> bool:
        """Whether calls still reach the tracker."""
        return self._run is not None and not self._disabled and self._status is None

    def start(
        self, *, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> bool:
        """Start the run; returns whether it started (a failure turns tracking off)."""
        if self._disabled:
            return isinstance(self._tracker, NullTracker)
        self._tags.update(tags or {})
        run = self._attempt(
            "start the run",
            lambda: self._tracker.start_run(experiment=experiment, run_name=run_name, tags=tags),
            fatal=True,
        )
        self._run = run
        return run is not None

    def log_params(self, params: Mapping[str, JsonValue]) -> None:
        """Record parameters; a name logged before keeps its first value."""
        with self._lock:
            fresh = {k: v for k, v in flatten_params(params).items() if k not in self._params}
            self._params.update(fresh)
        if fresh:
            self._call("log parameters", lambda run: self._tracker.log_params(run, fresh))

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Record metric values for ``step``."""
        with self._lock:
            self._metric_names.update(metrics)
        self._call("log metrics", lambda run: self._tracker.log_metrics(run, metrics, step=step))

    def set_tags(self, tags: Mapping[str, str]) -> None:
        """Set tags on the run (and on the model registered later)."""
        self._tags.update(tags)
        self._call("set tags", lambda run: self._tracker.set_tags(run, tags))

    def log_artifact(self, path: Path, *, artifact_path: str | None = None) -> None:
        """Copy one file into the run's artifacts, if it exists."""
        if path.is_file():
            self._call(
                f"log {path.name}",
                lambda run: self._tracker.log_artifact(run, path, artifact_path=artifact_path),
            )

    def log_artifacts(self, directory: Path, *, artifact_path: str | None = None) -> None:
        """Copy a folder's content into the run's artifacts, if it has any."""
        if directory.is_dir() and any(directory.iterdir()):
            self._call(
                f"log the files in {directory.name}/",
                lambda run: self._tracker.log_artifacts(
                    run, directory, artifact_path=artifact_path
                ),
            )

    def register_model(
        self, path: Path, *, name: str, alias: str | None = None
    ) -> ModelVersionRef | None:
        """Register the model package at ``path`` as a new version of ``name``."""
        # MLflow's own tags (mlflow.user ...) describe the run, not the model.
        tags = {k: v for k, v in self._tags.items() if not k.startswith("mlflow.")}
        model = self._call(
            f"register the model as {name!r}",
            lambda run: self._tracker.register_model(run, path, name=name, alias=alias, tags=tags),
        )
        if model is not None:
            self._model = model
        return model

    def end(self, status: RunStatus = RunStatus.FINISHED) -> None:
        """End the run with ``status`` (later calls do nothing)."""
        if self._status is not None:
            return
        self._call("end the run", lambda run: self._tracker.end_run(run, status))
        self._status = status

    def summary(self) -> dict[str, JsonValue] | None:
        """What a job result records about tracking; ``None`` when tracking was off.

        Keys: ``uri`` (without password), ``experiment``, ``experiment_id``, ``run_id``,
        ``status``, ``model_name``, ``model_version``, ``model_alias``, ``model_uri``
        and ``warnings``.
        """
        if isinstance(self._tracker, NullTracker) and not self._warnings:
            return None
        run, model = self._run, self._model
        return {
            "uri": redact_uri(self._tracker.uri),
            "experiment": run.experiment if run else None,
            "experiment_id": run.experiment_id if run else None,
            "run_id": run.run_id if run else None,
            "status": self._status.value if self._status and run else None,
            "model_name": model.name if model else None,
            "model_version": model.version if model else None,
            "model_alias": model.alias if model else None,
            "model_uri": model.uri if model else None,
            "warnings": self.warnings,
        }

    def warn(self, message: str) -> None:
        """Record a warning about tracking that happened outside the tracker's calls."""
        with self._lock:
            self._warnings.append(message)
        _log.warning("tracking: %s", message)

    def _call(self, what: str, operation: Callable[[RunRef], _T]) -> _T | None:
        run = self._run
        if run is None or not self.is_active:
            return None
        return self._attempt(what, lambda: operation(run), fatal=False)

    def _attempt(self, what: str, operation: Callable[[], _T], *, fatal: bool) -> _T | None:
        try:
            return operation()
        except Exception as exc:  # noqa: BLE001 - tracking must never break training
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            with self._lock:
                self._failures += 1
                self._warnings.append(f"could not {what}: {message}")
                if fatal or self._failures >= self._max_failures:
                    self._disabled = True
                    self._warnings.append("experiment tracking is off for the rest of this job")
            _log.warning("tracking: could not %s: %s", what, message)
            return None
