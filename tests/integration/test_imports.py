"""Importing seascope and running ``seascope --help`` stay light: no torch, web or MLflow."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("torch", "torchvision", "timm", "tensorflow", "mlflow", "fastapi", "starlette", "uvicorn")

# Runs the snippet, then prints the heavy modules it loaded as JSON on the last line.
_PROBE = textwrap.dedent(
    """
    import io, json, sys, contextlib
    heavy = {heavy!r}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            {snippet}
        except SystemExit as exit_:
            assert exit_.code in (0, None), (exit_.code, out.getvalue())
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
    print(json.dumps(loaded))
    """
)


def _heavy_modules_loaded_by(snippet: str) -> list[str]:
    code = _PROBE.format(heavy=HEAVY, snippet=snippet)
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    loaded: list[str] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "snippet",
    [
        "import seascope, seascope.modules, seascope.cli.main",
        "import seascope.modules.testing_plugin, seascope.modules.testing",
        "sys.argv = ['seascope', '--help']; from seascope.cli.main import run; sys.exit(run())",
        "sys.argv = ['seascope', 'modules', 'list']; from seascope.cli.main import run; "
        "sys.exit(run())",
    ],
    ids=["import", "pytest-plugin", "seascope --help", "seascope modules list"],
)
def test_no_heavy_framework_is_imported(snippet: str) -> None:
    assert _heavy_modules_loaded_by(snippet) == []


def test_the_probe_does_see_heavy_imports() -> None:
    assert "fastapi" in _heavy_modules_loaded_by("import fastapi")
