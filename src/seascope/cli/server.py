"""Run the HTTP server of a :class:`~seascope.cli.serve_plan.ServePlan` under uvicorn."""

from __future__ import annotations

import os

import typer

from seascope import __version__
from seascope.cli.serve_plan import (
    APP_FACTORY,
    PLAN_VARIABLE,
    ServePlan,
    build_app,
    prepare_database,
    tune_interpreter,
)
from seascope.modules import ModuleRegistry

__all__ = ["banner_lines", "public_url", "run_server"]

_ANY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 - comparing, not binding
_GRACEFUL_SHUTDOWN_SECONDS = 10
_AUTH_MODES = {
    "local": "local (one user, no login, loopback only)",
    "token": "token (API tokens: seascope tokens create)",
    "oidc": "oidc (bearer tokens from the OpenID Connect issuer)",
}


def public_url(host: str, port: int) -> str:
    """The URL to open for a server bound to ``host:port`` (wildcards become loopback)."""
    shown = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def banner_lines(plan: ServePlan, modules: list[str]) -> list[str]:
    """What the server prints on stderr before it starts: where to open what."""
    root = public_url(plan.host, plan.port) + plan.base_path
    served = ", ".join(modules) if modules else "no seascope modules"
    lines = [f"seascope {__version__} serving {served}"]
    if plan.deepaas_models:
        lines[0] += f" and DEEPaaS modules {', '.join(plan.deepaas_models)}"
    lines.append(f"  Dashboard:          {root}/  (open it in a browser)")
    if plan.doc_endpoint:
        lines.append(f"  Native API docs:    {root}/docs")
    lines.append(f"  Native API:         {root}/v1/")
    lines.append(f"  DEEPaaS v2 API:     {root}/v2/")
    if plan.doc_endpoint:
        lines.append(f"  Swagger UI:         {root}/api")
    lines.append(f"  API specification:  {root}/swagger.json")
    lines.append(f"  Metrics:            {root}/metrics")
    lines.append(f"  Auth mode:          {_AUTH_MODES[plan.auth.mode]}")
    workers = f" with {plan.workers} worker processes" if plan.workers > 1 else ""
    lines.append(f"  Listening on {plan.host}:{plan.port}{workers}; press Ctrl+C to stop.")
    return lines


def run_server(plan: ServePlan, registry: ModuleRegistry) -> None:
    """Serve until interrupted (blocks).

    One worker: the app is built here, so start-up errors are reported by this process.
    Several workers: each uvicorn worker process builds its own app from the plan
    (modules are loaded once per worker; training jobs are shared through the job
    database, as with DEEPaaS's process pool).
    """
    try:
        _run_uvicorn(plan, registry)
    except KeyboardInterrupt:
        # uvicorn re-raises Ctrl+C after its graceful shutdown; stopping is not an error.
        typer.echo("seascope stopped", err=True)


def _run_uvicorn(plan: ServePlan, registry: ModuleRegistry) -> None:
    import uvicorn

    from seascope.platform import check_bind_allowed

    check_bind_allowed(plan.auth.mode, plan.host, force=plan.allow_insecure_bind)
    prepare_database(plan)
    modules = list(plan.modules) if plan.modules is not None else registry.names()
    for line in banner_lines(plan, modules):
        typer.echo(line, err=True)
    log_level = "debug" if plan.verbose else "info"
    if plan.workers == 1:
        tune_interpreter(plan)
        app, jobs = build_app(plan, registry)
        try:
            uvicorn.run(
                app,
                host=plan.host,
                port=plan.port,
                log_level=log_level,
                access_log=plan.access_log,
                timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
            )
        finally:
            # Running jobs keep going in their own process groups; a restart finds them.
            jobs.close()
        return
    os.environ[PLAN_VARIABLE] = plan.model_dump_json()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=plan.host,
        port=plan.port,
        workers=plan.workers,
        log_level=log_level,
        access_log=plan.access_log,
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
    )
