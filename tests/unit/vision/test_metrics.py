"""Classification metrics match hand-computed values and refuse bad input."""

from __future__ import annotations

import numpy as np
import pytest

from seascope.errors import InvalidInput
from seascope.vision.metrics import (
    classification_report,
    confusion_matrix,
    macro_f1,
    top_k_accuracy,
)


def test_report_matches_hand_computed_values() -> None:
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 2, 2])
    report = classification_report(y_true, y_pred, ("a", "b", "c"))
    a, b, c = report.per_class
    assert (a.precision, a.recall, a.support) == (1.0, pytest.approx(2 / 3), 3)
    assert (b.precision, b.recall) == (0.5, 0.5)
    assert (c.precision, c.recall, c.f1) == (0.5, 1.0, pytest.approx(2 / 3))
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.macro.f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report.weighted.f1 == pytest.approx((3 * 0.8 + 2 * 0.5 + 2 / 3) / 6)
    assert report.confusion == ((2, 1, 0), (0, 1, 1), (0, 0, 1))
    assert report.images == 6


def test_macro_average_ignores_classes_absent_from_the_truth() -> None:
    y_true = np.array([0, 0, 1])
    y_pred = np.array([0, 0, 1])
    report = classification_report(y_true, y_pred, ("a", "b", "unused"))
    assert report.macro.f1 == 1.0
    assert report.per_class[2].support == 0
    assert macro_f1(y_true, y_pred, 3) == 1.0


def test_top_k_accuracy_and_report_top_k() -> None:
    probabilities = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25]])
    labels = np.array([1, 2, 2])
    assert top_k_accuracy(probabilities, labels, 1) == pytest.approx(1 / 3)
    assert top_k_accuracy(probabilities, labels, 2) == pytest.approx(2 / 3)
    report = classification_report(
        labels, probabilities.argmax(1), ("a", "b", "c"), probabilities=probabilities
    )
    assert set(report.top_k) == {"1", "3"}
    assert report.top_k["3"] == 1.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        (np.array([0, 1]), np.array([0]), "2 true labels but 1 predictions"),
        (np.array([0, 3]), np.array([0, 1]), r"true class ids must be in \[0, 2\)"),
        (np.array([0, 1]), np.array([-1, 1]), "predicted class ids"),
    ],
)
def test_bad_inputs_raise_invalid_input(y_true: np.ndarray, y_pred: np.ndarray, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        confusion_matrix(y_true, y_pred, 2)


def test_empty_evaluation_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        classification_report(np.array([], dtype=int), np.array([], dtype=int), ("a",))
