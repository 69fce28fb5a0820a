"""``deepaas-run`` and ``deepaas-cli`` (also ``seascope deepaas-cli``) keep DEEPaaS usage."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from seascope.cli.deepaas_commands import (
    deepaas_cli,
    deepaas_run,
    translate_deepaas_run_arguments,
)
from seascope.cli.serve_plan import ServePlan

Invoke = Callable[..., Result]


@pytest.mark.parametrize(
    ("argv", "serve_args"),
    [
        (["--listen-ip", "0.0.0.0"], ["--listen-ip", "0.0.0.0"]),
        (
            ["--listen_ip=0.0.0.0", "--listen_port", "80"],
            ["--listen-ip=0.0.0.0", "--listen-port", "80"],
        ),
        (["--nowarm", "--nodoc_endpoint"], ["--nowarm", "--nodoc-endpoint"]),
        (["-p", "2", "--model-name", "m"], ["-p", "2", "--model-name", "m"]),
        (["--config-file", "/etc/deepaas.conf", "--nowarm"], ["--nowarm"]),
        (["--log-file=/var/log/d.log", "--use-json", "--nouse-syslog"], []),
        (["--debug", "--nodebug", "-d"], []),
    ],
)
def test_translate_deepaas_run_arguments(argv: list[str], serve_args: list[str]) -> None:
    assert translate_deepaas_run_arguments(argv).serve_args == serve_args


def test_translate_reports_debug_version_and_ignored_options() -> None:
    arguments = translate_deepaas_run_arguments(
        ["-d", "--version", "--config-dir", "/etc/deepaas", "--use-syslog"]
    )
    assert arguments.debug
    assert arguments.version
    assert arguments.ignored == ["--config-dir /etc/deepaas", "--use-syslog"]
    assert not translate_deepaas_run_arguments(["-d", "--nodebug"]).debug


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, seascope_home: Path) -> list[ServePlan]:
    plans: list[ServePlan] = []
    monkeypatch.setattr("seascope.cli.serve.run_server", lambda plan, _: plans.append(plan))
    monkeypatch.delenv("DEEPAAS_V2_MODEL", raising=False)
    return plans


def test_deepaas_run_serves_with_deepaas_options(
    served: list[ServePlan], capsys: pytest.CaptureFixture[str]
) -> None:
    code = deepaas_run(
        ["--listen-ip", "0.0.0.0", "--listen_port=8000", "--nowarm", "-d", "--config-file", "x"]
    )
    assert code == 0
    (plan,) = served
    assert (plan.host, plan.port, plan.warm, plan.verbose) == ("0.0.0.0", 8000, False, True)
    assert "ignoring --config-file x" in capsys.readouterr().err


def test_deepaas_run_bad_base_path_exits_2(
    served: list[ServePlan], capsys: pytest.CaptureFixture[str]
) -> None:
    assert deepaas_run(["--base-path", "v2api"]) == 2
    assert "--base-path must start with '/'" in capsys.readouterr().err
    assert not served


def test_deepaas_run_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert deepaas_run(["--version"]) == 0
    assert "deepaas-run compatible" in capsys.readouterr().out
    assert deepaas_run(["--help"]) == 0
    assert "deepaas-run" in capsys.readouterr().out


@pytest.fixture
def fake_deepaas_cli(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replace seascope.deepaas.cli.run_cli with one that records its argv."""
    calls: list[list[str]] = []

    def run_cli(argv: list[str]) -> int:
        calls.append(argv)
        if "explode" in argv:
            raise RuntimeError("model import failed")
        return 7 if "fail" in argv else 0

    module = types.ModuleType("seascope.deepaas.cli")
    module.run_cli = run_cli  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "seascope.deepaas.cli", module)
    return calls


def test_seascope_deepaas_cli_passes_every_argument_through(
    invoke: Invoke, fake_deepaas_cli: list[list[str]]
) -> None:
    args = ["predict", "--files", "a.jpg", "--deepaas_method_output", "out.json", "-h"]
    result = invoke(["deepaas-cli", *args])
    assert result.exit_code == 0
    assert fake_deepaas_cli == [args]


def test_seascope_deepaas_cli_help_is_deepaas_clis(
    invoke: Invoke, fake_deepaas_cli: list[list[str]]
) -> None:
    assert invoke(["deepaas-cli", "--help"]).exit_code == 0
    assert fake_deepaas_cli == [["--help"]]


def test_deepaas_cli_exit_code_is_run_clis(
    invoke: Invoke, fake_deepaas_cli: list[list[str]]
) -> None:
    assert invoke(["deepaas-cli", "fail"]).exit_code == 7
    assert deepaas_cli(["fail"]) == 7
    assert deepaas_cli(["get_metadata"]) == 0


def test_deepaas_cli_errors_are_one_line(
    fake_deepaas_cli: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert deepaas_cli(["explode"]) == 70
    assert "model import failed" in capsys.readouterr().err


def test_missing_deepaas_layer_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "seascope.deepaas.cli", None)  # import raises ImportError
    assert deepaas_cli(["get_metadata"]) == 2
    assert "deepaas-cli" in capsys.readouterr().err


def test_real_deepaas_cli_runs_a_method(invoke: Invoke) -> None:
    result = invoke(["deepaas-cli", "--model-name", "reference", "--json", "get_metadata"])
    assert result.exit_code == 0, result.stderr
    assert "reference" in json.dumps(json.loads(result.stdout))


def test_real_deepaas_cli_usage_error_is_its_exit_code(invoke: Invoke) -> None:
    result = invoke(["deepaas-cli", "--model-name", "no-such-model", "get_metadata"])
    assert result.exit_code == 2
