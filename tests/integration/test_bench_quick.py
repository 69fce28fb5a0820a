"""Smoke test of ``bench/api_overhead.py``: it runs end to end and prints well-formed lines.

Performance goals are checked by running the benchmark, not here: this test only asserts
the shape of the output and that every measured route answered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api_overhead.py"
RESULT_FIELDS = {
    "name",
    "images_per_s",
    "requests",
    "seconds",
    "p50_ms",
    "p95_ms",
    "ratio",
    "goal",
    "ok",
}
NAMES = ["baseline_bare_fastapi", "http_native", "http_deepaas", "summary"]


def _run_smoke() -> list[dict[str, Any]]:
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--quick",
            "--rounds",
            "1",
            "--requests",
            "40",
            "--warmup",
            "8",
            "--images",
            "12",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines, completed.stderr[-3000:]
    return [json.loads(line) for line in lines]


def test_quick_run_prints_one_json_line_per_result_and_a_summary() -> None:
    results = _run_smoke()

    assert [r["name"] for r in results] == NAMES
    *routes, summary = results
    for result in routes:
        assert result.keys() >= RESULT_FIELDS, result
        assert result["goal"] == summary["goal"] == 0.8
        if result.get("skipped"):
            # Only the DEEPaaS route may be missing (while it is not mounted yet).
            assert result["name"] == "http_deepaas"
            assert result["ok"] is None
            continue
        assert "error" not in result, result
        assert result["errors"] == 0
        assert result["requests"] == 40
        assert result["seconds"] > 0
        assert result["images_per_s"] > 0
        assert 0 < result["p50_ms"] <= result["p95_ms"]
        assert result["ratio"] > 0
        assert isinstance(result["ok"], bool)
        assert result["same_predictions_as_baseline"] is True
    assert routes[0]["ratio"] == 1.0
    assert summary["ratios"]["baseline_bare_fastapi"] == 1.0
    assert isinstance(summary["ok"], bool)
