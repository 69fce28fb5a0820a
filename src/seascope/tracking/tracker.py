"""The ``Tracker`` protocol: where training runs, their metrics and their models are recorded.

A tracker records *runs* grouped in *experiments* (seascope uses the module's name as the
experiment and the job id as the run name), and registers trained models as versions of
a named model with movable aliases. :class:`~seascope.tracking.NullTracker` records
nothing; :class:`~seascope.tracking.MLflowTracker` records into MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from seascope.errors import TrackingError
from seascope.types import JsonValue

__all__ = ["ModelVersionRef", "RunRef", "RunStatus", "Tracker", "tracking_error"]


class RunStatus(StrEnum):
    """How a run ended (MLflow's names)."""

    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


@dataclass(frozen=True, slots=True)
class RunRef:
    """A started run.

    Attributes:
        run_id: The tracker's id of the run (empty for the null tracker).
        run_name: The run's display name (seascope uses the job id).
        experiment: The experiment's name (seascope uses the module name).
        experiment_id: The tracker's id of the experiment.
    """

    run_id: str
    run_name: str
    experiment: str
    experiment_id: str = ""


@dataclass(frozen=True, slots=True)
class ModelVersionRef:
    """A registered model version.

    Attributes:
        name: The registered model's name (seascope uses the module name).
        version: The version number, as the tracker spells it (``"1"``, ``"2"`` ...).
        alias: The alias moved to this version, if any.
        model_id: The tracker's id of the logged model behind the version.
    """

    name: str
    version: str
    alias: str | None = None
    model_id: str = ""

    @property
    def uri(self) -> str:
        """``models:/<name>/<version>``: the URI that loads exactly this version."""
        return f"models:/{self.name}/{self.version}"


@runtime_checkable
class Tracker(Protocol):
    """Records runs, their parameters, metrics and files, and registers models.

    Every method raises a :class:`~seascope.errors.SeascopeError` when the backend fails;
    :class:`~seascope.tracking.TrackedRun` turns those into warnings for training jobs.
    """

    @property
    def uri(self) -> str:
        """Where runs go (``"none"`` for the null tracker); may hold credentials."""
        ...

    def start_run(
        self, *, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> RunRef:
        """Start a run in ``experiment`` (created when missing)."""
        ...

    def log_params(self, run: RunRef, params: Mapping[str, JsonValue]) -> None:
        """Record parameters; nested mappings become dotted names."""

    def log_metrics(
        self, run: RunRef, metrics: Mapping[str, float], *, step: int | None = None
    ) -> None:
        """Record metric values for ``step`` (``None`` means step 0)."""

    def set_tags(self, run: RunRef, tags: Mapping[str, str]) -> None:
        """Set tags on the run."""

    def log_artifact(self, run: RunRef, path: Path, *, artifact_path: str | None = None) -> None:
        """Copy one file into the run's artifacts (under ``artifact_path`` if given)."""

    def log_artifacts(
        self, run: RunRef, directory: Path, *, artifact_path: str | None = None
    ) -> None:
        """Copy a folder's content into the run's artifacts."""

    def register_model(
        self,
        run: RunRef,
        path: Path,
        *,
        name: str,
        alias: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersionRef:
        """Log the model package at ``path`` from ``run`` and register it as a new version.

        Args:
            run: The run that produced the model.
            path: The model package: a folder, or a file (its folder is the package).
            name: The registered model's name.
            alias: Moved to the new version when given.
            tags: Set on the logged model and the version.

        Returns:
            The new version.
        """
        ...

    def end_run(self, run: RunRef, status: RunStatus = RunStatus.FINISHED) -> None:
        """Mark the run as ended."""


def tracking_error(message: str) -> TrackingError:
    """The error raised when a tracking backend fails.

    Kept in one place so that every backend raises the same class.
    """
    return TrackingError(message)
