"""Evaluation of a split: calibrated metrics and the files a scientist reads."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image

from seascope.vision.evaluation import evaluate_logits, write_evaluation_files


def test_evaluation_uses_the_temperature_and_threshold(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 60)
    logits = rng.normal(0, 1, (60, 3)) * 4
    logits[np.arange(60), labels] += 3.0
    classes = ("Chaetoceros α", "détritus/bulle", "Tripos " + "x" * 40)
    cold = evaluate_logits(logits, labels, classes, temperature=1.0, unknown_threshold=0.9)
    warm = evaluate_logits(logits, labels, classes, temperature=3.0, unknown_threshold=0.9)
    assert cold.report.accuracy == warm.report.accuracy
    assert cold.calibrated == cold.uncalibrated
    assert warm.uncalibrated == cold.uncalibrated
    assert warm.unknown_coverage is not None and cold.unknown_coverage is not None
    assert warm.unknown_coverage < cold.unknown_coverage  # softer probabilities, fewer kept
    files = write_evaluation_files(warm, tmp_path)
    names = sorted(path.name for path in files)
    assert names == [
        "val-confusion-matrix.csv",
        "val-confusion-matrix.png",
        "val-coverage.csv",
        "val-metrics.json",
        "val-per-class.csv",
    ]
    text = (tmp_path / "val-confusion-matrix.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][1:] == list(classes)
    assert sum(int(v) for row in rows[1:] for v in row[1:]) == 60
    assert json.loads((tmp_path / "val-metrics.json").read_text())["temperature"] == 3.0
    with Image.open(tmp_path / "val-confusion-matrix.png") as picture:
        assert picture.size[0] > 100 and picture.mode == "RGB"
