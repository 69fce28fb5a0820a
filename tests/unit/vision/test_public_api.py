"""seascope.vision's namespace is numpy-only, pinned, and imports no torch."""

from __future__ import annotations

import subprocess
import sys

import seascope.vision

EXPECTED = {
    "AverageMetrics",
    "CalibrationScores",
    "ClassMetrics",
    "ClassificationReport",
    "CoveragePoint",
    "SplitEvaluation",
    "TemperatureFit",
    "ThresholdChoice",
    "choose_unknown_threshold",
    "classification_report",
    "confusion_matrix",
    "coverage_curve",
    "evaluate_logits",
    "expected_calibration_error",
    "fit_temperature",
    "log_loss",
    "log_softmax",
    "macro_f1",
    "render_confusion_png",
    "softmax",
    "top_k_accuracy",
    "write_confusion_csv",
    "write_evaluation_files",
}


def test_public_surface_is_pinned() -> None:
    assert set(seascope.vision.__all__) == EXPECTED
    assert all(hasattr(seascope.vision, name) for name in EXPECTED)


def test_importing_the_evaluation_tools_and_the_manifest_does_not_import_torch() -> None:
    code = (
        "import sys, seascope.vision, seascope.zoo.classifier.manifest; "
        "print(sorted(m for m in ('torch', 'timm', 'torchvision') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
