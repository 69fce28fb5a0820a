"""Building blocks for image models: evaluation in numpy here, torch parts in submodules.

This package's own namespace holds only the numpy evaluation tools, so importing
``seascope.vision`` does not import torch::

    from seascope.vision import classification_report, fit_temperature

The torch building blocks are imported from their modules:

- :mod:`seascope.vision.transforms`: pad-to-square, augmentation (torchvision v2);
- :mod:`seascope.vision.backbones`: timm backbones with offline pretrained weights;
- :mod:`seascope.vision.data`, :mod:`~seascope.vision.loop`,
  :mod:`~seascope.vision.fitting`: datasets, the training loop, early stopping, resume;
- :mod:`seascope.vision.pipeline`: fit + calibrate + evaluate;
- :mod:`seascope.vision.export`, :mod:`~seascope.vision.package`,
  :mod:`~seascope.vision.predictor`: ONNX export, model packages, inference engines;
- :mod:`seascope.vision.crossval`: ``python -m seascope.vision.crossval`` (k-fold CV).
"""

from seascope.vision.calibration import (
    CalibrationScores,
    TemperatureFit,
    expected_calibration_error,
    fit_temperature,
    log_loss,
    log_softmax,
    softmax,
)
from seascope.vision.confusion_files import render_confusion_png, write_confusion_csv
from seascope.vision.evaluation import SplitEvaluation, evaluate_logits, write_evaluation_files
from seascope.vision.metrics import (
    AverageMetrics,
    ClassificationReport,
    ClassMetrics,
    classification_report,
    confusion_matrix,
    macro_f1,
    top_k_accuracy,
)
from seascope.vision.selective import (
    CoveragePoint,
    ThresholdChoice,
    choose_unknown_threshold,
    coverage_curve,
)

__all__ = [
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
]
