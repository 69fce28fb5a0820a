"""``seascope deployments list | start | stop | logs``: deployments from the command line.

The commands work on the platform database directly (``--database-url`` /
``SEASCOPE_DATABASE_URL``), as the local user unless ``--user`` names another. A
deployment started here runs in its own process and outlives the command; a running
``seascope serve`` takes over its supervision within seconds (health checks, restarts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from seascope.cli.config import load_settings
from seascope.cli.db import DatabaseUrlOption, open_database
from seascope.cli.failures import SeascopeCommand
from seascope.cli.modules import FormatOption, JsonOption, OutputFormat
from seascope.cli.state import state_of
from seascope.cli.tables import format_table
from seascope.errors import ResourceNotFound

if TYPE_CHECKING:
    from seascope.platform import Principal
    from seascope.platform.deployments import DeploymentInfo, DeploymentService

__all__ = ["build_deployments_app", "deployment_document"]

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (subject) (default: the local user)."),
]
IssuerOption = Annotated[
    str | None,
    typer.Option("--issuer", help="The user's issuer (default: 'seascope')."),
]
IdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="The deployment's id, or a unique start of it.")
]


def deployment_document(info: DeploymentInfo) -> dict[str, object]:
    """The deployment as JSON (what ``GET /v1/deployments/{id}`` answers)."""
    return {
        "id": str(info.id),
        "module": info.module,
        "status": info.status.value,
        "endpoint": info.endpoint,
        "resources": info.resources.model_dump(),
        "restarts": info.restarts,
        "message": info.message,
        "created_at": info.created_at.isoformat(),
        "updated_at": info.updated_at.isoformat(),
        "started_at": info.started_at.isoformat() if info.started_at else None,
        "stopped_at": info.stopped_at.isoformat() if info.stopped_at else None,
    }


@contextmanager
def _service(
    ctx: typer.Context, database_url: str | None, user: str | None, issuer: str | None
) -> Iterator[tuple[DeploymentService, Principal]]:
    from seascope.platform import LOCAL_ISSUER, AuthMethod, Principal, UserStore
    from seascope.platform.deployments import (
        DeploymentService,
        RestartPolicy,
        SupervisionOptions,
    )

    settings = load_settings()
    database = open_database(database_url)
    try:
        users = UserStore(database)
        subject, chosen_issuer = user or "local", issuer or LOCAL_ISSUER
        is_local = (subject, chosen_issuer) == ("local", LOCAL_ISSUER)
        if is_local:
            user_id = users.ensure(subject=subject, issuer=chosen_issuer, name="Local user")
        else:
            found = users.find(subject=subject, issuer=chosen_issuer)
            if found is None:
                raise ResourceNotFound(f"no user {subject!r} of issuer {chosen_issuer!r}")
            user_id = found.id
        principal = Principal(
            subject=subject,
            issuer=chosen_issuer,
            method=AuthMethod.LOCAL if is_local else AuthMethod.TOKEN,
            user_id=user_id,
        )
        service = DeploymentService.local(
            database,
            state_of(ctx).discover_modules(),
            home=settings.home,
            policy=RestartPolicy(max_restarts=settings.deployment_max_restarts),
            # A command is no platform: it watches only what it starts, while it runs.
            options=SupervisionOptions(adopt_interval=0),
        )
        try:
            yield service, principal
        finally:
            service.close()
    finally:
        database.close()


def _resolve(service: DeploymentService, principal: Principal, given: str) -> str:
    """The full id of the caller's deployment ``given`` (a full id or a unique prefix)."""
    matches = [str(i.id) for i in service.list(principal) if str(i.id).startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ResourceNotFound(f"{given!r} matches {len(matches)} deployments: give more of it")
    return given


def _print(infos: list[DeploymentInfo], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([deployment_document(info) for info in infos], indent=2))
        return
    rows = [
        [
            str(info.id)[:8],
            info.module,
            info.status.value,
            info.endpoint or "-",
            str(info.resources.cpus),
            f"{info.resources.memory_mb} MiB",
            str(info.restarts),
            info.created_at.strftime("%Y-%m-%d %H:%M"),
            (info.message.splitlines() or [""])[0][:60],
        ]
        for info in infos
    ]
    headers = ["ID", "MODULE", "STATUS", "ENDPOINT", "CPUS", "MEMORY", "RESTARTS", "CREATED", ""]
    typer.echo(format_table(headers, rows))


def list_deployments(
    ctx: typer.Context,
    user: UserOption = None,
    issuer: IssuerOption = None,
    database_url: DatabaseUrlOption = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """List your deployments, newest first."""
    with _service(ctx, database_url, user, issuer) as (service, principal):
        infos = service.list(principal)
    _print(infos, as_json=as_json or output is OutputFormat.JSON)


def start(
    ctx: typer.Context,
    module: Annotated[str, typer.Argument(help="The module to serve.")],
    cpus: Annotated[int, typer.Option("--cpus", min=1, help="CPU cores.")] = 1,
    memory_mb: Annotated[
        int, typer.Option("--memory-mb", min=64, help="Memory limit in MiB.")
    ] = 2048,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until it runs (or fails).")
    ] = True,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds to wait with --wait.")
    ] = 120.0,
    user: UserOption = None,
    issuer: IssuerOption = None,
    database_url: DatabaseUrlOption = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Start serving MODULE in a process of its own; prints the deployment."""
    from seascope.platform import DeploymentStatus
    from seascope.platform.deployments import DeploymentResources

    with _service(ctx, database_url, user, issuer) as (service, principal):
        info = service.start(principal, module, DeploymentResources(cpus=cpus, memory_mb=memory_mb))
        deadline = time.monotonic() + timeout
        while wait and info.is_active and info.status is not DeploymentStatus.RUNNING:
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)
            info = service.get(principal, info.id)
    _print([info], as_json=as_json or output is OutputFormat.JSON)
    if info.status is DeploymentStatus.FAILED:
        typer.echo(f"deployment {info.id} failed: {info.message}", err=True)
        raise typer.Exit(1)


def stop(
    ctx: typer.Context,
    deployment_id: IdArgument,
    user: UserOption = None,
    issuer: IssuerOption = None,
    database_url: DatabaseUrlOption = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Stop a deployment's server (an ended deployment is left as it is)."""
    with _service(ctx, database_url, user, issuer) as (service, principal):
        info = service.stop(principal, _resolve(service, principal, deployment_id))
    _print([info], as_json=as_json or output is OutputFormat.JSON)


def logs(
    ctx: typer.Context,
    deployment_id: IdArgument,
    tail: Annotated[int, typer.Option("--tail", "-n", min=1, help="Lines from the end.")] = 200,
    user: UserOption = None,
    issuer: IssuerOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Print the end of a deployment's server log."""
    with _service(ctx, database_url, user, issuer) as (service, principal):
        text = service.logs(principal, _resolve(service, principal, deployment_id), tail=tail)
    typer.echo(text, nl=False)


def build_deployments_app() -> typer.Typer:
    """The ``seascope deployments`` command group."""
    app = typer.Typer(
        help="Deployments: a module's server started for you, supervised.",
        no_args_is_help=True,
    )
    app.command("list", cls=SeascopeCommand)(list_deployments)
    app.command("start", cls=SeascopeCommand)(start)
    app.command("stop", cls=SeascopeCommand)(stop)
    app.command("logs", cls=SeascopeCommand)(logs)
    return app
