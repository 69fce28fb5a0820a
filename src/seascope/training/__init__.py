"""Training: background jobs with persisted records, and the context given to modules."""

from seascope.training.context import JobContext
from seascope.training.jobs import JobManager
from seascope.training.records import FINISHED, JobRecord, JobStatus
from seascope.training.runners import TRAIN_MODULE, train_module
from seascope.training.store import JobStore

__all__ = [
    "FINISHED",
    "TRAIN_MODULE",
    "JobContext",
    "JobManager",
    "JobRecord",
    "JobStatus",
    "JobStore",
    "train_module",
]
