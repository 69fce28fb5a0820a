"""The job runner that trains an unmodified DEEPaaS module in a worker process.

The server validates the request, saves uploaded files and submits a job whose
arguments hold the raw wire values (files as markers). The worker process imports this
runner, loads the DEEPaaS module by its entry-point name, calls its ``warm()`` (each
DEEPaaS worker process is warmed before it trains), validates the values again with the
module's fields and calls ``train(**kwargs)``. Uploaded files move into the job folder
first, so they live exactly as long as the job's records.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Protocol

from seascope.deepaas.jsonable import to_jsonable
from seascope.deepaas.loading import load_deepaas_models
from seascope.deepaas.uploads import restore_uploads
from seascope.errors import ModuleFailed, SeascopeError
from seascope.types import JsonValue

__all__ = ["DEEPAAS_TRAIN_RUNNER", "train_deepaas_model"]

DEEPAAS_TRAIN_RUNNER = "seascope.deepaas.runner:train_deepaas_model"
"""Runner name of :func:`train_deepaas_model` for ``JobManager.submit``."""

_log = logging.getLogger("seascope.deepaas")


class _JobDirectory(Protocol):
    @property
    def directory(self) -> Path: ...


def train_deepaas_model(ctx: _JobDirectory, module: str, args: dict[str, JsonValue]) -> JsonValue:
    """Train the DEEPaaS model ``module`` with a stored request.

    Args:
        ctx: The job's context (only its folder is used: DEEPaaS modules know nothing of
            metrics or progress).
        module: Entry-point name.
        args: ``{"raw": wire values, "args": echo, "uploads": temp folder or None}``.

    Returns:
        What ``train`` returned, as JSON.

    Raises:
        ModuleFailed: ``train`` raised (the message is the module's own, as DEEPaaS shows).
        ArgumentError: the stored values no longer validate.
    """
    model = load_deepaas_models([module]).get(module)
    raw: dict[str, Any] = dict(args.get("raw") or {})
    inputs = ctx.directory / "inputs"
    kwargs_raw = {key: restore_uploads(value, moved_to=inputs) for key, value in raw.items()}
    uploads = args.get("uploads")
    if isinstance(uploads, str):
        shutil.rmtree(uploads, ignore_errors=True)
    try:
        model.warm()
    except SeascopeError as exc:
        # DEEPaaS logs and goes on: many modules cannot warm before their first training.
        _log.warning("warm() of %r failed before training: %s", module, exc.message)
    kwargs = model.train_schema.load(kwargs_raw)
    output = model.call("train", kwargs)
    try:
        return to_jsonable(output)
    except (TypeError, ValueError) as exc:
        raise ModuleFailed(
            f"train() returned a value that is not JSON-serialisable: {exc}",
            error_type="InvalidModuleOutput",
        ) from exc
