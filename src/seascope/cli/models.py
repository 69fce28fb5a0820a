"""``seascope models list | show | publish``: the trained models the platform knows about.

Three sources, merged:

1. the job records of ``<home>/jobs.sqlite``: every ``done`` training whose result names
   a model (module, metrics, tracking run and registered version);
2. the job folders: ``<home>/jobs/*/output/**/model-card.json`` (classifier model
   packages) and ``reference-model.npz`` files, also when their record is gone;
3. the MLflow model registry when tracking is on (``SEASCOPE_TRACKING_URI``; the embedded
   store only when it exists), so versions registered from other machines show too.
   Skipped quietly when MLflow is not installed; a registry that fails is a warning.

``models publish`` copies a package (a folder, or a finished training job's) to
``<home>/packages/<module>/<version>``, where the catalog lists it
(:class:`seascope.catalog.PackageShelf`).

Nothing here imports torch: model cards are read as JSON.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from seascope.catalog import PackageShelf, metric_summary, read_package_card
from seascope.cli.config import load_settings
from seascope.cli.failures import SeascopeCommand
from seascope.cli.modules import JsonOption
from seascope.cli.state import state_of
from seascope.cli.tables import format_table
from seascope.errors import ConfigError, SeascopeError
from seascope.settings import Settings
from seascope.training import JobRecord, JobStatus, JobStore
from seascope.types import JsonValue

__all__ = [
    "CARD_FILE",
    "REFERENCE_MODEL_FILE",
    "ModelEntry",
    "build_models_app",
    "find_models",
    "package_of",
    "read_card",
]

CARD_FILE = "model-card.json"
"""The card of a classifier model package (``seascope.vision.package.CARD_FILE``)."""

REFERENCE_MODEL_FILE = "reference-model.npz"
"""The model file the ``reference`` module writes."""

_PACKAGE_FILES = ("model.onnx", "weights.safetensors")
_log = logging.getLogger("seascope.cli")


@dataclass
class ModelEntry:
    """One trained model as ``models list`` shows it."""

    module: str
    path: str
    job: str | None = None
    created: str = ""
    classes: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    backbone: str | None = None
    tracking: dict[str, JsonValue] | None = None
    source: str = "jobs"

    def document(self) -> dict[str, JsonValue]:
        """The entry as JSON."""
        return {
            "module": self.module,
            "path": self.path,
            "job": self.job,
            "created": self.created,
            "classes": list(self.classes),
            "metrics": dict(self.metrics),
            "backbone": self.backbone,
            "tracking": self.tracking,
            "source": self.source,
        }


# --- reading packages --------------------------------------------------------------------


def package_of(path: Path) -> Path | None:
    """The classifier package folder ``path`` is or belongs to, if any.

    ``path`` may be the folder, its ``model-card.json``, ``model.onnx`` or
    ``weights.safetensors``.
    """
    if path.is_dir() and (path / CARD_FILE).is_file():
        return path
    named = path.is_file() and path.name in (CARD_FILE, *_PACKAGE_FILES)
    return path.parent if named and (path.parent / CARD_FILE).is_file() else None


def read_card(package: Path) -> dict[str, Any]:
    """The ``model-card.json`` of ``package`` as JSON (not checked against the files).

    Raises:
        ConfigError: the card cannot be read or is not a JSON object.
    """
    card_path = package / CARD_FILE
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{card_path}: cannot read the model card ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{card_path}: not a model card (not a JSON object)")
    return data


def _card_metrics(card: Mapping[str, Any]) -> dict[str, float]:
    metrics = card.get("metrics")
    return metric_summary(metrics) if isinstance(metrics, Mapping) else {}


def _package_entry(package: Path, job: str | None, source: str) -> ModelEntry | None:
    try:
        card = read_card(package)
    except ConfigError as exc:
        _log.warning("%s", exc.message)
        return None
    return ModelEntry(
        module=str(card.get("name") or "classifier"),
        path=str(package),
        job=job,
        created=str(card.get("created") or _mtime(package / CARD_FILE)),
        classes=[str(c) for c in card.get("classes") or []],
        metrics=_card_metrics(card),
        backbone=str(card["backbone"]) if card.get("backbone") else None,
        source=source,
    )


def _reference_classes(path: Path) -> list[str]:
    classes_file = path.parent / "classes.json"
    try:
        data = json.loads(classes_file.read_text(encoding="utf-8"))
        if isinstance(data, list):
            return [str(c) for c in data]
    except (OSError, ValueError):
        pass
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as stored:
            return [str(c) for c in stored["classes"]]
    except (OSError, ValueError, KeyError):
        return []


def _mtime(path: Path) -> str:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


# --- finding models ----------------------------------------------------------------------


def _float_metrics(values: object) -> dict[str, float]:
    if not isinstance(values, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in values.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _record_entry(record: JobRecord) -> ModelEntry | None:
    result = record.result if isinstance(record.result, dict) else {}
    model_path = result.get("model_path")
    if not isinstance(model_path, str) or not model_path:
        return None
    path = Path(model_path)
    if not path.exists():
        return None
    package = package_of(path)
    entry = _package_entry(package, record.id, "jobs") if package is not None else None
    if entry is None:
        extra = result.get("extra") if isinstance(result.get("extra"), dict) else {}
        classes = extra.get("classes") if isinstance(extra, dict) else None
        entry = ModelEntry(
            module=record.module,
            path=str(path),
            job=record.id,
            classes=[str(c) for c in classes] if isinstance(classes, list) else [],
        )
    entry.module = record.module
    if record.finished_at is not None and not entry.created:
        entry.created = record.finished_at.isoformat(timespec="seconds")
    for key, value in _float_metrics(result.get("metrics")).items():
        entry.metrics.setdefault(key, value)
    tracking = result.get("tracking")
    if isinstance(tracking, dict) and tracking.get("run_id"):
        entry.tracking = {
            key: tracking.get(key)
            for key in ("uri", "run_id", "model_name", "model_version", "model_alias", "model_uri")
        }
    return entry


def _scanned_entries(jobs_dir: Path, known: set[str]) -> Iterator[ModelEntry]:
    """Packages and reference models in job folders that no record named."""
    if not jobs_dir.is_dir():
        return
    for output in sorted(jobs_dir.glob("*/output")):
        job = output.parent.name
        for card_path in sorted(output.rglob(CARD_FILE)):
            package = card_path.parent
            hidden = any(part.startswith(".") for part in package.relative_to(output).parts)
            if hidden or str(package) in known:
                continue
            entry = _package_entry(package, job, "files")
            if entry is not None:
                yield entry
        for model in sorted(output.rglob(REFERENCE_MODEL_FILE)):
            if str(model) in known:
                continue
            yield ModelEntry(
                module="reference",
                path=str(model),
                job=job,
                created=_mtime(model),
                classes=_reference_classes(model),
                source="files",
            )


def _registry_versions(settings: Settings) -> list[dict[str, Any]]:
    """Registered model versions of the tracking store, with their runs' job and metrics.

    Returns ``[]`` when tracking is off, MLflow is missing, or the embedded store was never
    created (listing must not create one).

    Raises:
        SeascopeError: the registry cannot be read.
    """
    from seascope.tracking import MLflowTracker, is_mlflow_installed, tracker_from_uri

    uri = settings.tracking_uri.strip()
    if uri.lower() == "none" or not is_mlflow_installed():
        return []
    if not uri and not (settings.home / "tracking" / "mlflow.db").is_file():
        return []
    tracker = tracker_from_uri(uri or None, settings.home)
    if not isinstance(tracker, MLflowTracker):
        return []

    def read(client: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        aliases: dict[str, dict[str, list[str]]] = {}  # model name -> version -> aliases
        for version in client.search_model_versions(max_results=1000):
            if version.name not in aliases:
                named = aliases[version.name] = {}
                for alias, number in (
                    client.get_registered_model(version.name).aliases or {}
                ).items():
                    named.setdefault(str(number), []).append(str(alias))
            job = None
            metrics: dict[str, float] = {}
            if version.run_id:
                run = client.get_run(version.run_id)
                job = run.data.tags.get("seascope.job_id")
                metrics = {str(k): float(v) for k, v in run.data.metrics.items()}
            found.append(
                {
                    "name": str(version.name),
                    "version": str(version.version),
                    "aliases": sorted(aliases[version.name].get(str(version.version), [])),
                    "run_id": version.run_id,
                    "job": job,
                    "metrics": metrics,
                    "created": datetime.fromtimestamp(
                        int(version.creation_timestamp) / 1000, UTC
                    ).isoformat(timespec="seconds"),
                    "uri": tracker.uri,
                }
            )
        return found

    # The tracker has no public listing call; its guarded client call keeps MLflow's
    # errors seascope errors and MLflow imported only inside seascope.tracking.
    versions: list[dict[str, Any]] = tracker._call("listing registered model versions", read)  # noqa: SLF001
    return versions


def _merge_registry(entries: list[ModelEntry], versions: Iterable[dict[str, Any]]) -> None:
    by_job = {entry.job: entry for entry in entries if entry.job}
    for version in versions:
        tracking: dict[str, JsonValue] = {
            "uri": str(version["uri"]),
            "run_id": version["run_id"],
            "model_name": version["name"],
            "model_version": version["version"],
            "model_alias": ",".join(version["aliases"]) or None,
            "model_uri": f"models:/{version['name']}/{version['version']}",
        }
        local = by_job.get(version["job"])
        if local is not None:
            local.tracking = tracking
            continue
        entries.append(
            ModelEntry(
                module=version["name"],
                path=str(tracking["model_uri"]),
                job=version["job"],
                created=version["created"],
                metrics=dict(version["metrics"]),
                tracking=tracking,
                source="registry",
            )
        )


def find_models(settings: Settings, *, registry: bool = True) -> list[ModelEntry]:
    """Every trained model known to the home of ``settings`` (and its registry), newest first."""
    entries: list[ModelEntry] = []
    if settings.jobs_database.is_file():
        store = JobStore(settings.jobs_database)
        for record in store.list():
            if record.status is JobStatus.DONE:
                entry = _record_entry(record)
                if entry is not None:
                    entries.append(entry)
    known = {entry.path for entry in entries}
    entries.extend(_scanned_entries(settings.jobs_directory, known))
    if registry:
        try:
            versions = _registry_versions(settings)
        except SeascopeError as exc:
            typer.echo(f"warning: model registry skipped: {exc.message}", err=True)
        else:
            _merge_registry(entries, versions)
    entries.sort(key=lambda entry: entry.created, reverse=True)
    return entries


# --- commands ------------------------------------------------------------------------------


HomeOption = Annotated[
    Path | None, typer.Option("--home", help="seascope home (default: ~/.seascope).")
]


def _metrics_cell(metrics: Mapping[str, float]) -> str:
    shown = [
        (key, label)
        for key, label in (
            ("val_macro_f1", "val F1"),
            ("test_macro_f1", "test F1"),
        )
        if key in metrics
    ]
    if not shown:
        shown = [(k, label) for k, label in (("val_accuracy", "val acc"),) if k in metrics]
    return "  ".join(f"{label} {metrics[key]:.3f}" for key, label in shown)


def _tracking_cell(tracking: Mapping[str, JsonValue] | None) -> str:
    if not tracking or not tracking.get("model_version"):
        return ""
    alias = f"@{tracking['model_alias']}" if tracking.get("model_alias") else ""
    return f"{tracking.get('model_name')} v{tracking['model_version']}{alias}"


def list_models(
    as_json: JsonOption = False,
    registry: Annotated[
        bool,
        typer.Option(
            "--registry/--no-registry", help="Also list the MLflow registry when tracking is on."
        ),
    ] = True,
    home: HomeOption = None,
) -> None:
    """List trained models: job outputs of this home and registered versions."""
    entries = find_models(load_settings(home=home), registry=registry)
    if as_json:
        typer.echo(json.dumps([entry.document() for entry in entries], indent=2))
        return
    if not entries:
        typer.echo("no trained models yet; train one with 'seascope train MODULE'", err=True)
        return
    rows = [
        [
            entry.module,
            str(len(entry.classes)) if entry.classes else "",
            _metrics_cell(entry.metrics),
            entry.created[:16].replace("T", " "),
            (entry.job or "")[:12],
            _tracking_cell(entry.tracking),
            entry.path,
        ]
        for entry in entries
    ]
    headers = ["MODULE", "CLASSES", "METRICS", "CREATED", "JOB", "TRACKING", "PATH"]
    typer.echo(format_table(headers, rows))


def _reference_document(path: Path) -> dict[str, JsonValue]:
    return {
        "format": "seascope-reference",
        "name": "reference",
        "path": str(path),
        "created": _mtime(path),
        "classes": list(_reference_classes(path)),
    }


def _resolve(given: str, settings: Settings) -> tuple[Path, str | None]:
    """The model path ``given`` names (a path, or a job id/prefix) and the job, if any."""
    path = Path(given).expanduser()
    if path.exists():
        return path, None
    if settings.jobs_database.is_file() and len(given) >= 4:
        records = [r for r in JobStore(settings.jobs_database).list() if r.id.startswith(given)]
        if len(records) > 1:
            raise ConfigError(f"{len(records)} training jobs start with {given!r}; give more")
        if records:
            record = records[0]
            result = record.result if isinstance(record.result, dict) else {}
            model = result.get("model_path")
            if record.status is not JobStatus.DONE or not isinstance(model, str) or not model:
                raise ConfigError(f"training job {record.id} ({record.status.value}) has no model")
            return Path(model), record.id
    raise ConfigError(f"{given}: no such model package, model file or training job")


def show_model(
    target: Annotated[
        str,
        typer.Argument(
            metavar="PATH_OR_JOB_ID",
            help="A model package (or a file in it), a reference .npz, or a training job id.",
        ),
    ],
    home: HomeOption = None,
) -> None:
    """Print a trained model's card as JSON."""
    settings = load_settings(home=home)
    path, job = _resolve(target, settings)
    package = package_of(path)
    if package is not None:
        document: dict[str, JsonValue] = read_card(package)
        typer.echo(f"model package {package}", err=True)
    else:
        model = path / REFERENCE_MODEL_FILE if path.is_dir() else path
        if model.name != REFERENCE_MODEL_FILE or not model.is_file():
            raise ConfigError(
                f"{path}: not a model package (no {CARD_FILE}) nor a {REFERENCE_MODEL_FILE}"
            )
        document = _reference_document(model)
    if job is not None:
        document = {**document, "job": job}
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def publish_model(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A model package folder (or a file in it), or a finished training job id.",
        ),
    ],
    module: Annotated[
        str | None,
        typer.Option("--module", help="The module it is for (default: the card's name)."),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="Version to publish as (default: the card's version, else the time now "
            "(UTC) as YYYYMMDD-HHMMSS). An existing version is never replaced.",
        ),
    ] = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Publish a trained model package to the catalog (<home>/packages/MODULE/VERSION)."""
    settings = load_settings(home=home)
    path, _job = _resolve(source, settings)
    package = package_of(path) or path  # not a package: the shelf refuses it clearly
    name = module or read_package_card(package).name
    if not name:
        raise ConfigError(f"{package / CARD_FILE} names no module; give one with --module")
    state_of(ctx).discover_modules().get(name)  # ModuleNotFound (exit 3) for a typo
    shelf = PackageShelf(settings.home / "packages")
    published = shelf.publish(package, module=name, version=version)
    destination = shelf.path_of(name, published.version)
    if as_json:
        document = {**published.model_dump(mode="json"), "path": str(destination)}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        typer.echo(str(destination))
    typer.echo(
        f"published {package} as {name} {published.version}; serve it with "
        f"'seascope serve --weights {name}={destination}'",
        err=True,
    )


def build_models_app() -> typer.Typer:
    """The ``seascope models`` command group."""
    app = typer.Typer(
        help="Trained models: list and show their cards, publish packages to the catalog.",
        no_args_is_help=True,
    )
    app.command("list", cls=SeascopeCommand)(list_models)
    app.command("show", cls=SeascopeCommand)(show_model)
    app.command("publish", cls=SeascopeCommand)(publish_model)
    return app
