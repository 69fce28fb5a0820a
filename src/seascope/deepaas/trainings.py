"""DEEPaaS training objects built from persisted job records.

DEEPaaS 2.6.0 shapes (kept exactly)::

    {"date": "2026-11-27 11:31:31.502991", "args": {...}, "uuid": "<32 hex>",
     "status": "running" | "done" | "error" | "cancelled",
     "message": "...",                                    # error only
     "result": {"output": ..., "finish_date": "...", "duration": "0:00:03.018049"}}  # done only

Dates are ``str(datetime)``-style local times with microseconds, not ISO-8601, because
DEEPaaS clients parse them with ``"%Y-%m-%d %H:%M:%S.%f"``. ``queued`` shows as
``running`` and ``interrupted`` (the server stopped during the job) as ``error``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seascope.deepaas.files import UploadedFile
from seascope.deepaas.jsonable import to_jsonable
from seascope.training import JobRecord, JobStatus
from seascope.types import JsonValue

__all__ = ["deepaas_date", "echo_arguments", "training_object"]

_STATUS = {
    JobStatus.QUEUED: "running",
    JobStatus.RUNNING: "running",
    JobStatus.DONE: "done",
    JobStatus.ERROR: "error",
    JobStatus.INTERRUPTED: "error",
    JobStatus.CANCELLED: "cancelled",
}


def deepaas_date(moment: datetime) -> str:
    """``moment`` as DEEPaaS prints it: local time, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return local.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def training_object(record: JobRecord, args: JsonValue) -> dict[str, JsonValue]:
    """The DEEPaaS training object of ``record``, echoing ``args``."""
    status = _STATUS[record.status]
    body: dict[str, JsonValue] = {
        "date": deepaas_date(record.created_at),
        "args": args,
        "uuid": record.id,
        "status": status,
    }
    if status == "error":
        body["message"] = record.message or "training failed"
    elif status == "done":
        finished = record.finished_at or record.created_at
        body["result"] = {
            "output": record.result,
            "finish_date": deepaas_date(finished),
            "duration": str(finished - record.created_at),
        }
    return body


def echo_arguments(kwargs: dict[str, Any]) -> dict[str, JsonValue]:
    """Parsed arguments as DEEPaaS echoes them; files become ``[field, type, name]``."""
    return {key: _echo(value) for key, value in kwargs.items()}


def _echo(value: Any) -> JsonValue:
    if isinstance(value, UploadedFile):
        return [value.name, value.content_type, value.original_filename]
    if isinstance(value, list):
        return [_echo(item) for item in value]
    try:
        return to_jsonable(value)
    except (TypeError, ValueError):
        return str(value)
