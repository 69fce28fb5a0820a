"""Choosing a tracker from a tracking URI (the ``SEASCOPE_TRACKING_URI`` setting)."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from seascope.errors import ConfigError
from seascope.tracking.mlflow_tracker import MLflowTracker
from seascope.tracking.null import NullTracker
from seascope.tracking.tracker import Tracker

__all__ = [
    "DISABLED",
    "INSTALL_HINT",
    "default_tracking_uri",
    "is_mlflow_installed",
    "redact_uri",
    "tracker_from_uri",
]

_log = logging.getLogger("seascope.tracking")

DISABLED = "none"
"""The tracking URI that turns tracking off."""

INSTALL_HINT = "pip install 'seascope[tracking]'"

_DATABASE_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")
_SERVER_SCHEMES = ("http", "https", "databricks", "databricks-uc")


def default_tracking_uri(home: Path) -> str:
    """The embedded store of a seascope home: ``sqlite:///<home>/tracking/mlflow.db``.

    Example:
        >>> default_tracking_uri(Path("/srv/seascope"))
        'sqlite:////srv/seascope/tracking/mlflow.db'
    """
    return f"sqlite:///{(home.resolve() / 'tracking' / 'mlflow.db').as_posix()}"


def is_mlflow_installed() -> bool:
    """Whether MLflow can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("mlflow") is not None
    except (ImportError, ValueError):
        return False


def tracker_from_uri(uri: str | None, home: Path) -> Tracker:
    """Build the tracker for ``uri``.

    * ``None`` or ``""``: MLflow embedded in ``<home>/tracking`` (SQLite + local artifact
      folder). Without MLflow installed this falls back to :class:`NullTracker` and logs
      a warning: tracking is the default, not something the user asked for.
    * ``"none"``: :class:`NullTracker`.
    * ``sqlite:///<file>``: MLflow in that file, artifacts in ``artifacts/`` beside it.
    * ``postgresql://``, ``mysql://``, ``mssql://``: MLflow in that database, artifacts in
      ``<home>/tracking/artifacts`` (only this machine sees them: use a server to share).
    * ``http(s)://``, ``databricks``: an MLflow server, which decides where artifacts go.

    Args:
        uri: The tracking URI (``SEASCOPE_TRACKING_URI``).
        home: The seascope home.

    Returns:
        The tracker; nothing is opened or imported yet.

    Raises:
        ConfigError: ``uri`` was given explicitly but MLflow is not installed, or the URI
            is one MLflow cannot use (a bare path, the deprecated file store ...).

    Example:
        >>> tracker_from_uri("none", Path("/tmp")).uri
        'none'
    """
    text = (uri or "").strip()
    if text.lower() == DISABLED:
        return NullTracker()
    if not text:
        if not is_mlflow_installed():
            _log.warning("experiment tracking is off: MLflow is not installed (%s)", INSTALL_HINT)
            return NullTracker()
        return MLflowTracker(
            default_tracking_uri(home), artifact_root=home.resolve() / "tracking" / "artifacts"
        )
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ConfigError(f"tracking URI {redact_uri(text)!r} cannot be parsed: {exc}") from exc
    base = parts.scheme.lower().split("+", 1)[0]
    if base not in _DATABASE_SCHEMES and base not in _SERVER_SCHEMES:
        raise ConfigError(
            f"unsupported tracking URI {redact_uri(text)!r}: use 'none', sqlite:///<file>, "
            "http(s)://<mlflow server> or a database URL (postgresql://, mysql://, mssql://)"
            + (" (MLflow's file store is deprecated)" if base in ("", "file") else "")
        )
    if not is_mlflow_installed():
        raise ConfigError(f"tracking URI {redact_uri(text)!r} needs MLflow: {INSTALL_HINT}")
    if base == "sqlite":
        database = parts.path[1:]
        root = (Path(database).parent if database else home / "tracking") / "artifacts"
        return MLflowTracker(text, artifact_root=root.resolve())
    if base in _DATABASE_SCHEMES:
        return MLflowTracker(text, artifact_root=home.resolve() / "tracking" / "artifacts")
    return MLflowTracker(text)


def redact_uri(uri: str) -> str:
    """``uri`` without a password (safe to show in job results and logs).

    Example:
        >>> redact_uri("postgresql://mlflow:secret@db:5432/mlflow")
        'postgresql://mlflow:***@db:5432/mlflow'
    """
    try:
        parts = urlsplit(uri)
        password = parts.password
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        # Unparsable: keep only what precedes any credentials.
        return uri.split("@", 1)[-1] if "@" in uri else uri
    if password is None:
        return uri
    user = parts.username or ""
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
