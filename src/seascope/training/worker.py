"""The job worker process: ``python -m seascope.training.worker DATABASE JOB_ID``.

It runs one job's runner and writes the outcome into the job store itself, so a job
finishes truthfully even if the server that started it was restarted meanwhile.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from seascope.errors import SeascopeError
from seascope.training.context import JobContext
from seascope.training.records import JobStatus
from seascope.training.store import JobStore
from seascope.types import JsonValue

__all__ = ["main", "resolve_runner"]

Runner = Callable[[JobContext, str, dict[str, JsonValue]], JsonValue]


def resolve_runner(name: str) -> Runner:
    """Import ``"package.module:function"``."""
    module_path, _, attribute = name.partition(":")
    runner: Runner = getattr(importlib.import_module(module_path), attribute)
    return runner


def main(argv: list[str] | None = None) -> int:
    """Run the job named on the command line; returns the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        sys.stderr.write("usage: python -m seascope.training.worker DATABASE JOB_ID [DEVICE]\n")
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    store = JobStore(Path(args[0]))
    record = store.get(args[1])
    context = JobContext(store, record.id, record.directory, args[2] if len(args) == 3 else "cpu")
    logging.getLogger("seascope.training").info("job %s: %s starts", record.id, record.module)
    try:
        result = resolve_runner(record.runner)(context, record.module, record.args)
    except SeascopeError as exc:
        logging.getLogger("seascope.training").error("job %s failed: %s", record.id, exc.message)
        store.finish(record.id, JobStatus.ERROR, message=exc.message)
        return 1
    except Exception as exc:  # noqa: BLE001 - the module's own failure is the job's result
        traceback.print_exc()
        message = str(exc) or type(exc).__name__
        store.finish(record.id, JobStatus.ERROR, message=f"{type(exc).__name__}: {message}")
        return 1
    store.finish(record.id, JobStatus.DONE, result=result)
    logging.getLogger("seascope.training").info("job %s done", record.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
