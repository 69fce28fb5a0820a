"""Temperature scaling recovers a known temperature and improves calibration."""

from __future__ import annotations

import numpy as np
import pytest

from seascope.errors import InvalidInput
from seascope.vision.calibration import (
    expected_calibration_error,
    fit_temperature,
    log_loss,
    softmax,
)


def sampled(temperature: float, n: int = 4000, classes: int = 5, seed: int = 0):
    """Logits whose labels are drawn from softmax(logits / temperature)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, classes))
    probabilities = softmax(logits, temperature)
    labels = np.array([rng.choice(classes, p=p) for p in probabilities])
    return logits, labels


def test_fit_recovers_the_true_temperature() -> None:
    logits, labels = sampled(2.5)
    fit = fit_temperature(logits, labels)
    assert fit.temperature == pytest.approx(2.5, rel=0.1)
    assert fit.after.log_loss < fit.before.log_loss
    assert fit.after.ece < fit.before.ece
    assert fit.images == 4000


def test_softmax_is_stable_for_huge_logits() -> None:
    probabilities = softmax(np.array([[1000.0, 0.0], [-1000.0, 1000.0]]))
    assert np.allclose(probabilities, [[1.0, 0.0], [0.0, 1.0]])
    assert np.isfinite(probabilities).all()


def test_perfectly_calibrated_predictions_have_zero_ece() -> None:
    probabilities = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert expected_calibration_error(probabilities, np.array([0, 1])) == 0.0
    assert log_loss(probabilities, np.array([0, 1])) == pytest.approx(0.0, abs=1e-12)
    assert expected_calibration_error(probabilities, np.array([1, 0])) == 1.0


def test_mismatched_labels_are_refused() -> None:
    with pytest.raises(InvalidInput, match="3 labels"):
        fit_temperature(np.zeros((2, 2)), np.array([0, 1, 1]))
    with pytest.raises(InvalidInput, match=r"\[0, 2\)"):
        log_loss(np.full((1, 2), 0.5), np.array([2]))


def test_a_perfect_validation_split_never_sharpens() -> None:
    from seascope.vision.calibration import fit_temperature

    logits = np.array([[3.0, 0.0, 0.0], [0.0, 2.5, 0.1], [0.2, 0.0, 4.0]])
    fit = fit_temperature(logits, np.array([0, 1, 2]))
    assert fit.temperature >= 1.0
    mixed = fit_temperature(np.vstack([logits, [[3.0, 0.0, 0.0]]]), np.array([0, 1, 2, 1]))
    assert mixed.temperature > 1.0  # a confident mistake calls for softening
