"""The ``seascope`` command: ``seascope <noun> <verb>``.

Data goes to stdout, logs and progress to stderr; exit codes come from the error tree
(:mod:`seascope.cli.exit_codes`). Building the app imports no web or ML framework, so
``seascope --help`` stays fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from seascope import __version__
from seascope.cli.batch import build_export_app
from seascope.cli.catalog import build_catalog_app
from seascope.cli.data import build_data_app
from seascope.cli.db import build_db_app
from seascope.cli.deepaas_commands import deepaas_cli_command
from seascope.cli.demo import demo
from seascope.cli.deployments import build_deployments_app
from seascope.cli.evaluate import evaluate
from seascope.cli.failures import SeascopeCommand
from seascope.cli.models import build_models_app
from seascope.cli.modules import build_modules_app
from seascope.cli.predict import predict
from seascope.cli.serve import serve
from seascope.cli.state import CliState, configure_logging
from seascope.cli.tokens import build_tokens_app
from seascope.cli.train import build_jobs_app, train
from seascope.cli.watch import oscar_run, watch

__all__ = ["build_app", "run"]

_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"seascope {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Debug logs and tracebacks on stderr."),
    ] = False,
    version: Annotated[  # noqa: ARG001 - handled by its eager callback
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """seascope: AI image analysis for aquatic science (model modules, DEEPaaS-compatible API)."""
    given = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    ctx.obj = replace(given, verbose=verbose or given.verbose)
    configure_logging(verbose=ctx.obj.verbose)


def build_app() -> typer.Typer:
    """The ``seascope`` typer app (built on demand; nothing happens at import)."""
    app = typer.Typer(
        name="seascope",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    app.command("serve", cls=SeascopeCommand)(serve)
    app.command("predict", cls=SeascopeCommand)(predict)
    app.command("demo", cls=SeascopeCommand)(demo)
    app.command("train", cls=SeascopeCommand)(train)
    app.command("evaluate", cls=SeascopeCommand)(evaluate)
    app.add_typer(build_modules_app(), name="modules")
    app.add_typer(build_models_app(), name="models")
    app.add_typer(build_jobs_app(), name="jobs")
    app.add_typer(build_export_app(), name="export")
    app.add_typer(build_data_app(), name="data")
    app.add_typer(build_db_app(), name="db")
    app.add_typer(build_tokens_app(), name="tokens")
    app.add_typer(build_deployments_app(), name="deployments")
    app.add_typer(build_catalog_app(), name="catalog")
    app.command("watch", cls=SeascopeCommand)(watch)
    app.command("oscar-run", cls=SeascopeCommand)(oscar_run)
    app.command(
        "deepaas-cli",
        cls=SeascopeCommand,
        context_settings=_PASS_THROUGH,
        add_help_option=False,
    )(deepaas_cli_command)
    return app


def run() -> int:
    """The ``seascope`` console script; returns the exit code."""
    command = typer.main.get_command(build_app())
    try:
        command.main(prog_name="seascope")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
