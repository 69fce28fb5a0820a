"""``seascope db`` and ``seascope tokens`` on SQLite and PostgreSQL: secrets printed once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.platform import AuthError, AuthFailure, Database, TokenStore, head_revision

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str) -> Run:
    """``run(*args)``: ``seascope ARGS --database-url URL`` in-process."""

    def invoke(*args: str, with_url: bool = True) -> Result:
        extra = ["--database-url", database_url] if with_url else []
        return CliRunner().invoke(build_app(), [*args, *extra], obj=CliState())

    return invoke


def test_db_upgrade_and_current(run: Run) -> None:
    empty = run("db", "current")
    assert empty.exit_code == 0, empty.output
    assert "empty (run 'seascope db upgrade')" in empty.stdout
    upgraded = run("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"at revision {head_revision()}" in upgraded.stdout
    assert "(up to date)" in run("db", "current").stdout
    assert run("db", "upgrade").exit_code == 0  # again: nothing to do


def test_the_secret_is_printed_once_and_works(run: Run, database_url: str) -> None:
    created = run("tokens", "create", "laptop", "--expires-days", "30")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("ssc_")
    assert created.stdout == secret + "\n"  # nothing else on stdout: TOKEN=$(...) works
    assert secret not in created.stderr
    assert "cannot be shown again" in created.stderr
    token_id = secret.split("_")[1]
    assert token_id in created.stderr

    listed = run("tokens", "list")
    assert listed.exit_code == 0, listed.output
    assert token_id in listed.stdout and "laptop" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.output
    assert secret.rsplit("_", 1)[1] not in listed.output

    database = Database(database_url)
    try:
        assert TokenStore(database).verify(secret).subject == "local"
        revoked = run("tokens", "revoke", token_id)
        assert revoked.exit_code == 0, revoked.output
        assert f"revoked token {token_id}" in revoked.stderr
        assert secret not in revoked.output
        with pytest.raises(AuthError) as caught:
            TokenStore(database).verify(secret)
        assert caught.value.reason is AuthFailure.REVOKED
    finally:
        database.close()
    assert "revoked" in run("tokens", "list").stdout


def test_json_output_and_users(run: Run) -> None:
    created = run("tokens", "create", "ci", "--user", "alice", "--json")
    assert created.exit_code == 0, created.output
    document = json.loads(created.stdout)
    assert document["token"].startswith(f"ssc_{document['id']}_")
    assert (document["user"], document["state"], document["expires_at"]) == (
        "alice",
        "active",
        None,
    )
    run("tokens", "create", "other")
    listed = json.loads(run("tokens", "list", "--user", "alice", "--format", "json").stdout)
    assert [entry["id"] for entry in listed] == [document["id"]]
    assert "token" not in listed[0]
    assert document["token"] not in json.dumps(listed)


def test_errors_are_one_line_with_an_exit_code(run: Run) -> None:
    missing = run("tokens", "revoke", "000000000000")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: no API token with id '000000000000'"
    bad_days = run("tokens", "create", "x", "--expires-days", "0")
    assert bad_days.exit_code == 2


@pytest.mark.parametrize("url", ["mysql://u@h/db"])
def test_an_unusable_url_is_a_usage_error(url: str) -> None:
    result = CliRunner().invoke(
        build_app(), ["tokens", "list", "--database-url", url], obj=CliState()
    )
    assert result.exit_code == 2
    assert "unsupported database 'mysql'" in result.stderr


def test_the_default_database_lives_in_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEASCOPE_HOME", str(tmp_path))
    monkeypatch.delenv("SEASCOPE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(build_app(), ["db", "upgrade"], obj=CliState())
    assert result.exit_code == 0, result.output
    assert f"sqlite:///{tmp_path}/platform.sqlite" in result.stdout


def test_missing_platform_packages_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import seascope.cli.db as db

    monkeypatch.setattr(db, "find_spec", lambda name: None if name == "jwt" else object())
    result = CliRunner().invoke(build_app(), ["tokens", "list"], obj=CliState())
    assert result.exit_code == 2
    assert "pip install 'seascope[platform]'" in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["tokens", "--help"], ["db", "--help"]], ids=" ".join)
def test_help_imports_no_database_or_jwt_library(argv: Sequence[str]) -> None:
    code = (
        "import sys; from seascope.cli.main import run; sys.argv = ['seascope', *sys.argv[1:]]\n"
        "try:\n    run()\nfinally:\n"
        "    loaded = {m.split('.')[0] for m in sys.modules}\n"
        "    print(sorted(loaded & {'sqlalchemy', 'alembic', 'jwt'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
