"""How a failing command ends: one line on stderr and the exit code of the error.

Every ``seascope`` command is a :class:`SeascopeCommand`, so this is the one place where
errors become exit codes (the table is in :mod:`seascope.cli.exit_codes`).
"""

from __future__ import annotations

import traceback
from typing import Any

import typer
from typer.core import TyperCommand

from seascope.cli.exit_codes import ExitCode, exit_code_for
from seascope.cli.state import state_of
from seascope.errors import InvalidParameters, SeascopeError

__all__ = ["SeascopeCommand", "report_failure"]


def report_failure(error: BaseException, *, verbose: bool) -> ExitCode:
    """Print ``error`` as one line on stderr (plus a traceback for bugs when ``verbose``).

    Returns:
        The exit code the process should end with.
    """
    code = exit_code_for(error)
    if isinstance(error, InvalidParameters) and error.fields:
        details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())
        message = error.message if details in error.message else f"{error.message} ({details})"
    elif isinstance(error, SeascopeError):
        message = error.message
    elif code is ExitCode.INTERRUPTED:
        message = "interrupted"
    else:
        detail = str(error)
        message = f"internal error: {type(error).__name__}{': ' + detail if detail else ''}"
        if verbose:
            traceback.print_exception(error, file=typer.get_text_stream("stderr"))
        else:
            message += " (run 'seascope --verbose ...' to see the traceback)"
    typer.echo(f"error: {_one_line(message)}", err=True)
    return code


class SeascopeCommand(TyperCommand):
    """A typer command that maps seascope errors (and unexpected ones) to exit codes."""

    # ``ctx`` is typer's (vendored) click context; typed loosely to avoid a private import.
    def invoke(self, ctx: Any) -> Any:
        """Run the command; a raised error becomes a message and an exit code."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (Exception, KeyboardInterrupt) as error:
            code = report_failure(error, verbose=state_of(ctx).verbose)
            raise typer.Exit(int(code)) from error


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())
