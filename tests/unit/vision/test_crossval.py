"""Stratified k-fold cross-validation runs the module's pipeline on every fold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seascope.datasets import generate_dataset
from seascope.vision import crossval
from seascope.vision.fitting import FitConfig
from seascope.vision.sources import read_dataset

TINY = FitConfig(
    backbone="resnet10t", image_size=32, epochs=1, batch_size=16, pretrained="none", num_workers=0
)


def test_cross_validate_reports_every_fold(tmp_path: Path) -> None:
    generate_dataset(tmp_path / "data", per_class=6, seed=2, morphologies=("disc", "chain"))
    manifest, _ = read_dataset(tmp_path / "data")
    result = crossval.cross_validate(
        manifest, TINY, folds=2, val_fraction=0.25, work_dir=tmp_path / "w"
    )
    assert [fold.fold for fold in result.folds] == [0, 1]
    assert sum(fold.test_images for fold in result.folds) == 12  # every image tested once
    assert 0.0 <= result.macro_f1_mean <= 1.0 and result.macro_f1_sd >= 0.0
    assert "from scratch" in result.weights


def test_command_line_on_the_real_flowcam_sample(
    flowcam_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = crossval.main(
        [str(flowcam_dir), "--folds", "2", "--backbone", "resnet10t", "--pretrained", "none"]
        + ["--image-size", "32", "--epochs", "1", "--batch-size", "32"]
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    folds, summary = lines[:-1], lines[-1]
    assert len(folds) == 2 and sum(f["test_images"] for f in folds) == 82
    assert summary["folds"] == 2 and summary["images"] == 82
    assert {"macro_f1_mean", "macro_f1_sd"} <= set(summary)
