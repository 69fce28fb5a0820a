"""Runners used by the job tests (imported by worker processes by name)."""

from __future__ import annotations

import os
import time

from seascope.training.context import JobContext
from seascope.types import JsonValue


def sleepy(ctx: JobContext, module: str, args: dict[str, JsonValue]) -> JsonValue:
    """Report progress for ``args['seconds']`` seconds, stopping early when cancelled."""
    seconds = float(args.get("seconds", 30))  # type: ignore[arg-type]
    steps = int(seconds / 0.1)
    for step in range(steps):
        if ctx.should_stop():
            return {"stopped_at": step}
        ctx.report_progress(step + 1, steps)
        time.sleep(0.1)
    ctx.log_metrics({"loss": 0.5}, step=steps)
    return {"module": module, "pid": os.getpid()}


def crash(ctx: JobContext, module: str, args: dict[str, JsonValue]) -> JsonValue:
    """Die without a word, as an out-of-memory kill would."""
    os._exit(137)
