"""Selective classification: accuracy against coverage, and the "unknown" threshold.

Keeping only predictions whose calibrated confidence reaches a threshold trades
coverage (the share of images that get a class) for accuracy. The threshold stored
with a model is the smallest one whose accepted predictions reach a target accuracy on
the validation split; below it the predictor reports the image as unknown.

Example:
    >>> import numpy as np
    >>> confidence = np.array([0.95, 0.9, 0.6, 0.4])
    >>> correct = np.array([True, True, False, True])
    >>> choose_unknown_threshold(confidence, correct, target_accuracy=0.99).threshold
    0.9
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from seascope.errors import InvalidInput

__all__ = ["CoveragePoint", "ThresholdChoice", "choose_unknown_threshold", "coverage_curve"]

DEFAULT_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(20)) + (0.96, 0.98, 0.99)


class CoveragePoint(BaseModel):
    """Coverage and accuracy of the predictions whose confidence is at least ``threshold``."""

    model_config = ConfigDict(frozen=True)

    threshold: float
    coverage: float
    accuracy: float | None
    """``None`` when no prediction reaches the threshold."""


class ThresholdChoice(BaseModel):
    """The chosen unknown threshold and what it gives on the data it was chosen on.

    Attributes:
        threshold: Predictions with a lower confidence are reported as unknown; 0 means
            nothing is rejected.
        target_accuracy: The accuracy the threshold had to reach.
        reached: Whether some threshold reached it (if not, ``threshold`` is 0).
        coverage: Share of images accepted at ``threshold``.
        accuracy: Accuracy of the accepted images.
    """

    model_config = ConfigDict(frozen=True)

    threshold: float
    target_accuracy: float
    reached: bool
    coverage: float
    accuracy: float | None


def coverage_curve(
    confidence: npt.NDArray[np.float64],
    correct: npt.NDArray[np.bool_],
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
) -> list[CoveragePoint]:
    """Coverage and accuracy for each threshold (confidence >= threshold is accepted)."""
    conf, hit = _checked(confidence, correct)
    points: list[CoveragePoint] = []
    for threshold in thresholds:
        accepted = conf >= threshold
        count = int(accepted.sum())
        points.append(
            CoveragePoint(
                threshold=float(threshold),
                coverage=count / conf.size,
                accuracy=float(hit[accepted].mean()) if count else None,
            )
        )
    return points


def choose_unknown_threshold(
    confidence: npt.NDArray[np.float64],
    correct: npt.NDArray[np.bool_],
    *,
    target_accuracy: float,
) -> ThresholdChoice:
    """The smallest threshold whose accepted predictions reach ``target_accuracy``.

    Candidate thresholds are the observed confidences themselves, so the result is exact
    for the data given. When even the most confident prediction alone misses the
    target, nothing is rejected (``threshold = 0``, ``reached = False``): rejecting all
    but a handful of images would make the model useless, and saying so is clearer.

    Raises:
        InvalidInput: empty or mismatched arrays, or a target outside ``(0, 1]``.
    """
    if not 0.0 < target_accuracy <= 1.0:
        raise InvalidInput(f"target accuracy must be in (0, 1], not {target_accuracy}")
    conf, hit = _checked(confidence, correct)
    overall = float(hit.mean())
    if overall >= target_accuracy:
        return ThresholdChoice(
            threshold=0.0,
            target_accuracy=target_accuracy,
            reached=True,
            coverage=1.0,
            accuracy=overall,
        )
    order = np.argsort(-conf, kind="stable")
    sorted_conf = conf[order]
    running = np.cumsum(hit[order]) / np.arange(1, conf.size + 1)
    # Only cut between distinct confidences: equal confidences are accepted together.
    last_of_run = np.append(sorted_conf[1:] != sorted_conf[:-1], True)
    candidates = np.flatnonzero(last_of_run & (running >= target_accuracy))
    if candidates.size == 0:
        return ThresholdChoice(
            threshold=0.0,
            target_accuracy=target_accuracy,
            reached=False,
            coverage=1.0,
            accuracy=overall,
        )
    cut = int(candidates.max())
    return ThresholdChoice(
        threshold=float(sorted_conf[cut]),
        target_accuracy=target_accuracy,
        reached=True,
        coverage=(cut + 1) / conf.size,
        accuracy=float(running[cut]),
    )


def _checked(
    confidence: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    conf = np.asarray(confidence, dtype=np.float64).ravel()
    hit = np.asarray(correct, dtype=bool).ravel()
    if conf.size == 0 or conf.shape != hit.shape:
        raise InvalidInput(f"need equal, non-empty arrays ({conf.size} vs {hit.size})")
    return conf, hit
