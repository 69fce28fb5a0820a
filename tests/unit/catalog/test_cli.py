"""``seascope catalog ...`` in-process, with a small module registry and a temporary home."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from seascope.catalog import parse_ai4_metadata
from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.modules import ModuleRegistry
from tests.unit.catalog.conftest import AI4_FIXTURES, PHYTO

Run = Callable[..., Result]


@pytest.fixture
def run(registry: ModuleRegistry, tmp_path: Path) -> Run:
    """``run("list", "--json")``: ``seascope catalog list --json`` with home in tmp_path."""
    state = CliState(discover_modules=lambda: registry)

    def invoke(*args: str) -> Result:
        home = ["--home", str(tmp_path / "home")] if args[0] not in ("validate",) else []
        return CliRunner().invoke(
            build_app(), ["catalog", *args, *home], obj=state, catch_exceptions=False
        )

    return invoke


@pytest.fixture(autouse=True)
def _restore_seascope_logger() -> Iterator[None]:
    logger = logging.getLogger("seascope")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_import_list_show_export_remove(run: Run, tmp_path: Path) -> None:
    imported = run("import", str(PHYTO))
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout == "phyto-plankton-classification\n"
    assert "imported" in imported.stderr
    assert (tmp_path / "home" / "catalog" / "phyto-plankton-classification.json").is_file()

    table = run("list").stdout.splitlines()
    assert table[0].split() == ["ID", "SOURCE", "TASKS", "LIBRARIES", "TITLE"]
    assert [line.split()[0] for line in table[1:]] == [
        "baseline",
        "fish-detector",
        "phyto-plankton-classification",
    ]
    found = json.loads(run("list", "--text", "phytoplankton", "--json").stdout)
    assert [e["id"] for e in found] == ["phyto-plankton-classification"]
    assert found[0]["data-type"] == ["Image"]
    assert found[0]["resources"]["training"]["gpu_memory_MB"] == 8000
    by_task = json.loads(run("list", "--task", "object-detection", "-f", "json").stdout)
    assert [e["id"] for e in by_task] == ["fish-detector"]
    by_tag = json.loads(run("list", "--tag-any", "vo.*", "--tag-any", "fish", "--json").stdout)
    assert [e["id"] for e in by_tag] == ["fish-detector", "phyto-plankton-classification"]

    shown = run("show", "phyto-plankton-classification").stdout
    assert "libraries:" in shown and "TensorFlow, Keras" in shown
    assert "link weights:" in shown
    assert "training:" in shown and "gpu_memory_MB=8000" in shown
    assert json.loads(run("show", "baseline", "--json").stdout)["module"] == "baseline"

    exported = run("export", "phyto-plankton-classification")
    assert exported.stdout.startswith("metadata_version: 2.3.0\n")
    out = tmp_path / "out.json"
    written = run("export", "phyto-plankton-classification", "--format", "json", "--out", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads(out.read_text()) == parse_ai4_metadata(exported.stdout.encode())

    removed = run("remove", "phyto-plankton-classification")
    assert removed.exit_code == 0
    assert "removed 'phyto-plankton-classification'" in removed.stderr
    assert len(run("list").stdout.splitlines()) == 3


def test_validate_a_valid_file(run: Run) -> None:
    result = run("validate", str(PHYTO))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"{PHYTO} is valid ai4-metadata 2.3.0\n"


@pytest.mark.parametrize(
    ("name", "paths"),
    [
        ("missing-required.yml", ["$.links.source_code", "$.summary", "$.tags"]),
        ("wrong-enum.yml", ["$.libraries[0]", "$.tasks[0]"]),
        ("v1-keys.yml", ["$.dataset_url", "$.keywords"]),
        ("not-yaml.yml", ["$"]),
    ],
)
def test_validate_lists_problems_and_exits_65(run: Run, name: str, paths: list[str]) -> None:
    result = run("validate", str(AI4_FIXTURES / name))
    assert result.exit_code == 65
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PATH", "PROBLEM"]
    assert [line.split()[0] for line in lines[1:]] == paths
    assert result.stderr.startswith(f"error: {name}: invalid ai4-metadata")
    as_json = json.loads(run("validate", str(AI4_FIXTURES / name), "--json").stdout)
    assert as_json["valid"] is False
    assert [p["path"] for p in as_json["problems"]] == paths


def test_import_of_an_invalid_file_exits_65_and_stores_nothing(run: Run, tmp_path: Path) -> None:
    result = run("import", str(AI4_FIXTURES / "wrong-enum.yml"))
    assert result.exit_code == 65
    assert 'did you mean "Computer Vision"' in result.stderr
    assert not (tmp_path / "home" / "catalog").exists()


def test_unknown_ids_exit_3(run: Run) -> None:
    for args in (("show", "nope"), ("export", "nope"), ("remove", "nope")):
        result = run(*args)
        assert result.exit_code == 3, args
        assert result.stderr.startswith("error: no catalog entry 'nope'")


def test_import_under_a_taken_id_exits_65(run: Run) -> None:
    result = run("import", str(PHYTO), "--id", "baseline")
    assert result.exit_code == 65
    assert "taken by an installed module" in result.stderr


def test_catalog_list_imports_no_web_or_ml_framework(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "sys.argv = ['seascope', 'catalog', 'list', '--home', sys.argv[1]]\n"
        "from seascope.cli.main import run\n"
        "code = run()\n"
        "heavy = ('torch', 'mlflow', 'fastapi', 'starlette', 'uvicorn', 'tensorflow')\n"
        "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in heavy)]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(completed.stdout.splitlines()[-1]) == [0, []]
