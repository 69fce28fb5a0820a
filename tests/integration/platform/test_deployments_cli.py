"""``seascope deployments start | list | logs | stop`` with a real server process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.platform import Database
from seascope.platform.deployments import DeploymentStore, processes


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite platform database in a fresh home; servers left running are killed after."""
    monkeypatch.setenv("SEASCOPE_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'home' / 'platform.sqlite'}"
    yield url
    database = Database(url)
    try:
        for info in DeploymentStore(database).list():
            if info.pid is not None and processes.runs_with(info.pid, str(info.id)):
                processes.terminate_group(info.pid, grace=1.0)
    finally:
        database.close()


def run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        build_app(), ["deployments", *args, "--database-url", database_url], obj=CliState()
    )


def test_start_list_logs_and_stop(database_url: str) -> None:
    started = run(database_url, "start", "reference", "--memory-mb", "1024", "--json")
    assert started.exit_code == 0, started.output
    [document] = json.loads(started.stdout)
    assert document["status"] == "running"
    assert document["resources"] == {"cpus": 1, "memory_mb": 1024}
    assert httpx.get(f"{document['endpoint']}/v1/health", timeout=5).status_code == 200
    short = document["id"][:8]

    listed = run(database_url, "list")
    assert listed.exit_code == 0, listed.output
    assert short in listed.stdout and "running" in listed.stdout

    logs = run(database_url, "logs", short, "--tail", "50")
    assert logs.exit_code == 0, logs.output
    assert "starting reference on port" in logs.stdout

    stopped = run(database_url, "stop", short, "--json")
    assert stopped.exit_code == 0, stopped.output
    assert json.loads(stopped.stdout)[0]["status"] == "stopped"


def test_unknown_modules_and_deployments_and_bad_resources(database_url: str) -> None:
    unknown = run(database_url, "start", "nope")
    assert unknown.exit_code == 3, unknown.output  # ModuleNotFound's exit code
    assert "nope" in unknown.output
    assert run(database_url, "stop", "0123abcd").exit_code != 0
    too_many = run(database_url, "start", "reference", "--cpus", "4096")
    assert too_many.exit_code == 65, too_many.output  # invalid input
    assert "this machine has" in too_many.output
    assert json.loads(run(database_url, "list", "--json").stdout) == []
