"""Classification metrics in plain numpy: per-class precision/recall/F1, averages, top-k.

Class ids are ``0..n_classes-1``; labels travel as integer arrays so that these functions
work the same for a torch model, an ONNX session or a test's hand-made arrays.

Example:
    >>> import numpy as np
    >>> report = classification_report(np.array([0, 1, 1]), np.array([0, 1, 0]), ("a", "b"))
    >>> round(report.macro.f1, 3), report.accuracy
    (0.667, 0.6666666666666666)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from seascope.errors import InvalidInput

__all__ = [
    "AverageMetrics",
    "ClassMetrics",
    "ClassificationReport",
    "classification_report",
    "confusion_matrix",
    "macro_f1",
    "top_k_accuracy",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class ClassMetrics(BaseModel):
    """Precision, recall and F1 of one class; ``support`` is its number of true images."""

    model_config = ConfigDict(frozen=True)

    label: str
    precision: float
    recall: float
    f1: float
    support: int


class AverageMetrics(BaseModel):
    """Precision, recall and F1 averaged over classes."""

    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float


class ClassificationReport(BaseModel):
    """Everything a classification run is judged by, JSON-serialisable.

    Attributes:
        accuracy: Share of images whose top class is right.
        macro: Unweighted mean over classes *present in the true labels* (a class with no
            true image and no prediction would otherwise count as a perfect or a zero score).
        weighted: Mean over classes weighted by support.
        per_class: One entry per class, in class-id order (absent classes included, with
            support 0).
        confusion: ``confusion[true][predicted]`` counts.
        top_k: Top-k accuracy for k in (1, 3, 5) up to the number of classes, when
            probabilities were given.
    """

    model_config = ConfigDict(frozen=True)

    images: int
    accuracy: float
    macro: AverageMetrics
    weighted: AverageMetrics
    per_class: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...]
    top_k: dict[str, float] = {}


def confusion_matrix(y_true: IntArray, y_pred: IntArray, n_classes: int) -> IntArray:
    """``matrix[i, j]`` = images of true class ``i`` predicted as ``j``.

    Raises:
        InvalidInput: arrays of different lengths or class ids outside ``[0, n_classes)``.
    """
    true, pred = _checked(y_true, y_pred, n_classes)
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    return matrix


def classification_report(
    y_true: IntArray,
    y_pred: IntArray,
    classes: Sequence[str],
    *,
    probabilities: FloatArray | None = None,
) -> ClassificationReport:
    """Per-class and averaged precision/recall/F1, accuracy, confusion and top-k accuracy.

    Args:
        y_true: True class ids.
        y_pred: Predicted class ids (usually ``probabilities.argmax(1)``).
        classes: Class names in id order.
        probabilities: ``(n, n_classes)`` scores; adds top-k accuracies.

    Raises:
        InvalidInput: empty or mismatched inputs.
    """
    n_classes = len(classes)
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    total = int(matrix.sum())
    if total == 0:
        raise InvalidInput("cannot evaluate an empty set of images")
    true_positive = np.diag(matrix).astype(np.float64)
    support = matrix.sum(axis=1).astype(np.float64)
    predicted = matrix.sum(axis=0).astype(np.float64)
    precision = _ratio(true_positive, predicted)
    recall = _ratio(true_positive, support)
    f1 = _ratio(2.0 * precision * recall, precision + recall)
    present = support > 0
    weights = support / support.sum()
    per_class = tuple(
        ClassMetrics(
            label=label,
            precision=float(precision[i]),
            recall=float(recall[i]),
            f1=float(f1[i]),
            support=int(support[i]),
        )
        for i, label in enumerate(classes)
    )
    top_k: dict[str, float] = {}
    if probabilities is not None:
        for k in (1, 3, 5):
            if k <= n_classes:
                top_k[str(k)] = top_k_accuracy(probabilities, y_true, k)
    return ClassificationReport(
        images=total,
        accuracy=float(true_positive.sum() / total),
        macro=AverageMetrics(
            precision=float(precision[present].mean()),
            recall=float(recall[present].mean()),
            f1=float(f1[present].mean()),
        ),
        weighted=AverageMetrics(
            precision=float((precision * weights).sum()),
            recall=float((recall * weights).sum()),
            f1=float((f1 * weights).sum()),
        ),
        per_class=per_class,
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        top_k=top_k,
    )


def macro_f1(y_true: IntArray, y_pred: IntArray, n_classes: int) -> float:
    """Macro-averaged F1 over the classes present in ``y_true`` (the early-stopping score)."""
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    true_positive = np.diag(matrix).astype(np.float64)
    support = matrix.sum(axis=1).astype(np.float64)
    precision = _ratio(true_positive, matrix.sum(axis=0).astype(np.float64))
    recall = _ratio(true_positive, support)
    f1 = _ratio(2.0 * precision * recall, precision + recall)
    present = support > 0
    return float(f1[present].mean()) if present.any() else 0.0


def top_k_accuracy(probabilities: FloatArray, y_true: IntArray, k: int) -> float:
    """Share of images whose true class is among the ``k`` highest scores.

    Ties are broken towards the lower class id, as ``argsort`` with a stable sort does.
    """
    scores = np.asarray(probabilities, dtype=np.float64)
    true = np.asarray(y_true, dtype=np.int64)
    if scores.ndim != 2 or scores.shape[0] != true.shape[0] or scores.shape[0] == 0:
        raise InvalidInput(f"top-k needs (n, classes) scores for {true.shape[0]} labels")
    best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float((best == true[:, None]).any(axis=1).mean())


def _checked(y_true: IntArray, y_pred: IntArray, n_classes: int) -> tuple[IntArray, IntArray]:
    true = np.asarray(y_true, dtype=np.int64).ravel()
    pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if true.shape != pred.shape:
        raise InvalidInput(f"{true.size} true labels but {pred.size} predictions")
    for name, values in (("true", true), ("predicted", pred)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise InvalidInput(f"{name} class ids must be in [0, {n_classes})")
    return true, pred


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator`` with 0 where the denominator is 0 (scikit-learn's rule)."""
    out = np.zeros_like(numerator, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
