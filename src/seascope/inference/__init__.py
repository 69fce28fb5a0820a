"""Inference: the one prediction path (``Predictor``) and its helpers."""

from seascope.inference.failures import module_failure
from seascope.inference.host import ModuleHost
from seascope.inference.microbatch import BatchOptions, MicroBatcher
from seascope.inference.predictor import PredictionResult, Predictor, validation_messages

__all__ = [
    "BatchOptions",
    "MicroBatcher",
    "ModuleHost",
    "PredictionResult",
    "Predictor",
    "module_failure",
    "validation_messages",
]
