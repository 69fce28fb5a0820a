"""Smoke test of ``bench/ort_threads.py`` on a tiny exported classifier.

It checks that every setting runs and prints a well-formed line against the baseline of
the same run; the numbers themselves are for the benchmark, not for this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch
from torch import nn

from seascope.vision.export import export_onnx

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ort_threads.py"


def test_every_threading_setting_is_measured_against_the_same_run(tmp_path: Path) -> None:
    torch.manual_seed(0)
    network = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )
    model = tmp_path / "model.onnx"
    export_onnx(network, model, image_size=16, temperature=1.0)
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--model", str(model), "--images", "8", "--batches", "1", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert {(line["threads"], line["batch"]) for line in lines} >= {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert all(line["images_per_s"] > 0 and line["ratio"] > 0 for line in lines)
    assert len({line["ratio_to"] for line in lines}) == 1  # one baseline for every line


def test_a_missing_model_exits_2(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--model", str(tmp_path / "none.onnx")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2 and "no such model" in completed.stderr
