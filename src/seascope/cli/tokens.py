"""``seascope tokens create | list | revoke``: API tokens for auth mode ``token``.

A token's secret is printed once, by ``create``, on stdout alone (so
``TOKEN=$(seascope tokens create ci)`` works); the database keeps only its hash.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from seascope.cli.db import DatabaseUrlOption, open_database
from seascope.cli.failures import SeascopeCommand
from seascope.cli.modules import FormatOption, JsonOption, OutputFormat
from seascope.cli.tables import format_table

if TYPE_CHECKING:
    from seascope.platform import TokenInfo

__all__ = ["build_tokens_app"]

UserOption = Annotated[
    str | None, typer.Option("--user", help="The user's subject (default: the local user).")
]
IssuerOption = Annotated[
    str | None,
    typer.Option(
        "--issuer",
        help="The user's issuer: 'seascope' for users seascope creates, or an OIDC issuer "
        "URL to give an OIDC user a token.",
    ),
]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def _document(info: TokenInfo, now: datetime) -> dict[str, str | None]:
    return {
        "id": info.id,
        "name": info.name,
        "user": info.subject,
        "issuer": info.issuer,
        "state": info.state(now).value,
        "created_at": info.created_at.isoformat(),
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "expires_at": info.expires_at.isoformat() if info.expires_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


def create(
    name: Annotated[str, typer.Argument(help="What the token is for (laptop, ci ...).")],
    user: UserOption = None,
    issuer: IssuerOption = None,
    expires_days: Annotated[
        int | None,
        typer.Option("--expires-days", min=1, help="Lifetime in days (default: until revoked)."),
    ] = None,
    database_url: DatabaseUrlOption = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Create an API token and print its secret: the only time it is shown."""
    from seascope.platform import LOCAL_ISSUER, TokenStore

    database = open_database(database_url)
    try:
        issued = TokenStore(database).create(
            name,
            subject=user or "local",
            issuer=issuer or LOCAL_ISSUER,
            expires_in=None if expires_days is None else timedelta(days=expires_days),
        )
    finally:
        database.close()
    info = issued.info
    if as_json or output is OutputFormat.JSON:
        document: dict[str, str | None] = {**_document(info, info.created_at)}
        document["token"] = issued.secret
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(issued.secret)
    expiry = f"expires {_when(info.expires_at)} UTC" if info.expires_at else "does not expire"
    typer.echo(
        f"created token {info.id} ({info.name!r}) for {info.subject}; it {expiry}. "
        "Copy it now: it cannot be shown again.",
        err=True,
    )


def list_tokens(
    user: UserOption = None,
    database_url: DatabaseUrlOption = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """List API tokens (never their secrets)."""
    from seascope.platform import TokenStore, utc_now

    database = open_database(database_url)
    try:
        tokens = TokenStore(database).list(subject=user)
    finally:
        database.close()
    now = utc_now()
    if as_json or output is OutputFormat.JSON:
        typer.echo(json.dumps([_document(info, now) for info in tokens], indent=2))
        return
    rows = [
        [
            info.id,
            info.name,
            info.subject,
            _when(info.created_at),
            _when(info.last_used_at),
            _when(info.expires_at),
            info.state(now).value,
        ]
        for info in tokens
    ]
    headers = ["ID", "NAME", "USER", "CREATED", "LAST USED", "EXPIRES", "STATE"]
    typer.echo(format_table(headers, rows))


def revoke(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id (see list).")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke an API token: requests using it are refused from now on."""
    from seascope.platform import TokenStore

    database = open_database(database_url)
    try:
        info = TokenStore(database).revoke(token_id)
    finally:
        database.close()
    typer.echo(f"revoked token {info.id} ({info.name!r}) of {info.subject}", err=True)


def build_tokens_app() -> typer.Typer:
    """The ``seascope tokens`` command group."""
    app = typer.Typer(help="API tokens for SEASCOPE_AUTH_MODE=token.", no_args_is_help=True)
    app.command("create", cls=SeascopeCommand)(create)
    app.command("list", cls=SeascopeCommand)(list_tokens)
    app.command("revoke", cls=SeascopeCommand)(revoke)
    return app
