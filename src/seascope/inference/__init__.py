"""Inference: the one prediction path (``Predictor``), batch runs and event-driven runs."""

from seascope.inference.batch_results import ResultRow, read_results
from seascope.inference.batch_run import BatchOptions, run_batch
from seascope.inference.batch_summary import BatchSummary, ClassCount
from seascope.inference.failures import module_failure
from seascope.inference.host import ModuleHost
from seascope.inference.microbatch import MicroBatcher, MicroBatchOptions
from seascope.inference.predictor import PredictionResult, Predictor, validation_messages

__all__ = [
    "BatchOptions",
    "BatchSummary",
    "ClassCount",
    "MicroBatchOptions",
    "MicroBatcher",
    "ModuleHost",
    "PredictionResult",
    "Predictor",
    "ResultRow",
    "module_failure",
    "read_results",
    "run_batch",
    "validation_messages",
]
