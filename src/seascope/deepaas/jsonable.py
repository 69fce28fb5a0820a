"""JSON encoding of what modules return: numpy values, paths, dates, sets, namedtuples."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from seascope.types import JsonValue

__all__ = ["dumps_json", "to_jsonable"]


def _default(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        # DEEPaaS echoes dates with str() ("2026-01-01 10:00:00"), not ISO-8601.
        return str(value)
    if isinstance(value, datetime.timedelta | uuid.UUID | PurePath | decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, without numpy
    if callable(tolist):
        return tolist()
    model_dump = getattr(value, "model_dump", None)  # pydantic models
    if callable(model_dump):
        return model_dump(mode="json")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_json(value: object) -> bytes:
    """Encode ``value`` as UTF-8 JSON, as ``json.dumps`` would, plus numpy and friends.

    Raises:
        TypeError: a value has no JSON form (bytes, open files, arbitrary objects).
        ValueError: circular references.
    """
    return json.dumps(value, default=_default, ensure_ascii=False).encode("utf-8")


def to_jsonable(value: object) -> JsonValue:
    """``value`` turned into plain JSON data (dicts, lists, strings, numbers, None).

    Raises:
        TypeError: a value has no JSON form.
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    result: Any = json.loads(dumps_json(value))
    return result
