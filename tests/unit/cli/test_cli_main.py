"""The root command: help, version, and the one error-to-exit-code mapping."""

from __future__ import annotations

import logging
from collections.abc import Callable

from typer.testing import CliRunner, Result

from seascope import __version__
from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.errors import ModuleFailed
from seascope.modules import ModuleRegistry

Invoke = Callable[..., Result]


def test_version_prints_to_stdout(invoke: Invoke) -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"seascope {__version__}"


def test_help_lists_every_command_group(invoke: Invoke) -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    for command in ("serve", "predict", "demo", "modules", "deepaas-cli"):
        assert command in result.stdout


def test_no_arguments_shows_help_with_usage_exit_code(invoke: Invoke) -> None:
    result = invoke([])
    assert result.exit_code == 2
    assert "Usage" in result.stdout + result.stderr


def test_unknown_option_is_a_usage_error(invoke: Invoke) -> None:
    assert invoke(["modules", "list", "--nope"]).exit_code == 2


def _exploding_registry() -> ModuleRegistry:
    raise RuntimeError("the disk caught fire")


def test_unexpected_error_is_one_line_with_internal_error_code() -> None:
    state = CliState(discover_modules=_exploding_registry)
    result = CliRunner().invoke(build_app(), ["modules", "list"], obj=state)
    assert result.exit_code == 70
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: internal error: RuntimeError: the disk caught fire "
        "(run 'seascope --verbose ...' to see the traceback)"
    ]


def test_verbose_shows_the_traceback_of_unexpected_errors() -> None:
    state = CliState(discover_modules=_exploding_registry)
    result = CliRunner().invoke(build_app(), ["--verbose", "modules", "list"], obj=state)
    assert result.exit_code == 70
    assert "Traceback" in result.stderr
    assert "the disk caught fire" in result.stderr


def test_seascope_errors_never_show_a_traceback() -> None:
    def failing() -> ModuleRegistry:
        raise ModuleFailed("the model is sad")

    result = CliRunner().invoke(
        build_app(), ["-v", "modules", "list"], obj=CliState(discover_modules=failing)
    )
    assert result.exit_code == 1
    assert result.stderr == "error: the model is sad\n"


def test_verbose_sends_seascope_debug_logs_to_stderr() -> None:
    def logging_registry() -> ModuleRegistry:
        logging.getLogger("seascope.test").debug("looking for modules")
        return ModuleRegistry()

    state = CliState(discover_modules=logging_registry)
    quiet = CliRunner().invoke(build_app(), ["modules", "list"], obj=state)
    loud = CliRunner().invoke(build_app(), ["-v", "modules", "list"], obj=state)
    assert "looking for modules" not in quiet.stderr
    assert "looking for modules" in loud.stderr
    assert "looking for modules" not in loud.stdout
