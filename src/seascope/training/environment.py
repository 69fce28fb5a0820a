"""Names shared by the job manager and its worker processes.

Kept apart from ``worker.py`` so that the package never imports the worker module, which
runs as ``python -m seascope.training.worker`` (importing it first makes runpy warn).
"""

__all__ = ["TRACKING_URI_VARIABLE"]

TRACKING_URI_VARIABLE = "SEASCOPE_TRACKING_URI"
"""Environment variable telling a worker where to track its run."""
