"""``seascope modules list | show | validate`` over fake installed plugins."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from seascope.modules import ModuleRegistry

Invoke = Callable[..., Result]

GOOD = ["echo", "echo-factory", "failing-setup", "lazy-trainer", "missing-import", "not-a-module"]


def test_list_prints_a_table_and_points_to_problems(
    invoke: Invoke, plugin_registry: ModuleRegistry
) -> None:
    result = invoke(["modules", "list"], plugin_registry)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "TASK", "CAPABILITIES", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == GOOD
    assert "4 module(s) could not be read" in result.stderr
    assert "seascope modules list --problems" in result.stderr


@pytest.mark.parametrize("flag", [["--json"], ["--format", "json"], ["-f", "json"]])
def test_list_json_is_the_manifests(
    invoke: Invoke, plugin_registry: ModuleRegistry, flag: list[str]
) -> None:
    result = invoke(["modules", "list", *flag], plugin_registry)
    assert result.exit_code == 0
    manifests = json.loads(result.stdout)
    assert [m["name"] for m in manifests] == GOOD
    assert manifests[0]["capabilities"] == ["predict"]
    assert manifests[0]["entry"] == "broken_plugins.modules:Echo"


def test_list_problems_as_json(invoke: Invoke, plugin_registry: ModuleRegistry) -> None:
    result = invoke(["modules", "list", "--problems", "--json"], plugin_registry)
    assert result.exit_code == 0
    problems = {p["source"].split(" ")[0]: p["message"] for p in json.loads(result.stdout)}
    assert set(problems) == {"dict-manifest", "exploding", "renamed", "absent"}
    assert "plugin exploded" in problems["exploding"]


def test_list_problems_as_table(invoke: Invoke, plugin_registry: ModuleRegistry) -> None:
    result = invoke(["modules", "list", "--problems"], plugin_registry)
    assert result.stdout.splitlines()[0].split() == ["SOURCE", "PROBLEM"]
    assert len(result.stdout.splitlines()) == 5


def test_list_without_problems_says_so_on_stderr(invoke: Invoke) -> None:
    result = invoke(["modules", "list", "--problems"], ModuleRegistry())
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_show_json_has_manifest_and_parameter_schemas(
    invoke: Invoke, plugin_registry: ModuleRegistry
) -> None:
    result = invoke(["modules", "show", "echo", "--json"], plugin_registry)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["manifest"]["name"] == "echo"
    assert document["predict_params"]["title"] == "NoParams"
    assert document["train_params"] is None
    assert "load_error" not in document


def test_show_reference_lists_its_parameters(invoke: Invoke) -> None:
    result = invoke(["modules", "show", "reference"])
    assert result.exit_code == 0
    assert "name:         reference" in result.stdout
    assert "Prediction parameters (--param KEY=VALUE):" in result.stdout
    top_k = next(line for line in result.stdout.splitlines() if line.strip().startswith("top_k"))
    assert top_k.split()[:3] == ["top_k", "integer", "5"]
    assert "dataset              string   required" in result.stdout


def test_show_a_module_that_cannot_load_prints_the_manifest_then_fails(
    invoke: Invoke, plugin_registry: ModuleRegistry
) -> None:
    result = invoke(["modules", "show", "missing-import", "--json"], plugin_registry)
    assert result.exit_code == 4
    document = json.loads(result.stdout)
    assert document["predict_params"] is None
    assert "cannot import broken_plugins.nowhere:Thing" in document["load_error"]
    assert result.stderr.startswith("error: module 'missing-import': cannot import")


def test_show_unknown_module_suggests_names(
    invoke: Invoke, plugin_registry: ModuleRegistry
) -> None:
    result = invoke(["modules", "show", "ecko"], plugin_registry)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "did you mean 'echo'" in result.stderr


def test_validate_a_conforming_module(invoke: Invoke, plugin_registry: ModuleRegistry) -> None:
    result = invoke(["modules", "validate", "echo"], plugin_registry)
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert rows
    assert all(row.startswith("PASSED") for row in rows)
    assert "passes all" in result.stderr


@pytest.mark.parametrize(
    ("name", "failing_check", "message"),
    [
        ("failing-setup", "setup works on cpu", "weights file is corrupt"),
        ("lazy-trainer", "declared capabilities are implemented", "train()"),
        ("not-a-module", "entry is a ModelModule subclass", "Plain"),
        ("missing-import", "entry imports", "broken_plugins.nowhere"),
        ("dict-manifest", "manifest is valid", "not a seascope.modules.ModuleManifest"),
    ],
)
def test_validate_reports_the_failing_check_and_exits_4(
    invoke: Invoke,
    plugin_registry: ModuleRegistry,
    name: str,
    failing_check: str,
    message: str,
) -> None:
    result = invoke(["modules", "validate", name, "--json"], plugin_registry)
    assert result.exit_code == 4
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks[failing_check]["status"] == "failed"
    assert message in checks[failing_check]["message"]
    assert result.stderr.startswith(f"error: module {name!r} fails 1 of")
    assert len(result.stderr.splitlines()) == 1


def test_validate_unknown_module_exits_3(invoke: Invoke, plugin_registry: ModuleRegistry) -> None:
    assert invoke(["modules", "validate", "nope"], plugin_registry).exit_code == 3


def test_modules_group_without_verb_shows_help(invoke: Invoke) -> None:
    result = invoke(["modules"])
    assert "list" in result.stdout + result.stderr
