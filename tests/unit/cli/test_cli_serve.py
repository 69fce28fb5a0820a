"""``seascope serve`` options (its own and deepaas-run's) become the right ServePlan."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from seascope.cli import server
from seascope.cli.serve import select_modules
from seascope.cli.serve_plan import (
    APP_FACTORY,
    PLAN_VARIABLE,
    ServePlan,
    app_from_environment,
    prepare_database,
    tune_interpreter,
)
from seascope.errors import ConfigError, ModuleNotFound
from seascope.modules import ModuleManifest, ModuleRegistry

Invoke = Callable[..., Result]


def _manifest(name: str) -> ModuleManifest:
    return ModuleManifest(
        name=name,
        version="1.0.0",
        title=name,
        summary="test module",
        task="other",
        entry="nowhere.module:Nothing",
    )


@pytest.fixture
def registry() -> ModuleRegistry:
    return ModuleRegistry([_manifest("alpha"), _manifest("beta")])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, seascope_home: Path) -> list[ServePlan]:
    """Plans that ``run_server`` was called with (nothing is started)."""
    plans: list[ServePlan] = []
    monkeypatch.setattr("seascope.cli.serve.run_server", lambda plan, _: plans.append(plan))
    monkeypatch.setattr("seascope.cli.serve.deepaas_module_names", lambda: {"legacy_model"})
    for variable in ("DEEPAAS_V2_MODEL", "SEASCOPE_MODULES", "SEASCOPE_HOST", "SEASCOPE_PORT"):
        monkeypatch.delenv(variable, raising=False)
    return plans


def test_defaults(invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan]) -> None:
    result = invoke(["serve"], registry)
    assert result.exit_code == 0, result.stderr
    (plan,) = served
    assert (plan.host, plan.port, plan.workers) == ("127.0.0.1", 5000, 1)
    assert plan.modules is None
    assert plan.include_deepaas_modules
    assert plan.warm
    assert plan.predict_endpoint
    assert plan.train_endpoint
    assert plan.doc_endpoint
    assert not plan.debug_endpoint
    assert plan.base_path == ""
    assert plan.max_request_bytes == 64 * 1024 * 1024
    assert plan.jobs_database == plan.home / "jobs.sqlite"
    assert plan.access_log


def test_deepaas_run_option_names(
    invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan]
) -> None:
    args = [
        "serve",
        "--listen-ip",
        "0.0.0.0",
        "--listen-port",
        "8080",
        "--nowarm",
        "--nopredict-endpoint",
        "--notrain-endpoint",
        "--nodoc-endpoint",
        "--debug-endpoint",
        "--client-max-size",
        "0",
        "-p",
        "3",
        "--base-path",
        "/proxy/",
    ]
    assert invoke(args, registry).exit_code == 0
    (plan,) = served
    assert (plan.host, plan.port, plan.workers) == ("0.0.0.0", 8080, 3)
    assert not (plan.warm)
    assert not (plan.predict_endpoint)
    assert not (plan.train_endpoint)
    assert not (plan.doc_endpoint)
    assert plan.debug_endpoint
    assert plan.max_request_bytes == 0
    assert plan.base_path == "/proxy"


def test_click_style_negations_work_too(
    invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan]
) -> None:
    args = ["serve", "--no-warm", "--no-predict-endpoint", "--host", "::1", "--port", "1"]
    assert invoke(args, registry).exit_code == 0
    assert not served[0].warm
    assert not served[0].predict_endpoint
    assert (served[0].host, served[0].port) == ("::1", 1)


def test_model_names_split_into_seascope_and_deepaas_modules(
    invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan]
) -> None:
    args = ["serve", "--model-name", "beta", "--module", "legacy_model", "-m", "beta"]
    assert invoke(args, registry).exit_code == 0
    assert served[0].modules == ("beta",)
    assert served[0].deepaas_models == ("legacy_model",)
    assert served[0].include_deepaas_modules


def test_only_seascope_modules_leaves_deepaas_modules_out(
    invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan]
) -> None:
    assert invoke(["serve", "--model-name", "alpha"], registry).exit_code == 0
    assert served[0].modules == ("alpha",)
    assert not served[0].include_deepaas_modules


def test_deepaas_v2_model_variable_is_the_default_model_name(
    invoke: Invoke,
    registry: ModuleRegistry,
    served: list[ServePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEEPAAS_V2_MODEL", "legacy_model")
    assert invoke(["serve"], registry).exit_code == 0
    assert served[0].modules == ()
    assert served[0].deepaas_models == ("legacy_model",)


def test_seascope_variables_are_read(
    invoke: Invoke,
    registry: ModuleRegistry,
    served: list[ServePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEASCOPE_HOST", "0.0.0.0")
    monkeypatch.setenv("SEASCOPE_PORT", "7001")
    monkeypatch.setenv("SEASCOPE_BASE_PATH", "/env")
    assert invoke(["serve", "--listen-port", "7002"], registry).exit_code == 0
    assert (served[0].host, served[0].port, served[0].base_path) == ("0.0.0.0", 7002, "/env")


def test_access_log_follows_the_variable_and_the_option(
    invoke: Invoke,
    registry: ModuleRegistry,
    served: list[ServePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEASCOPE_ACCESS_LOG", "false")
    assert invoke(["serve"], registry).exit_code == 0
    assert invoke(["serve", "--access-log"], registry).exit_code == 0
    monkeypatch.delenv("SEASCOPE_ACCESS_LOG")
    assert invoke(["serve", "--no-access-log"], registry).exit_code == 0
    assert [plan.access_log for plan in served] == [False, True, False]


def test_help_shows_the_defaults(
    invoke: Invoke, registry: ModuleRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rich reads "[default: ...]" in a help text as a style tag and drops it.
    monkeypatch.setenv("COLUMNS", "400")
    result = invoke(["serve", "--help"], registry)
    assert result.exit_code == 0
    for shown in ("(default: 127.0.0.1)", "(default: 5000)", "(default: $SEASCOPE_ACCESS_LOG"):
        assert shown in result.stdout


def test_weights_are_checked_and_passed(
    invoke: Invoke, registry: ModuleRegistry, served: list[ServePlan], tmp_path: Path
) -> None:
    model = tmp_path / "alpha.npz"
    model.write_bytes(b"x")
    assert invoke(["serve", "--weights", f"alpha={model}"], registry).exit_code == 0
    assert served[0].weights == {"alpha": model}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--base-path", "api"], 2, "--base-path must start with '/'"),
        (["--model-name", "gamma"], 3, "no module named 'gamma'"),
        (["--weights", "gamma=/"], 3, "no module named 'gamma'"),
        (["--weights", "alpha=/nonexistent.npz"], 2, "no such file"),
        (["--weights", "alpha"], 2, "--weights expects KEY=VALUE"),
        (["--workers", "0"], 2, ""),
        (["--listen-port", "70000"], 2, ""),
    ],
)
def test_bad_options_exit_with_a_clear_message(
    invoke: Invoke,
    registry: ModuleRegistry,
    served: list[ServePlan],
    args: list[str],
    code: int,
    message: str,
) -> None:
    result = invoke(["serve", *args], registry)
    assert result.exit_code == code
    assert message in result.stderr
    assert not served


def test_select_modules_without_names_serves_everything(registry: ModuleRegistry) -> None:
    assert select_modules([], registry, {"x"}) == (None, ())


def test_select_modules_prefers_seascope_for_a_name_in_both(registry: ModuleRegistry) -> None:
    assert select_modules(["alpha"], registry, {"alpha"}) == (("alpha",), ())


def test_select_modules_lists_what_is_installed(registry: ModuleRegistry) -> None:
    with pytest.raises(ModuleNotFound, match=r"seascope modules: alpha, beta; DEEPaaS modules: x"):
        select_modules(["zeta"], registry, {"x"})


def _plan(tmp_path: Path, **changes: Any) -> ServePlan:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 5000,
        "home": tmp_path,
        "jobs_database": tmp_path / "jobs.sqlite",
        "jobs_directory": tmp_path / "jobs",
        "max_image_pixels": 1000,
        "max_request_bytes": 10,
        "max_files_per_request": 2,
    }
    values.update(changes)
    return ServePlan(**values)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:80"),
        ("", "http://127.0.0.1:80"),
        ("::", "http://127.0.0.1:80"),
        ("::1", "http://[::1]:80"),
        ("example.org", "http://example.org:80"),
    ],
)
def test_public_url(host: str, url: str) -> None:
    assert server.public_url(host, 80) == url


def test_banner_says_where_to_open_what(tmp_path: Path) -> None:
    plan = _plan(tmp_path, host="0.0.0.0", port=8000, base_path="/x", workers=2)
    text = "\n".join(server.banner_lines(plan, ["alpha"]))
    assert "serving alpha" in text
    for path in ("/docs", "/v2/", "/api", "/swagger.json"):
        assert f"http://127.0.0.1:8000/x{path}" in text
    assert "Listening on 0.0.0.0:8000 with 2 worker processes" in text


def test_banner_without_docs(tmp_path: Path) -> None:
    text = "\n".join(server.banner_lines(_plan(tmp_path, doc_endpoint=False), []))
    assert "/docs" not in text
    assert "/api" not in text
    assert "/v2/" in text


def test_plan_round_trips_through_json(tmp_path: Path) -> None:
    plan = _plan(tmp_path, modules=("a",), weights={"a": tmp_path / "w"}, deepaas_models=("d",))
    assert ServePlan.model_validate_json(plan.model_dump_json()) == plan
    options = plan.server_options()
    assert options.deepaas_models == ("d",)
    assert options.max_files_per_request == 2


def test_app_factory_needs_the_plan_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAN_VARIABLE, raising=False)
    with pytest.raises(ConfigError, match=PLAN_VARIABLE):
        app_from_environment()


def test_app_factory_builds_the_app_of_the_plan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = _plan(tmp_path, modules=(), warm=False)
    monkeypatch.setenv(PLAN_VARIABLE, plan.model_dump_json())
    from fastapi.testclient import TestClient

    prepare_database(plan)  # what the parent process does before starting the workers
    with TestClient(app_from_environment()) as client:
        assert client.get("/v1/health").status_code == 200
        assert client.get("/v1/deployments").json() == []


def test_servers_hand_the_gil_over_every_millisecond(
    invoke: Invoke,
    registry: ModuleRegistry,
    served: list[ServePlan],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert invoke(["serve"], registry).exit_code == 0
    assert served[0].gil_switch_ms == 1.0
    monkeypatch.setenv("SEASCOPE_GIL_SWITCH_MS", "0.5")
    assert invoke(["serve"], registry).exit_code == 0
    assert served[1].gil_switch_ms == 0.5
    monkeypatch.setenv("SEASCOPE_GIL_SWITCH_MS", "0")
    refused = invoke(["serve"], registry)
    assert refused.exit_code == 2 and "gil_switch_ms" in refused.output
    default = sys.getswitchinterval()
    try:
        tune_interpreter(served[1])
        assert sys.getswitchinterval() == pytest.approx(0.0005)
    finally:
        sys.setswitchinterval(default)


def test_one_worker_runs_the_app_object(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    server.run_server(_plan(tmp_path, modules=(), warm=False), ModuleRegistry())
    ((app, options),) = calls
    assert not isinstance(app, str)
    assert (options["host"], options["port"]) == ("127.0.0.1", 5000)
    assert options["access_log"] is True
    assert "serving no seascope modules" in capsys.readouterr().err


def test_several_workers_use_the_app_factory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv(PLAN_VARIABLE, "")
    plan = _plan(tmp_path, workers=3, access_log=False)
    server.run_server(plan, ModuleRegistry())
    ((app, options),) = calls
    assert options["access_log"] is False
    assert app == APP_FACTORY
    assert options["factory"] is True
    assert options["workers"] == 3
    assert ServePlan.model_validate_json(os.environ[PLAN_VARIABLE]) == plan


def test_local_mode_refuses_to_listen_beyond_loopback(
    monkeypatch: pytest.MonkeyPatch, invoke: Invoke, registry: ModuleRegistry, seascope_home: Path
) -> None:
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: started.append(args))
    monkeypatch.delenv("SEASCOPE_AUTH_MODE", raising=False)
    result = invoke(["serve", "--no-warm", "--host", "0.0.0.0"], registry)  # noqa: S104
    assert result.exit_code == 2  # ConfigError
    assert "auth mode 'local' has no login" in result.stderr
    assert started == []
    assert not (seascope_home / "platform.sqlite").exists()  # refused before writing anything
    monkeypatch.setenv("SEASCOPE_ALLOW_INSECURE_BIND", "true")
    result = invoke(["serve", "--no-warm", "--host", "0.0.0.0"], registry)  # noqa: S104
    assert result.exit_code == 0, result.stderr
    assert len(started) == 1
    assert (seascope_home / "platform.sqlite").exists()  # migrated before serving
