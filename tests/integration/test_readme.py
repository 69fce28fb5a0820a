"""The README's quick start runs as written, and its two set-up commands are the real ones."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section_blocks(heading: str) -> list[str]:
    """The ```bash blocks of the README section under ``heading``."""
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def test_quick_start_runs(tmp_path: Path) -> None:
    commands = [line for line in section_blocks("Quick start")[0].splitlines() if line.strip()]
    env = dict(os.environ, SEASCOPE_HOME=str(tmp_path / "home"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    outputs = []
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, f"{command!r} failed:\n{done.stderr}"
        outputs.append(done.stdout)
    predict = next(o for c, o in zip(commands, outputs, strict=True) if "predict" in c)
    result = json.loads(predict)
    top = result["predictions"][0]["classes"]
    assert len(top) == 3
    assert top[0]["label"] == "disc"


def test_setup_commands_are_the_scripts_ci_runs() -> None:
    blocks = section_blocks("Set up")
    assert blocks[0].strip() == "scripts/install --user && .venv/bin/seascope demo"
    test_command = blocks[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text()
    for script in ("scripts/install", "scripts/check", "scripts/test"):
        assert os.access(ROOT / script, os.X_OK), script
