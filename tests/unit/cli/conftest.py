"""Helpers for CLI tests: run ``seascope`` in-process with a chosen module registry."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.modules import ModuleRegistry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "seascope_modules"

Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """``invoke(args, registry=None, verbose=False)``: run seascope, return the result.

    With ``registry`` the commands see exactly those modules (no entry-point scan).
    """

    def run(
        args: Sequence[str], registry: ModuleRegistry | None = None, *, verbose: bool = False
    ) -> Result:
        state = CliState(verbose=verbose)
        if registry is not None:
            state = CliState(verbose=verbose, discover_modules=lambda: registry)
        return CliRunner().invoke(build_app(), list(args), obj=state, catch_exceptions=False)

    return run


@pytest.fixture
def plugin_registry() -> Iterator[ModuleRegistry]:
    """The fake installed plugins of tests/fixtures (some broken on purpose)."""
    sys.path.insert(0, str(FIXTURES))
    try:
        yield ModuleRegistry.from_entry_points("seascope.modules.test")
    finally:
        sys.path.remove(str(FIXTURES))
        for name in [m for m in sys.modules if m.startswith("broken_plugins")]:
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _restore_seascope_logger() -> Iterator[None]:
    """Commands configure the 'seascope' logger; put it back after each test."""
    logger = logging.getLogger("seascope")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
