"""The job worker process: ``python -m seascope.training.worker DATABASE JOB_ID [DEVICE]``.

It runs one job's runner and writes the outcome into the job store itself, so a job
finishes truthfully even if the server that started it was restarted meanwhile.

Each job is also an experiment-tracking run (see :mod:`seascope.tracking`): the tracking
URI comes from ``SEASCOPE_TRACKING_URI`` in the worker's environment (``none`` turns it
off; unset means MLflow embedded in ``tracking/`` beside the job database). Tracking never
decides a job's outcome: its failures become warnings in ``result["tracking"]``.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from seascope.errors import SeascopeError
from seascope.tracking import NullTracker, RunStatus, TrackedRun, tracker_from_uri
from seascope.training.context import JobContext
from seascope.training.environment import TRACKING_URI_VARIABLE
from seascope.training.records import JobRecord, JobStatus
from seascope.training.runners import TRAIN_MODULE
from seascope.training.store import JobStore
from seascope.types import JsonValue

__all__ = [
    "MODEL_ALIAS",
    "RUNNERS_WITH_TRACKING_RESULT",
    "TRACKING_URI_VARIABLE",
    "main",
    "resolve_runner",
]

Runner = Callable[[JobContext, str, dict[str, JsonValue]], JsonValue]


MODEL_ALIAS = "candidate"
"""Registry alias moved to each newly trained version (MLflow reserves ``latest``)."""

RUNNERS_WITH_TRACKING_RESULT = frozenset({TRAIN_MODULE})
"""Runners whose result (a ``TrainResult``) gets a ``"tracking"`` entry. Other runners'
results are kept exactly as returned (a DEEPaaS module's output is part of the DEEPaaS
wire format); their run is named in the job log."""

_log = logging.getLogger("seascope.training")


class _Terminated(BaseException):  # noqa: N818 - a signal, not an error
    """SIGTERM arrived: the job was cancelled, or the machine is stopping."""


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
    database = Path(args[0])
    store = JobStore(database)
    record = store.get(args[1])
    _log.info("job %s: %s starts", record.id, record.module)
    with _terminate_on_sigterm():
        tracking = TrackedRun(NullTracker())
        try:
            tracking = _start_tracking(record, home=database.resolve().parent)
            context = JobContext(
                store,
                record.id,
                record.directory,
                args[2] if len(args) == 3 else "cpu",
                tracking=tracking,
            )
            return _run(store, record, context)
        except _Terminated:
            _log.info("job %s: stopped by SIGTERM", record.id)
            _end_tracking(tracking, record, RunStatus.KILLED)
            return 128 + signal.SIGTERM


def _run(store: JobStore, record: JobRecord, context: JobContext) -> int:
    tracking = context.tracking
    try:
        result = resolve_runner(record.runner)(context, record.module, record.args)
    except SeascopeError as exc:
        _log.error("job %s failed: %s", record.id, exc.message)
        _end_tracking(tracking, record, _unless_cancelled(store, record.id, RunStatus.FAILED))
        store.finish(record.id, JobStatus.ERROR, message=exc.message)
        return 1
    except Exception as exc:  # noqa: BLE001 - the module's own failure is the job's result
        traceback.print_exc()
        message = str(exc) or type(exc).__name__
        _end_tracking(tracking, record, _unless_cancelled(store, record.id, RunStatus.FAILED))
        store.finish(record.id, JobStatus.ERROR, message=f"{type(exc).__name__}: {message}")
        return 1
    if _unless_cancelled(store, record.id, RunStatus.FINISHED) is RunStatus.KILLED:
        _end_tracking(tracking, record, RunStatus.KILLED)
    else:
        result = _track_success(tracking, record, result)
    store.finish(record.id, JobStatus.DONE, result=result)
    _log.info("job %s done", record.id)
    return 0


def _start_tracking(record: JobRecord, *, home: Path) -> TrackedRun:
    """The job's tracking run, started; a tracker that cannot be built is a warning."""
    try:
        tracker = tracker_from_uri(os.environ.get(TRACKING_URI_VARIABLE), home)
    except Exception as exc:  # noqa: BLE001 - a tracking problem never stops training
        tracking = TrackedRun(NullTracker())
        message = exc.message if isinstance(exc, SeascopeError) else str(exc)
        tracking.warn(f"experiment tracking is off for this job: {message}")
        return tracking
    tracking = TrackedRun(tracker)
    tags = {
        "mlflow.user": record.owner,
        "seascope.job_id": record.id,
        "seascope.module": record.module,
        "seascope.runner": record.runner,
        "seascope.owner": record.owner,
    }
    if tracking.start(experiment=record.module, run_name=record.id, tags=tags):
        tracking.log_params(record.args)
    return tracking


def _track_success(tracking: TrackedRun, record: JobRecord, result: JsonValue) -> JsonValue:
    """Log the outputs, register the model and end the run; returns the result to store."""
    tracking.log_artifacts(record.output_dir)
    if isinstance(result, dict):
        final = result.get("metrics")
        if isinstance(final, dict):
            # Final metrics the runner returned without reporting them along the way.
            missing = {
                k: float(v)
                for k, v in final.items()
                if k not in tracking.metric_names and isinstance(v, int | float)
            }
            if missing:
                tracking.log_metrics(missing)
        model_path = result.get("model_path")
        if isinstance(model_path, str) and model_path:
            tracking.register_model(Path(model_path), name=record.module, alias=MODEL_ALIAS)
    _end_tracking(tracking, record, RunStatus.FINISHED)
    summary = tracking.summary()
    if summary is None:
        return result
    _log.info(
        "tracking: run %s in experiment %r at %s, model version %s",
        summary["run_id"],
        summary["experiment"],
        summary["uri"],
        summary["model_version"],
    )
    if record.runner in RUNNERS_WITH_TRACKING_RESULT and isinstance(result, dict):
        return {**result, "tracking": summary}
    return result


def _end_tracking(tracking: TrackedRun, record: JobRecord, status: RunStatus) -> None:
    tracking.log_artifact(record.log_path)
    tracking.end(status)


def _unless_cancelled(store: JobStore, job_id: str, status: RunStatus) -> RunStatus:
    """``KILLED`` when the job was cancelled meanwhile, else ``status``."""
    try:
        cancelled = store.get(job_id).status is JobStatus.CANCELLED
    except SeascopeError:
        cancelled = True  # the record was deleted
    return RunStatus.KILLED if cancelled else status


@contextmanager
def _terminate_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``_Terminated`` so a cancelled job can end its run as KILLED."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(_signum: int, _frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
