"""``seascope demo``: synthetic plankton data → a trained classifier → a running platform.

Everything runs offline: the dataset is drawn by :func:`seascope.datasets.generate_dataset`,
the model trains as a :class:`~seascope.training.JobManager` job (the same background jobs
as the HTTP API and ``seascope train``), and the server starts with the trained weights.

The model is the torch ``classifier`` (EfficientNet-Lite0 from its packaged ImageNet
weights, fine-tuned on small crops for a few epochs: about a minute on two CPU cores)
when torch is installed, else the numpy ``reference`` module; ``--module`` chooses.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seascope.cli.config import batch_options, load_settings, parse_assignments, parse_param_value
from seascope.cli.serve_plan import ServePlan
from seascope.cli.server import public_url, run_server
from seascope.cli.state import state_of
from seascope.cli.train import (
    conclude,
    open_jobs,
    submit_training,
    validate_train_args,
    watch_job,
)
from seascope.errors import ConfigError, ModuleFailed
from seascope.modules import ModuleRegistry
from seascope.settings import Settings
from seascope.types import JsonValue

__all__ = ["DEMO_TRAINING", "DemoModule", "choose_module", "demo", "prepare_dataset"]

_MARKER = ".seascope-demo.json"
_TORCH_PACKAGES = ("torch", "torchvision", "timm")
_EXAMPLE_CLASS = "disc"

DEMO_TRAINING: dict[str, dict[str, JsonValue]] = {
    "classifier": {
        "backbone": "efficientnet_lite0",
        "pretrained": "auto",
        "image_size": 64,
        "epochs": 6,
        "batch_size": 16,
        "lr": 0.002,
        "warmup_epochs": 0.5,
        "patience": 6,
    },
    "reference": {},
}
"""Training parameters of each demo module (besides ``dataset``); ``--param`` overrides."""


class DemoModule(StrEnum):
    """Which module the demo trains."""

    AUTO = "auto"
    CLASSIFIER = "classifier"
    REFERENCE = "reference"


def _torch_missing() -> list[str]:
    return [name for name in _TORCH_PACKAGES if importlib.util.find_spec(name) is None]


def choose_module(wanted: DemoModule, registry: ModuleRegistry) -> str:
    """The module to train: ``auto`` is the classifier when torch is installed.

    Raises:
        ConfigError: ``classifier`` asked for without torch, timm and torchvision.
    """
    missing = _torch_missing()
    installed = "classifier" in registry.names()
    if wanted is DemoModule.CLASSIFIER:
        if missing or not installed:
            raise ConfigError(
                "the classifier module needs torch: pip install 'seascope[torch]' "
                f"(missing: {', '.join(missing) or 'the classifier module'}); or run "
                "'seascope demo --module reference'"
            )
        return "classifier"
    if wanted is DemoModule.REFERENCE:
        return "reference"
    if missing or not installed:
        typer.echo(
            f"torch is not installed ({', '.join(missing) or 'no classifier module'} missing): "
            "training the numpy 'reference' module instead; pip install 'seascope[torch]' "
            "for the plankton classifier",
            err=True,
        )
        return "reference"
    return "classifier"


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


def demo(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option("--port", min=0, max=65535)] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server after training.")
    ] = True,
    per_class: Annotated[
        int, typer.Option("--per-class", min=2, max=2000, help="Images per class.")
    ] = 40,
    module: Annotated[
        DemoModule,
        typer.Option(
            "--module",
            help="Module to train: auto is the classifier when torch is installed, else "
            "the reference module.",
        ),
    ] = DemoModule.AUTO,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-P",
            metavar="KEY=VALUE",
            help="Override a training parameter of the demo (repeatable), e.g. epochs=10.",
        ),
    ] = None,
    home: Annotated[
        Path | None, typer.Option("--home", help="seascope home (default: ~/.seascope).")
    ] = None,
) -> None:
    """Generate demo data, train a classifier on it and serve the platform."""
    settings = load_settings(home=home, host=host, port=port)
    registry = state_of(ctx).discover_modules()
    chosen = choose_module(module, registry)
    typer.echo(f"seascope demo in {settings.home}", err=True)
    dataset, _ = prepare_dataset(settings.home / "demo" / "data", per_class=per_class)
    args: dict[str, JsonValue] = {**DEMO_TRAINING.get(chosen, {}), "dataset": str(dataset)}
    for key, value in parse_assignments(param or [], option="--param").items():
        args[key] = parse_param_value(value)
    params = validate_train_args(registry, chosen, args)
    jobs = open_jobs(settings)
    err = typer.get_text_stream("stderr")
    try:
        record = submit_training(jobs, chosen, params)
        typer.echo(
            f"training the {chosen!r} module on {dataset} as job {record.id}; Ctrl+C cancels it",
            err=True,
        )
        result = conclude(watch_job(jobs, record, stream=err), stream=err)
    finally:
        jobs.close()
    if not isinstance(result.get("model_path"), str):
        raise ModuleFailed(f"training job {record.id} ended without a model ({result.get('log')})")
    model = Path(str(result["model_path"]))
    metrics = result.get("metrics") if isinstance(result.get("metrics"), dict) else {}
    if not serve:
        summary: dict[str, JsonValue] = {
            "dataset": str(dataset),
            "module": chosen,
            "job": record.id,
            "model": str(model),
            "metrics": metrics,
            "seconds": result.get("seconds"),
        }
        typer.echo(json.dumps(summary, indent=2))
        typer.echo(
            f"serve it with: seascope serve --home {settings.home} --weights {chosen}={model}",
            err=True,
        )
        return
    state = state_of(ctx)
    plan = _demo_plan(settings, {chosen: model}, verbose=state.verbose)
    for line in try_it_lines(plan, chosen, dataset):
        typer.echo(line, err=True)
    run_server(plan, registry)


def try_it_lines(plan: ServePlan, module: str, dataset: Path) -> list[str]:
    """A ready-to-copy ``curl`` call of the trained module, printed before the server starts."""
    images = (
        sorted((dataset / _EXAMPLE_CLASS).glob("*.jpg"))[:1] or sorted(dataset.rglob("*.jpg"))[:1]
    )
    image = images[0] if images else Path("cell.jpg")
    root = public_url(plan.host, plan.port) + plan.base_path
    return [
        f"Try the trained {module!r} module (in another terminal):",
        f"  curl -F images=@{image} {root}/v1/modules/{module}/predict",
        f"  curl -F data=@{image} -H 'accept: application/json' {root}/v2/models/{module}/predict/",
    ]


def _demo_plan(settings: Settings, weights: dict[str, Path], *, verbose: bool) -> ServePlan:
    """Serve every installed module, the trained one with its fresh weights."""
    return ServePlan(
        host=settings.host,
        port=settings.port,
        home=settings.home,
        jobs_database=settings.jobs_database,
        jobs_directory=settings.jobs_directory,
        weights=weights,
        max_image_pixels=settings.max_image_pixels,
        max_request_bytes=settings.max_request_bytes,
        max_files_per_request=settings.max_files_per_request,
        verbose=verbose,
        batching=batch_options(settings),
        gil_switch_ms=settings.gil_switch_ms,
        access_log=settings.access_log,
        tracking_uri=settings.tracking_uri,
    )
