"""``seascope demo``: synthetic plankton data → a trained reference model → a running platform.

Everything runs offline: the dataset is drawn by :func:`seascope.datasets.generate_dataset`,
the ``reference`` module trains through the :class:`~seascope.training.JobManager` (the
same background jobs as the HTTP API), and the server starts with the trained weights.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer

from seascope.cli.config import batch_options, load_settings
from seascope.cli.serve_plan import ServePlan
from seascope.cli.server import run_server
from seascope.cli.state import state_of
from seascope.errors import ConfigError, ModuleFailed
from seascope.settings import Settings
from seascope.training import TRAIN_MODULE, JobManager, JobRecord, JobStatus

__all__ = ["DEMO_MODULE", "demo", "prepare_dataset", "train_and_wait"]

DEMO_MODULE = "reference"
_MARKER = ".seascope-demo.json"
_POLL_SECONDS = 0.1


def prepare_dataset(root: Path, *, per_class: int, seed: int = 0) -> tuple[Path, bool]:
    """Make sure ``root`` holds the synthetic dataset with ``per_class`` images per class.

    The dataset is written next to ``root`` first and moved into place at the end, so an
    interrupted run never leaves half a dataset that looks complete.

    Returns:
        The dataset folder and whether it was (re)generated.

    Raises:
        ConfigError: ``root`` exists but was not made by the demo (it is left untouched).
    """
    from seascope.datasets import generate_dataset

    wanted = {"per_class": per_class, "seed": seed}
    marker = root / _MARKER
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return root, False
    if root.exists() and not marker.is_file():
        raise ConfigError(f"{root} exists but is not a seascope demo dataset; move it away")
    staging = root.with_name(root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    counts = generate_dataset(staging, per_class=per_class, seed=seed)
    (staging / _MARKER).write_text(json.dumps(wanted))
    if root.exists():
        shutil.rmtree(root)
    staging.replace(root)
    typer.echo(f"generated {sum(counts.values())} images of {len(counts)} classes", err=True)
    return root, True


def train_and_wait(jobs: JobManager, dataset: Path) -> JobRecord:
    """Train the reference module on ``dataset`` as a background job, showing progress.

    Raises:
        ModuleFailed: the job ended in another state than ``done``.
    """
    record = jobs.submit(module=DEMO_MODULE, runner=TRAIN_MODULE, args={"dataset": str(dataset)})
    shown: object = None
    try:
        while not record.is_finished:
            time.sleep(_POLL_SECONDS)
            record = jobs.get(record.id)
            if record.progress and record.progress != shown:
                shown = record.progress
                progress = record.progress
                typer.echo(
                    f"  training: {progress.get('done')}/{progress.get('total')} "
                    f"{progress.get('message', '')}".rstrip(),
                    err=True,
                )
    except KeyboardInterrupt:
        jobs.cancel(record.id)
        raise
    if record.status is not JobStatus.DONE:
        raise ModuleFailed(
            f"training job {record.id} ended {record.status.value}: {record.message} "
            f"(log: {record.log_path})"
        )
    return record


def demo(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option("--port", min=0, max=65535)] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after training.")
    ] = True,
    per_class: Annotated[
        int, typer.Option("--per-class", min=2, max=2000, help="Images per class.")
    ] = 30,
    home: Annotated[
        Path | None, typer.Option("--home", help="seascope home [default: ~/.seascope].")
    ] = None,
) -> None:
    """Generate demo data, train the reference module on it and serve the platform."""
    settings = load_settings(home=home, host=host, port=port)
    typer.echo(f"seascope demo in {settings.home}", err=True)
    dataset, _ = prepare_dataset(settings.home / "demo" / "data", per_class=per_class)
    jobs = JobManager(
        database=settings.jobs_database,
        jobs_dir=settings.jobs_directory,
        tracking_uri=settings.tracking_uri or None,
    )
    try:
        typer.echo(f"training the {DEMO_MODULE!r} module on {dataset}", err=True)
        record = train_and_wait(jobs, dataset)
    finally:
        jobs.close()
    model, metrics = _trained_model(record)
    if not serve:
        summary = {"dataset": str(dataset), "job": record.id, "model": str(model)}
        typer.echo(json.dumps({**summary, "metrics": metrics}, indent=2))
        typer.echo(
            f"serve it with: seascope serve --home {settings.home} --weights {DEMO_MODULE}={model}",
            err=True,
        )
        return
    state = state_of(ctx)
    run_server(_demo_plan(settings, model, verbose=state.verbose), state.discover_modules())


def _trained_model(record: JobRecord) -> tuple[Path, dict[str, float]]:
    result = record.result if isinstance(record.result, dict) else {}
    metrics = {str(k): float(v) for k, v in dict(result.get("metrics") or {}).items()}
    shown = ", ".join(f"{key} {value}" for key, value in metrics.items())
    typer.echo(f"trained in job {record.id}: {shown or 'no metrics'}", err=True)
    return Path(str(result.get("model_path"))), metrics


def _demo_plan(settings: Settings, model: Path, *, verbose: bool) -> ServePlan:
    """Serve every installed module, the reference one with the freshly trained weights."""
    return ServePlan(
        host=settings.host,
        port=settings.port,
        home=settings.home,
        jobs_database=settings.jobs_database,
        jobs_directory=settings.jobs_directory,
        weights={DEMO_MODULE: model},
        max_image_pixels=settings.max_image_pixels,
        max_request_bytes=settings.max_request_bytes,
        max_files_per_request=settings.max_files_per_request,
        verbose=verbose,
        batching=batch_options(settings),
        tracking_uri=settings.tracking_uri,
    )
