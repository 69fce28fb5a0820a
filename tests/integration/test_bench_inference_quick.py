"""Smoke test of ``bench/inference.py``: it runs end to end and prints well-formed lines.

Tiny sizes (64 images, a 32 px untrained resnet10t) so that it takes well under 30 s.
Performance goals are checked by running the benchmark, not here: this test asserts the
shape of the output, positive rates and that every path agrees with the float model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench" / "inference.py"
NAMES = [
    "model_ceiling",
    "decode_ceiling",
    "predictor",
    "torch_eager",
    "onnx_fp32",
    "onnx_int8",
    "model_ceiling_ort_defaults",
    "batch_cli",
    "http_native",
    "http_deepaas",
    "summary",
]
GOALS = {"predictor": 0.9, "batch_cli": 0.7, "http_native": 0.6, "http_deepaas": 0.6}


def _run_smoke() -> list[dict[str, Any]]:
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--quick",
            "--images",
            "64",
            "--image-size",
            "32",
            "--backbone",
            "resnet10t",
            "--pretrained",
            "none",
            "--train-images",
            "4",
            "--holdout-images",
            "3",
            "--torch-images",
            "64",
            "--sample",
            "64",
            "--http-batch",
            "0",
            "--max-side",
            "128",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines, completed.stderr[-3000:]
    return [json.loads(line) for line in lines]


def test_quick_run_prints_one_json_line_per_result_and_a_summary() -> None:
    results = _run_smoke()

    assert [r["name"] for r in results] == NAMES
    *paths, summary = results
    for result in paths:
        assert result["images_per_s"] > 0, result
        assert result["seconds"] > 0
        assert result["images"] > 0
        assert result["ratio"] > 0
        assert isinstance(result["ratio_to"], str)
        assert result["model"] == "resnet10t@32"
        if result["name"] in GOALS:
            assert result["goal"] == GOALS[result["name"]]
            assert isinstance(result["ok"], bool)
        if "top1_agreement_with_onnx_fp32" in result and result["name"] != "onnx_int8":
            assert result["top1_agreement_with_onnx_fp32"] == 1.0, result
    by_name = {r["name"]: r for r in paths}
    assert by_name["model_ceiling"]["ratio"] == 1.0
    assert 0.0 <= by_name["onnx_int8"]["top1_agreement_with_onnx_fp32"] <= 1.0
    assert by_name["batch_cli"]["rows"] == 64 and by_name["batch_cli"]["errors"] == 0
    for name in ("http_native", "http_deepaas"):
        assert by_name[name]["errors"] == 0 and by_name[name]["requests"] == 64
        assert 0 < by_name[name]["p50_ms"] <= by_name[name]["p95_ms"]
        assert by_name[name]["server_cpu_ms_per_image"] > 0
        assert by_name[name]["ratio_if_every_core_busy"] > 0
    assert summary["goals"] == GOALS
    assert set(summary["ratios"]) == set(NAMES[:-1])
    assert isinstance(summary["ok"], bool)
    assert summary["images"] == 64 and summary["cpus"] >= 1
