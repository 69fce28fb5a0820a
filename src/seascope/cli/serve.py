"""``seascope serve``: the native API and the DEEPaaS v2 API in one server.

The options include deepaas-run's own names (``--listen-ip``, ``--listen-port``,
``--model-name``, ``--nowarm`` ...), so the command drops into existing DEEPaaS
Dockerfiles; ``deepaas-run`` itself is :func:`seascope.cli.deepaas_commands.deepaas_run`.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from seascope.cli.config import batch_options, load_settings, normalise_base_path, parse_weights
from seascope.cli.serve_plan import AuthPlan, ServePlan
from seascope.cli.server import run_server
from seascope.cli.state import state_of
from seascope.errors import ModuleNotFound
from seascope.modules import ModuleRegistry
from seascope.settings import Settings

__all__ = ["DEEPAAS_ENTRY_POINT_GROUP", "deepaas_module_names", "select_modules", "serve"]

DEEPAAS_ENTRY_POINT_GROUP = "deepaas.v2.model"


def deepaas_module_names() -> set[str]:
    """Names of the installed DEEPaaS modules (entry points are read, not loaded)."""
    return {entry_point.name for entry_point in entry_points(group=DEEPAAS_ENTRY_POINT_GROUP)}


def default_module_names(settings: Settings) -> list[str]:
    """Modules to serve when no ``--model-name`` is given: ``SEASCOPE_MODULES`` and
    ``DEEPAAS_V2_MODEL`` (deepaas-run's default), or everything when both are unset."""
    names = list(settings.modules)
    if settings.deepaas_model:
        names.append(settings.deepaas_model)
    return names


def select_modules(
    names: Sequence[str], registry: ModuleRegistry, deepaas_names: set[str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """Split requested names into seascope modules and DEEPaaS modules.

    A name that is both is served as a seascope module. No names means everything.

    Returns:
        ``(seascope modules or None for all, DEEPaaS modules)``.

    Raises:
        ModuleNotFound: a name is neither a seascope nor a DEEPaaS module.
    """
    if not names:
        return None, ()
    installed = set(registry.names())
    unknown = [name for name in names if name not in installed and name not in deepaas_names]
    if unknown:
        raise ModuleNotFound(
            f"no module named {', '.join(map(repr, unknown))} (seascope modules: "
            f"{', '.join(sorted(installed)) or 'none'}; DEEPaaS modules: "
            f"{', '.join(sorted(deepaas_names)) or 'none'})"
        )
    ours = tuple(dict.fromkeys(name for name in names if name in installed))
    theirs = tuple(dict.fromkeys(name for name in names if name not in installed))
    return ours, theirs


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None,
        typer.Option("--host", "--listen-ip", help="Address to bind (default: 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", "--listen-port", min=0, max=65535, help="Port to listen on (default: 5000)."
        ),
    ] = None,
    model_name: Annotated[
        list[str] | None,
        typer.Option(
            "--model-name",
            "--module",
            "-m",
            help="Serve only this module (repeatable; seascope or DEEPaaS module) "
            "(default: $SEASCOPE_MODULES, $DEEPAAS_V2_MODEL, else all installed).",
        ),
    ] = None,
    base_path: Annotated[
        str | None, typer.Option("--base-path", help="URL prefix of every route, e.g. /api1.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-p", min=1, help="Server worker processes.")
    ] = 1,
    warm: Annotated[
        bool,
        typer.Option("--warm/--nowarm", " /--no-warm", help="Load the modules at start-up."),
    ] = True,
    predict_endpoint: Annotated[
        bool,
        typer.Option(
            "--predict-endpoint/--nopredict-endpoint",
            " /--no-predict-endpoint",
            help="Serve prediction routes (off: they answer 402, as in DEEPaaS).",
        ),
    ] = True,
    train_endpoint: Annotated[
        bool,
        typer.Option(
            "--train-endpoint/--notrain-endpoint",
            " /--no-train-endpoint",
            help="Serve training routes (off: they answer 402).",
        ),
    ] = True,
    doc_endpoint: Annotated[
        bool,
        typer.Option(
            "--doc-endpoint/--nodoc-endpoint",
            " /--no-doc-endpoint",
            help="Serve the API docs (/docs) and Swagger UI (/api).",
        ),
    ] = True,
    debug_endpoint: Annotated[
        bool,
        typer.Option(
            "--debug-endpoint/--nodebug-endpoint",
            " /--no-debug-endpoint",
            help="Serve DEEPaaS's /v2/debug/.",
        ),
    ] = False,
    client_max_size: Annotated[
        int | None,
        typer.Option(
            "--client-max-size",
            min=0,
            help="Largest request body in bytes; 0 is unlimited (default: 64 MiB).",
        ),
    ] = None,
    weights: Annotated[
        list[str] | None,
        typer.Option("--weights", metavar="MODULE=PATH", help="Weights for a module (repeatable)."),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="seascope home: jobs database, caches (default: ~/.seascope)."),
    ] = None,
    device: Annotated[
        str, typer.Option("--device", help="Device for modules and trainings (cpu, cuda:0).")
    ] = "cpu",
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log a line per request on standard output (default: $SEASCOPE_ACCESS_LOG, "
            "else on).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the native API (/v1), the DEEPaaS v2 API (/v2) and their docs."""
    settings = load_settings(
        home=home,
        host=host,
        port=port,
        max_request_bytes=client_max_size,
        access_log=access_log,
    )
    state = state_of(ctx)
    registry = state.discover_modules()
    names = model_name or default_module_names(settings)
    modules, deepaas_models = select_modules(names, registry, deepaas_module_names())
    chosen_weights = parse_weights(weights or [])
    for module_name in chosen_weights:
        registry.get(module_name)  # weights for an unknown module: ModuleNotFound
    plan = ServePlan(
        host=settings.host,
        port=settings.port,
        workers=workers,
        device=device,
        home=settings.home,
        jobs_database=settings.jobs_database,
        jobs_directory=settings.jobs_directory,
        modules=modules,
        weights=chosen_weights,
        max_image_pixels=settings.max_image_pixels,
        base_path=normalise_base_path(settings.base_path if base_path is None else base_path),
        max_request_bytes=settings.max_request_bytes,
        max_files_per_request=settings.max_files_per_request,
        predict_endpoint=predict_endpoint,
        train_endpoint=train_endpoint,
        doc_endpoint=doc_endpoint,
        debug_endpoint=debug_endpoint,
        deepaas_models=deepaas_models,
        include_deepaas_modules=modules is None or bool(deepaas_models),
        warm=warm,
        verbose=state.verbose,
        batching=batch_options(settings),
        gil_switch_ms=settings.gil_switch_ms,
        access_log=settings.access_log,
        tracking_uri=settings.tracking_uri,
        auth=AuthPlan.from_settings(settings),
        database_url=settings.database_url,
        allow_insecure_bind=settings.allow_insecure_bind,
        platform_services=not settings.deployment_id,
        try_minutes=settings.try_minutes,
        try_limit=settings.try_limit,
        deployment_max_restarts=settings.deployment_max_restarts,
    )
    run_server(plan, registry)
