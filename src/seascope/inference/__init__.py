"""Inference: the one prediction path (``Predictor``), its host and micro-batching."""

from seascope.inference.failures import module_failure
from seascope.inference.host import ModuleHost
from seascope.inference.microbatch import MicroBatcher, MicroBatchOptions
from seascope.inference.predictor import PredictionResult, Predictor, validation_messages

__all__ = [
    "MicroBatchOptions",
    "MicroBatcher",
    "ModuleHost",
    "PredictionResult",
    "Predictor",
    "module_failure",
    "validation_messages",
]
