"""Facts about the machine this process runs on."""

from __future__ import annotations

import os

__all__ = ["cpu_cores"]


def cpu_cores() -> int:
    """CPU cores this process may run on: its affinity where the platform has one.

    A container or a deployment pinned to some cores sees those, not the whole machine
    (``os.cpu_count`` would say the machine's).
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
