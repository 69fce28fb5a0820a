"""The unknown threshold is the smallest one reaching the target accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from seascope.errors import InvalidInput
from seascope.vision.selective import choose_unknown_threshold, coverage_curve


def test_threshold_reaches_the_target_with_the_most_coverage() -> None:
    confidence = np.array([0.99, 0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, True, False, True, False])
    choice = choose_unknown_threshold(confidence, correct, target_accuracy=0.8)
    # 0.6 keeps 5 images with 4 right (0.8); 0.5 would drop to 4/6.
    assert choice.threshold == 0.6
    assert choice.reached
    assert choice.coverage == pytest.approx(5 / 6)
    assert choice.accuracy == pytest.approx(0.8)


def test_no_rejection_when_already_accurate_or_never_reached() -> None:
    good = choose_unknown_threshold(
        np.array([0.6, 0.7]), np.array([True, True]), target_accuracy=0.9
    )
    assert (good.threshold, good.reached, good.coverage) == (0.0, True, 1.0)
    bad = choose_unknown_threshold(
        np.array([0.9, 0.5]), np.array([False, True]), target_accuracy=0.9
    )
    assert (bad.threshold, bad.reached) == (0.0, False)


def test_equal_confidences_are_accepted_together() -> None:
    choice = choose_unknown_threshold(
        np.array([0.9, 0.9, 0.4]), np.array([True, False, False]), target_accuracy=0.5
    )
    assert choice.threshold == 0.9
    assert choice.coverage == pytest.approx(2 / 3)


def test_coverage_curve() -> None:
    points = coverage_curve(
        np.array([0.2, 0.6, 0.95]), np.array([False, True, True]), (0.0, 0.5, 0.99)
    )
    assert [(p.threshold, p.coverage, p.accuracy) for p in points] == [
        (0.0, 1.0, pytest.approx(2 / 3)),
        (0.5, pytest.approx(2 / 3), 1.0),
        (0.99, 0.0, None),
    ]


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInput, match="target accuracy"):
        choose_unknown_threshold(np.array([0.5]), np.array([True]), target_accuracy=0.0)
    with pytest.raises(InvalidInput, match="non-empty"):
        coverage_curve(np.array([]), np.array([]))
