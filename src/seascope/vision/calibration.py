"""Temperature scaling (Guo et al. 2017) and the calibration measures it is judged by.

A network's softmax is usually over-confident. Dividing its logits by one temperature
``T`` fitted on held-out data (minimising the negative log-likelihood) fixes most of that
without changing which class wins. Everything here is numpy.

Example:
    >>> import numpy as np
    >>> logits = np.array([[4.0, 0.0], [3.0, 0.0], [0.0, 2.0], [2.5, 0.0]])
    >>> labels = np.array([0, 1, 1, 0])
    >>> fit = fit_temperature(logits, labels)
    >>> fit.temperature > 1.0  # the over-confident wrong answer pulls T up
    True
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from seascope.errors import InvalidInput

__all__ = [
    "CalibrationScores",
    "TemperatureFit",
    "expected_calibration_error",
    "fit_temperature",
    "log_loss",
    "log_softmax",
    "softmax",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_TEMPERATURE = 0.05
_MAX_TEMPERATURE = 20.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


class CalibrationScores(BaseModel):
    """How well confidences match accuracy: lower is better for both."""

    model_config = ConfigDict(frozen=True)

    log_loss: float
    ece: float


class TemperatureFit(BaseModel):
    """A fitted temperature and the scores before and after applying it.

    Attributes:
        temperature: Divide logits by this before the softmax.
        before: Scores at ``T = 1`` on the fitting data.
        after: Scores at the fitted ``T`` on the fitting data.
        images: How many images the fit used.
    """

    model_config = ConfigDict(frozen=True)

    temperature: float
    before: CalibrationScores
    after: CalibrationScores
    images: int


def log_softmax(logits: FloatArray, temperature: float = 1.0) -> FloatArray:
    """Row-wise ``log(softmax(logits / temperature))``, numerically stable."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    result: FloatArray = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    return result


def softmax(logits: FloatArray, temperature: float = 1.0) -> FloatArray:
    """Row-wise ``softmax(logits / temperature)``."""
    return np.exp(log_softmax(logits, temperature))


def log_loss(probabilities: FloatArray, labels: IntArray) -> float:
    """Mean negative log-likelihood of the true class (natural log; clipped at 1e-15)."""
    probs = np.asarray(probabilities, dtype=np.float64)
    true = _labels(labels, probs)
    picked = probs[np.arange(true.size), true]
    return float(-np.log(np.clip(picked, 1e-15, 1.0)).mean())


def expected_calibration_error(
    probabilities: FloatArray, labels: IntArray, *, bins: int = 15
) -> float:
    """ECE: the support-weighted gap between confidence and accuracy over equal-width bins."""
    probs = np.asarray(probabilities, dtype=np.float64)
    true = _labels(labels, probs)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bins are (low, high]; a confidence of exactly 0 cannot occur with a softmax.
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            gap += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(gap)


def fit_temperature(logits: FloatArray, labels: IntArray) -> TemperatureFit:
    """The temperature that minimises the NLL of ``labels`` under ``softmax(logits / T)``.

    The NLL is convex in ``1 / T``, so a golden-section search over ``log T`` in
    ``[0.05, 20]`` finds the optimum without scipy.

    When every validation image is already classified correctly the NLL keeps falling as
    ``T`` shrinks, so the fit says nothing about over-confidence; sharpening is then
    refused (``T`` is at least 1), otherwise a small perfect validation split would make
    the model claim near-certainty on everything.

    Raises:
        InvalidInput: no images, or labels that do not fit the logits.
    """
    scores = np.asarray(logits, dtype=np.float64)
    true = _labels(labels, scores)

    def nll(log_t: float) -> float:
        return -float(log_softmax(scores, math.exp(log_t))[np.arange(true.size), true].mean())

    low, high = math.log(_MIN_TEMPERATURE), math.log(_MAX_TEMPERATURE)
    a = high - _GOLDEN * (high - low)
    b = low + _GOLDEN * (high - low)
    fa, fb = nll(a), nll(b)
    for _ in range(80):
        if fa < fb:
            high, b, fb = b, a, fa
            a = high - _GOLDEN * (high - low)
            fa = nll(a)
        else:
            low, a, fa = a, b, fb
            b = low + _GOLDEN * (high - low)
            fb = nll(b)
    temperature = math.exp((low + high) / 2.0)
    if true.size and bool(np.all(scores.argmax(axis=1) == true)):
        temperature = max(temperature, 1.0)
    return TemperatureFit(
        temperature=temperature,
        before=_scores(scores, true, 1.0),
        after=_scores(scores, true, temperature),
        images=int(true.size),
    )


def _scores(logits: FloatArray, labels: IntArray, temperature: float) -> CalibrationScores:
    probs = softmax(logits, temperature)
    return CalibrationScores(
        log_loss=log_loss(probs, labels), ece=expected_calibration_error(probs, labels)
    )


def _labels(labels: IntArray, scores: FloatArray) -> IntArray:
    true = np.asarray(labels, dtype=np.int64).ravel()
    if scores.ndim != 2 or scores.shape[0] != true.size or true.size == 0:
        raise InvalidInput(
            f"calibration needs (n, classes) scores for {true.size} labels, got {scores.shape}"
        )
    if true.min() < 0 or true.max() >= scores.shape[1]:
        raise InvalidInput(f"class ids must be in [0, {scores.shape[1]})")
    return true
