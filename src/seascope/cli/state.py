"""What every command of one ``seascope`` invocation shares, and where its logs go."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import typer

from seascope.modules import ModuleRegistry

__all__ = ["CliState", "configure_logging", "state_of"]

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _discover_modules() -> ModuleRegistry:
    return ModuleRegistry.from_entry_points()


@dataclass(frozen=True)
class CliState:
    """Options of the root command, handed to sub-commands as ``ctx.obj``.

    Attributes:
        verbose: Show debug logs and tracebacks of unexpected errors.
        discover_modules: Builds the module registry (tests pass a fake one).
    """

    verbose: bool = False
    discover_modules: Callable[[], ModuleRegistry] = field(default=_discover_modules)


def state_of(ctx: typer.Context) -> CliState:
    """The state of the running command (defaults when it runs outside ``seascope``)."""
    state = ctx.find_object(CliState)
    return state if state is not None else CliState()


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never break a command
            self.handleError(record)


def configure_logging(*, verbose: bool) -> None:
    """Send seascope's logs to stderr: warnings and errors, or everything with ``verbose``.

    Stdout is kept for data (JSON, tables), so a pipe never sees a log line.
    """
    logger = logging.getLogger("seascope")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
