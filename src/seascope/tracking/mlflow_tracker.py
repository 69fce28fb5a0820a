"""``MLflowTracker``: runs, metrics, artifacts and registered models in MLflow 3.

This is the only module of seascope that imports ``mlflow``, and it does so inside
methods: importing it costs nothing. ``mlflow-skinny`` with ``sqlalchemy`` and ``alembic``
is enough (``pip install 'seascope[tracking]'``).

Embedded by default: ``sqlite:///<home>/tracking/mlflow.db`` with every experiment's
artifacts under ``<home>/tracking/artifacts/<experiment>`` (set explicitly: MLflow would
otherwise put them in ``./mlruns`` of whatever folder the process runs in). Any other
MLflow tracking URI works the same way (``http://``/``https://`` for a shared server,
``postgresql://`` ...).

Models are registered the MLflow 3 way: a *logged model* (``models:/m-<id>``) holding the
seascope model package plus an ``MLmodel`` file with a ``seascope`` flavor, created from
the run, then a registry version pointing at it and an alias moved to that version.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from seascope._version import __version__
from seascope.tracking.params import flatten_params
from seascope.tracking.tracker import ModelVersionRef, RunRef, RunStatus, tracking_error
from seascope.types import JsonValue

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.entities.model_registry import ModelVersion

__all__ = ["MLFLOW_ENVIRONMENT", "MODEL_PATH_TAG", "MLflowTracker", "SEASCOPE_FLAVOR"]

_log = logging.getLogger("seascope.tracking")

_T = TypeVar("_T")

SEASCOPE_FLAVOR = "seascope"
"""Name of the ``MLmodel`` flavor that describes a seascope model package."""

MLFLOW_ENVIRONMENT: Mapping[str, str] = {
    # Telemetry is off in seascope unless the operator turns it on explicitly.
    "MLFLOW_DISABLE_TELEMETRY": "true",
    # MLflow's defaults (7 retries, backoff factor 2, 120 s timeout) keep a training job
    # waiting about four minutes per call when a server is down; a job should notice
    # quickly and go on without tracking.
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    # Progress bars would fill job logs with carriage returns.
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}
"""MLflow variables set (when not set already) before MLflow is first imported."""

MODEL_PATH_TAG = "seascope.model_path"
"""Tag of a logged model and its versions: the model file inside the package (or ".")."""

_PARAMS_PER_BATCH = 100  # MLflow's log_batch limits
_METRICS_PER_BATCH = 1000
_LOCKED_RETRIES = 3


class MLflowTracker:
    """A :class:`~seascope.tracking.Tracker` that records into MLflow.

    Building one is cheap and imports nothing; MLflow is imported and the store opened on
    the first call. One instance serves one process (it is not shared across forks).

    Args:
        uri: MLflow tracking URI (``sqlite:///...``, ``http(s)://...``, ``postgresql://...``).
        artifact_root: Folder for the artifacts of experiments this tracker creates;
            ``None`` lets the backend decide (right for a server that serves artifacts).
        registry_uri: Model registry URI; defaults to ``uri``.

    Example:
        >>> tracker = MLflowTracker(
        ...     "sqlite:////tmp/home/tracking/mlflow.db",
        ...     artifact_root=Path("/tmp/home/tracking/artifacts"),
        ... )
        >>> tracker.uri
        'sqlite:////tmp/home/tracking/mlflow.db'
    """

    def __init__(
        self, uri: str, *, artifact_root: Path | None = None, registry_uri: str | None = None
    ) -> None:
        self._uri = uri
        self._registry_uri = registry_uri or uri
        self._artifact_root = artifact_root
        self._client_instance: MlflowClient | None = None
        self._opening = threading.Lock()
        self._experiments: dict[str, str] = {}

    @property
    def uri(self) -> str:
        """The tracking URI."""
        return self._uri

    @property
    def artifact_root(self) -> Path | None:
        """Folder of the artifacts of experiments this tracker creates."""
        return self._artifact_root

    def start_run(
        self, *, experiment: str, run_name: str, tags: Mapping[str, str] | None = None
    ) -> RunRef:
        """Start a run in ``experiment``, creating the experiment when missing."""
        experiment_id = self._experiment_id(experiment)
        run = self._call(
            f"starting a run in experiment {experiment!r}",
            lambda client: client.create_run(
                experiment_id, run_name=run_name, tags=dict(tags or {})
            ),
        )
        return RunRef(
            run_id=run.info.run_id,
            run_name=run_name,
            experiment=experiment,
            experiment_id=experiment_id,
        )

    def log_params(self, run: RunRef, params: Mapping[str, JsonValue]) -> None:
        """Record parameters (flattened to dotted names, values as strings)."""
        from mlflow.entities import Param

        items = [Param(key, value) for key, value in flatten_params(params).items()]
        for chunk in _chunks(items, _PARAMS_PER_BATCH):
            self._log_batch("logging parameters", run.run_id, params=chunk)

    def log_metrics(
        self, run: RunRef, metrics: Mapping[str, float], *, step: int | None = None
    ) -> None:
        """Record metric values for ``step``."""
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(key, float(value), now, step or 0) for key, value in metrics.items()]
        for chunk in _chunks(items, _METRICS_PER_BATCH):
            self._log_batch("logging metrics", run.run_id, metrics=chunk)

    def set_tags(self, run: RunRef, tags: Mapping[str, str]) -> None:
        """Set tags on the run."""
        from mlflow.entities import RunTag

        items = [RunTag(key, str(value)) for key, value in tags.items()]
        for chunk in _chunks(items, _PARAMS_PER_BATCH):
            self._log_batch("setting tags", run.run_id, tags=chunk)

    def log_artifact(self, run: RunRef, path: Path, *, artifact_path: str | None = None) -> None:
        """Copy one file into the run's artifacts."""
        self._call(
            f"logging artifact {path.name!r}",
            lambda client: client.log_artifact(run.run_id, str(path), artifact_path),
        )

    def log_artifacts(
        self, run: RunRef, directory: Path, *, artifact_path: str | None = None
    ) -> None:
        """Copy the content of ``directory`` into the run's artifacts."""
        self._call(
            f"logging the artifacts in {directory}",
            lambda client: client.log_artifacts(run.run_id, str(directory), artifact_path),
        )

    def register_model(
        self,
        run: RunRef,
        path: Path,
        *,
        name: str,
        alias: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersionRef:
        """Log the package at ``path`` as a logged model of ``run`` and register a version.

        The logged model holds the package's files at its root next to an ``MLmodel``
        file, so ``models:/<name>@<alias>`` downloads to a folder that seascope modules
        accept as weights. Its ``seascope`` flavor names the model file when ``path`` is a
        file.
        """
        from mlflow.entities import LoggedModelOutput

        if not path.exists():
            raise tracking_error(f"cannot register {name!r}: {path} does not exist")
        package = path if path.is_dir() else path.parent
        model_path = "." if path.is_dir() else path.name
        tag_values = {key: str(value) for key, value in (tags or {}).items()}
        tag_values[MODEL_PATH_TAG] = model_path
        logged = self._call(
            "creating a logged model",
            lambda client: client.create_logged_model(
                run.experiment_id,
                name=name,
                source_run_id=run.run_id,
                tags=tag_values,
                model_type="seascope",
            ),
        )
        try:
            self._call(
                "linking the model to its run",
                lambda client: client.log_outputs(
                    run.run_id, [LoggedModelOutput(logged.model_id, step=0)]
                ),
            )
            self._call(
                "uploading the model package",
                lambda client: client.log_model_artifacts(logged.model_id, str(package)),
            )
            with tempfile.TemporaryDirectory(prefix="seascope-mlmodel-") as scratch:
                mlmodel = _write_mlmodel(
                    Path(scratch),
                    logged.artifact_location,
                    model_id=logged.model_id,
                    run_id=run.run_id,
                    model_path=model_path,
                    metadata=tag_values,
                )
                self._call(
                    "uploading the MLmodel file",
                    lambda client: client.log_model_artifact(logged.model_id, str(mlmodel)),
                )
            self._call(
                "finalizing the logged model",
                lambda client: client.finalize_logged_model(logged.model_id, "READY"),
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._call(
                    "marking the logged model failed",
                    lambda client: client.finalize_logged_model(logged.model_id, "FAILED"),
                )
            raise
        self._ensure_registered_model(name)
        version = self._call(
            f"registering a version of {name!r}",
            # The source is the logged model's storage location, not ``models:/m-<id>``:
            # MLflow resolves the latter through the *global* tracking URI.
            lambda client: client.create_model_version(
                name,
                source=logged.artifact_location,
                run_id=run.run_id,
                tags=tag_values,
                model_id=logged.model_id,
            ),
        )
        if alias:
            self._call(
                f"setting alias {alias!r} of {name!r}",
                lambda client: client.set_registered_model_alias(name, alias, version.version),
            )
        return ModelVersionRef(
            name=name, version=str(version.version), alias=alias, model_id=logged.model_id
        )

    def end_run(self, run: RunRef, status: RunStatus = RunStatus.FINISHED) -> None:
        """Mark the run as ended with ``status``."""
        self._call(
            "ending the run",
            lambda client: client.set_terminated(run.run_id, status=status.value),
        )

    def download_model(
        self, name: str, destination: Path, *, alias: str | None = None, version: str | None = None
    ) -> Path:
        """Download a registered model version; returns the path to give to the module.

        Args:
            name: Registered model name.
            destination: Folder to download into (created).
            alias: Alias to resolve (``version`` wins when both are given).
            version: Exact version; with neither, the newest version.

        Returns:
            The model file named in the ``seascope`` flavor, or the downloaded folder.
        """
        from mlflow.artifacts import download_artifacts

        def resolve(client: MlflowClient) -> ModelVersion:
            if version is not None:
                return client.get_model_version(name, version)
            if alias is not None:
                return client.get_model_version_by_alias(name, alias)
            versions = client.search_model_versions(f"name = '{name}'")
            if not versions:
                raise tracking_error(f"no registered model {name!r}")
            return max(versions, key=lambda v: int(v.version))

        found = self._call(f"resolving model {name!r}", resolve)
        number = str(found.version)
        source = self._call(
            f"locating {name!r} version {number}",
            lambda client: client.get_model_version_download_uri(name, number),
        )
        destination.mkdir(parents=True, exist_ok=True)
        local = Path(
            self._call(
                f"downloading {name!r} version {number}",
                lambda _client: download_artifacts(
                    artifact_uri=source,
                    dst_path=str(destination),
                    tracking_uri=self._uri,
                    registry_uri=self._registry_uri,
                ),
            )
        )
        return (local / found.tags.get(MODEL_PATH_TAG, ".")).resolve()

    def _log_batch(
        self,
        what: str,
        run_id: str,
        *,
        params: Sequence[Param] = (),
        metrics: Sequence[Metric] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        def send(client: MlflowClient) -> None:
            client.log_batch(run_id, metrics=list(metrics), params=list(params), tags=list(tags))

        self._call(what, send)

    def _experiment_id(self, name: str) -> str:
        cached = self._experiments.get(name)
        if cached is not None:
            return cached
        experiment = self._call(
            f"reading experiment {name!r}", lambda client: client.get_experiment_by_name(name)
        )
        if experiment is None:
            location = self._artifact_location(name)
            try:
                experiment_id = self._call(
                    f"creating experiment {name!r}",
                    lambda client: client.create_experiment(name, artifact_location=location),
                )
            except Exception:
                # Another worker may have created it at the same moment.
                experiment = self._call(
                    f"reading experiment {name!r}",
                    lambda client: client.get_experiment_by_name(name),
                )
                if experiment is None:
                    raise
                experiment_id = experiment.experiment_id
        else:
            experiment_id = experiment.experiment_id
            if experiment.lifecycle_stage == "deleted":
                self._call(
                    f"restoring experiment {name!r}",
                    lambda client: client.restore_experiment(experiment_id),
                )
        self._experiments[name] = str(experiment_id)
        return str(experiment_id)

    def _artifact_location(self, experiment: str) -> str | None:
        if self._artifact_root is None:
            return None
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in experiment) or "_"
        return (self._artifact_root.resolve() / safe).as_uri()

    def _ensure_registered_model(self, name: str) -> None:
        from mlflow.exceptions import MlflowException

        try:
            self._client().create_registered_model(name)
        except MlflowException as exc:
            if exc.error_code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
                raise tracking_error(f"registering model {name!r} failed: {exc.message}") from exc
        except Exception as exc:
            raise tracking_error(f"registering model {name!r} failed: {exc}") from exc

    def _call(self, what: str, operation: Callable[[MlflowClient], _T]) -> _T:
        """Run ``operation`` with the client; MLflow's errors become seascope errors."""
        client = self._client()
        for attempt in range(_LOCKED_RETRIES + 1):
            try:
                return operation(client)
            except Exception as exc:
                # SQLite busy timeouts surface as "database is locked"; several workers
                # writing the embedded store at once can hit them under load.
                if "database is locked" in str(exc) and attempt < _LOCKED_RETRIES:
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise tracking_error(f"MLflow failed {what}: {_describe(exc)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _client(self) -> MlflowClient:
        with self._opening:
            if self._client_instance is None:
                self._client_instance = self._open()
            return self._client_instance

    def _open(self) -> MlflowClient:
        for name, value in MLFLOW_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
        try:
            from mlflow import MlflowClient
        except ImportError as exc:  # pragma: no cover - checked by the factory first
            raise tracking_error(
                "MLflow is not installed: pip install 'seascope[tracking]'"
            ) from exc
        _stop_telemetry()
        if self._artifact_root is not None:
            self._artifact_root.mkdir(parents=True, exist_ok=True)
        database = _sqlite_path(self._uri)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        # MLflow creates and migrates a new database when it opens it, without a lock of
        # its own: two workers opening a fresh embedded store at once collide ("table
        # _alembic_tmp_... already exists"). Opening under a file lock serialises that.
        with _exclusive_lock(database):
            if database is not None:
                _enable_wal(database)
            try:
                return MlflowClient(tracking_uri=self._uri, registry_uri=self._registry_uri)
            except Exception as exc:
                raise tracking_error(
                    f"cannot open MLflow at {self._uri}: {_describe(exc)}"
                ) from exc


def _write_mlmodel(
    folder: Path,
    artifact_location: str,
    *,
    model_id: str,
    run_id: str,
    model_path: str,
    metadata: Mapping[str, str],
) -> Path:
    from mlflow.models import Model

    model = Model(
        artifact_path=artifact_location,
        model_uuid=model_id,
        run_id=run_id,
        model_id=model_id,
        metadata=dict(metadata) or None,
    )
    model.add_flavor(SEASCOPE_FLAVOR, model_path=model_path, seascope_version=__version__)
    path = folder / "MLmodel"
    model.save(str(path))
    return path


def _stop_telemetry() -> None:
    """Drop a telemetry client that an earlier ``import mlflow`` may have started."""
    try:
        from mlflow.telemetry.client import get_telemetry_client, set_telemetry_client
        from mlflow.telemetry.utils import is_telemetry_disabled
    except ImportError:  # pragma: no cover - MLflow moved its telemetry
        return
    if is_telemetry_disabled() and get_telemetry_client() is not None:
        set_telemetry_client()  # type: ignore[no-untyped-call]


def _sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, or ``None`` for anything else."""
    parts = urlsplit(uri)
    if parts.scheme != "sqlite" or parts.path in ("", "/", "/:memory:"):
        return None
    return Path(parts.path[1:])


@contextlib.contextmanager
def _exclusive_lock(database: Path | None) -> Iterator[None]:
    """Hold ``<database>.lock`` exclusively (POSIX only; elsewhere, and for servers, no-op)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    if database is None or fcntl is None:
        yield
        return
    with (database.parent / f"{database.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _enable_wal(database: Path) -> None:
    """Put the SQLite store in WAL mode: readers stop blocking the workers' writes."""
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=30.0)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        _log.debug("could not switch %s to WAL: %s", database, exc)


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message).strip().splitlines()[0][:500]


def _chunks(items: Sequence[_T], size: int) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
