"""Evaluate a classifier's logits on a split: metrics, calibration, coverage, rejection.

:func:`evaluate_logits` turns the logits of one split into a JSON-serialisable
:class:`SplitEvaluation`; :func:`write_evaluation_files` writes the tables and pictures
a scientist reads (per-class metrics, confusion matrix CSV/PNG, coverage curve). Plain
numpy, so it can be tested and reused without torch.

Example:
    >>> import numpy as np
    >>> logits = np.array([[3.0, 0.0], [0.0, 2.0], [1.0, 0.5]])
    >>> result = evaluate_logits(logits, np.array([0, 1, 1]), ("a", "b"), temperature=1.5)
    >>> result.report.accuracy
    0.6666666666666666
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from seascope.vision.calibration import (
    CalibrationScores,
    expected_calibration_error,
    log_loss,
    softmax,
)
from seascope.vision.confusion_files import render_confusion_png, write_confusion_csv
from seascope.vision.metrics import ClassificationReport, classification_report
from seascope.vision.selective import CoveragePoint, coverage_curve

__all__ = ["SplitEvaluation", "evaluate_logits", "write_evaluation_files"]


class SplitEvaluation(BaseModel):
    """What one split says about a model.

    Attributes:
        split: ``"val"`` or ``"test"`` (or a fold name).
        temperature: The temperature the calibrated numbers use.
        report: Metrics of the calibrated probabilities (the argmax does not depend on
            the temperature, so accuracy and F1 are those of the raw network).
        uncalibrated: Log-loss and ECE at ``T = 1``.
        calibrated: Log-loss and ECE at ``temperature``.
        coverage: Accuracy of the predictions kept at each confidence threshold.
        unknown_threshold: The rejection threshold evaluated, if any.
        unknown_coverage: Share of images kept at that threshold.
        unknown_accuracy: Accuracy of the kept images (``None`` if none is kept).
    """

    model_config = ConfigDict(frozen=True)

    split: str
    temperature: float
    report: ClassificationReport
    uncalibrated: CalibrationScores
    calibrated: CalibrationScores
    coverage: tuple[CoveragePoint, ...]
    unknown_threshold: float | None = None
    unknown_coverage: float | None = None
    unknown_accuracy: float | None = None


def evaluate_logits(
    logits: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    classes: Sequence[str],
    *,
    temperature: float = 1.0,
    unknown_threshold: float | None = None,
    split: str = "val",
) -> SplitEvaluation:
    """Evaluate ``logits`` of one split against ``labels``.

    Raises:
        InvalidInput: empty or mismatched arrays.
    """
    raw = softmax(logits)
    probabilities = softmax(logits, temperature)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    correct = predicted == labels
    kept_coverage: float | None = None
    kept_accuracy: float | None = None
    if unknown_threshold is not None:
        kept = confidence >= unknown_threshold
        kept_coverage = float(kept.mean())
        kept_accuracy = float(correct[kept].mean()) if kept.any() else None
    return SplitEvaluation(
        split=split,
        temperature=temperature,
        report=classification_report(labels, predicted, classes, probabilities=probabilities),
        uncalibrated=CalibrationScores(
            log_loss=log_loss(raw, labels), ece=expected_calibration_error(raw, labels)
        ),
        calibrated=CalibrationScores(
            log_loss=log_loss(probabilities, labels),
            ece=expected_calibration_error(probabilities, labels),
        ),
        coverage=tuple(coverage_curve(confidence, correct)),
        unknown_threshold=unknown_threshold,
        unknown_coverage=kept_coverage,
        unknown_accuracy=kept_accuracy,
    )


def write_evaluation_files(evaluation: SplitEvaluation, folder: Path) -> list[Path]:
    """Write ``<split>-metrics.json``, per-class CSV, confusion CSV/PNG and coverage CSV.

    Returns:
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = evaluation.split
    report = evaluation.report
    classes = [entry.label for entry in report.per_class]
    written = [folder / f"{name}-metrics.json"]
    written[0].write_text(json.dumps(evaluation.model_dump(mode="json"), indent=2) + "\n")
    per_class = folder / f"{name}-per-class.csv"
    with per_class.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["class", "precision", "recall", "f1", "support"])
        for entry in report.per_class:
            writer.writerow(
                [entry.label, f"{entry.precision:.4f}", f"{entry.recall:.4f}", f"{entry.f1:.4f}"]
                + [entry.support]
            )
        for label, average in (("macro avg", report.macro), ("weighted avg", report.weighted)):
            writer.writerow(
                [label, f"{average.precision:.4f}", f"{average.recall:.4f}", f"{average.f1:.4f}"]
                + [report.images]
            )
    written.append(per_class)
    written.append(
        write_confusion_csv(report.confusion, classes, folder / f"{name}-confusion-matrix.csv")
    )
    written.append(
        render_confusion_png(
            report.confusion,
            classes,
            folder / f"{name}-confusion-matrix.png",
            title=f"{name}: accuracy {report.accuracy:.3f}, macro-F1 {report.macro.f1:.3f}",
        )
    )
    coverage = folder / f"{name}-coverage.csv"
    with coverage.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["threshold", "coverage", "accuracy"])
        for point in evaluation.coverage:
            accuracy = "" if point.accuracy is None else f"{point.accuracy:.4f}"
            writer.writerow([f"{point.threshold:.2f}", f"{point.coverage:.4f}", accuracy])
    written.append(coverage)
    return written
