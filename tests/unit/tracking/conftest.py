"""Shared helpers of the tracking tests."""

from __future__ import annotations

import socket

import pytest

from seascope.tracking import is_mlflow_installed

requires_mlflow = pytest.mark.skipif(
    not is_mlflow_installed(),
    reason="MLflow is not installed: pip install 'seascope[tracking]' to run the MLflow tests",
)

MLFLOW_WARNINGS = [
    # MLflow 3.17's store uses a loader strategy that SQLAlchemy 2.1 deprecates; the
    # project's filterwarnings=error would turn it into a failure inside MLflow's mappers.
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]
"""Warnings raised inside MLflow itself when it runs in the test process."""


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
