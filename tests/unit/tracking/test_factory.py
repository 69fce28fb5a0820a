"""``tracker_from_uri`` picks the tracker for the SEASCOPE_TRACKING_URI setting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from seascope.errors import ConfigError
from seascope.tracking import (
    MLflowTracker,
    NullTracker,
    default_tracking_uri,
    redact_uri,
    tracker_from_uri,
)
from tests.unit.tracking.conftest import requires_mlflow


@pytest.fixture
def without_mlflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``mlflow`` look uninstalled (a ``None`` entry hides a module from imports)."""
    monkeypatch.setitem(sys.modules, "mlflow", None)


@pytest.mark.parametrize("uri", ["none", "NONE", " none "])
def test_none_turns_tracking_off(uri: str, tmp_path: Path) -> None:
    assert isinstance(tracker_from_uri(uri, tmp_path), NullTracker)


def test_default_uri_is_sqlite_in_the_home(tmp_path: Path) -> None:
    assert default_tracking_uri(tmp_path) == f"sqlite:///{tmp_path.resolve()}/tracking/mlflow.db"


@requires_mlflow
@pytest.mark.parametrize("uri", [None, ""])
def test_the_default_is_mlflow_embedded_in_the_home(uri: str | None, tmp_path: Path) -> None:
    tracker = tracker_from_uri(uri, tmp_path)
    assert isinstance(tracker, MLflowTracker)
    assert tracker.uri == default_tracking_uri(tmp_path)
    assert tracker.artifact_root == tmp_path.resolve() / "tracking" / "artifacts"
    assert not (tmp_path / "tracking").exists()  # nothing is opened before the first call


@requires_mlflow
def test_a_sqlite_uri_keeps_artifacts_beside_the_database(tmp_path: Path) -> None:
    tracker = tracker_from_uri(f"sqlite:///{tmp_path}/elsewhere/runs.db", tmp_path / "home")
    assert isinstance(tracker, MLflowTracker)
    assert tracker.artifact_root == tmp_path / "elsewhere" / "artifacts"


@requires_mlflow
def test_a_server_decides_where_artifacts_go(tmp_path: Path) -> None:
    tracker = tracker_from_uri("https://mlflow.example.org", tmp_path)
    assert isinstance(tracker, MLflowTracker)
    assert tracker.artifact_root is None


@requires_mlflow
def test_a_database_url_keeps_artifacts_in_the_home(tmp_path: Path) -> None:
    tracker = tracker_from_uri("postgresql://u:p@db/mlflow", tmp_path)
    assert isinstance(tracker, MLflowTracker)
    assert tracker.artifact_root == tmp_path.resolve() / "tracking" / "artifacts"


@pytest.mark.parametrize(
    ("uri", "hint"),
    [
        ("./mlruns", "file store is deprecated"),
        ("file:///tmp/mlruns", "file store is deprecated"),
        ("ftp://example.org", "unsupported tracking URI"),
        ("http://[::1", "cannot be parsed"),
    ],
)
def test_unusable_uris_are_config_errors(uri: str, hint: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=hint):
        tracker_from_uri(uri, tmp_path)


@pytest.mark.usefixtures("without_mlflow")
def test_an_explicit_uri_without_mlflow_says_which_extra_to_install(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pip install 'seascope\[tracking\]'"):
        tracker_from_uri("http://127.0.0.1:5000", tmp_path)


@pytest.mark.usefixtures("without_mlflow")
def test_the_default_without_mlflow_falls_back_to_no_tracking(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(tracker_from_uri(None, tmp_path), NullTracker)
    assert "MLflow is not installed" in caplog.text


def test_passwords_are_redacted() -> None:
    assert redact_uri("postgresql://ml:s3cret@db:5432/x") == "postgresql://ml:***@db:5432/x"
    assert redact_uri("http://127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert "s3cret" not in redact_uri("http://ml:s3cret@[::1")
