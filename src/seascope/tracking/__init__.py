"""Experiment tracking: the ``Tracker`` protocol, a null tracker and the MLflow adapter.

Importing this package does not import MLflow; :class:`MLflowTracker` imports it on its
first call.
"""

from seascope.tracking.factory import (
    DISABLED,
    default_tracking_uri,
    is_mlflow_installed,
    redact_uri,
    tracker_from_uri,
)
from seascope.tracking.mlflow_tracker import SEASCOPE_FLAVOR, MLflowTracker
from seascope.tracking.null import NullTracker
from seascope.tracking.params import flatten_params
from seascope.tracking.tracked_run import TrackedRun
from seascope.tracking.tracker import ModelVersionRef, RunRef, RunStatus, Tracker

__all__ = [
    "DISABLED",
    "SEASCOPE_FLAVOR",
    "MLflowTracker",
    "ModelVersionRef",
    "NullTracker",
    "RunRef",
    "RunStatus",
    "TrackedRun",
    "Tracker",
    "default_tracking_uri",
    "flatten_params",
    "is_mlflow_installed",
    "redact_uri",
    "tracker_from_uri",
]
