"""``NullTracker``: the tracker that records nothing (tracking turned off)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from seascope.tracking.tracker import ModelVersionRef, RunRef, RunStatus
from seascope.types import JsonValue

__all__ = ["NullTracker"]


class NullTracker:
    """A :class:`~seascope.tracking.Tracker` that accepts every call and keeps nothing.

    Example:
        >>> tracker = NullTracker()
        >>> run = tracker.start_run(experiment="reference", run_name="job-1")
        >>> tracker.register_model(run, Path("model"), name="reference").version
        ''
    """

    @property
    def uri(self) -> str:
        """Always ``"none"``."""
        return "none"

    def start_run(
        self,
        *,
        experiment: str,
        run_name: str,
        tags: Mapping[str, str] | None = None,  # noqa: ARG002 - nothing to record
    ) -> RunRef:
        """A run reference with an empty id."""
        return RunRef(run_id="", run_name=run_name, experiment=experiment)

    def log_params(self, run: RunRef, params: Mapping[str, JsonValue]) -> None:
        """Do nothing."""

    def log_metrics(
        self, run: RunRef, metrics: Mapping[str, float], *, step: int | None = None
    ) -> None:
        """Do nothing."""

    def set_tags(self, run: RunRef, tags: Mapping[str, str]) -> None:
        """Do nothing."""

    def log_artifact(self, run: RunRef, path: Path, *, artifact_path: str | None = None) -> None:
        """Do nothing."""

    def log_artifacts(
        self, run: RunRef, directory: Path, *, artifact_path: str | None = None
    ) -> None:
        """Do nothing."""

    def register_model(
        self,
        run: RunRef,  # noqa: ARG002 - nothing to record
        path: Path,  # noqa: ARG002
        *,
        name: str,
        alias: str | None = None,
        tags: Mapping[str, str] | None = None,  # noqa: ARG002
    ) -> ModelVersionRef:
        """A version reference with an empty version."""
        return ModelVersionRef(name=name, version="", alias=alias)

    def end_run(self, run: RunRef, status: RunStatus = RunStatus.FINISHED) -> None:
        """Do nothing."""
