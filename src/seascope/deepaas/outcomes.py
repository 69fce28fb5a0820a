"""What a DEEPaaS predict answers: JSON (wrapped or raw) or a raw body of the accept type."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

from seascope.deepaas.jsonable import dumps_json
from seascope.deepaas.response_schema import ResponseSchema
from seascope.errors import ModuleFailed

__all__ = ["JSON_MEDIA", "JsonOutcome", "Outcome", "RawOutcome", "is_json_accept", "shape_output"]

JSON_MEDIA = "application/json"


@dataclass(frozen=True, slots=True)
class JsonOutcome:
    """A JSON answer, already encoded."""

    body: bytes
    status: int = 200


@dataclass(frozen=True, slots=True)
class RawOutcome:
    """A non-JSON answer: ``Content-Type`` is the accept value, verbatim.

    Attributes:
        body: The bytes to send.
        content_type: The chosen accept value.
        filename: Set when the module returned an open file (``Content-Disposition``).
    """

    body: bytes
    content_type: str
    filename: str | None = None


Outcome = JsonOutcome | RawOutcome


def is_json_accept(accept: str | None) -> bool:
    """Whether DEEPaaS answers JSON for ``accept`` (``application/json`` or ``*/*``)."""
    return accept is None or accept in (JSON_MEDIA, "*/*")


def shape_output(value: Any, *, accept: str | None, schema: ResponseSchema | None) -> Outcome:
    """Turn what ``predict`` returned into DEEPaaS's answer.

    * non-JSON accept: bytes, str, ``io.BytesIO`` or an open file, sent as they are;
    * with a response schema: the value itself, after validation;
    * otherwise ``{"status": "OK", "predictions": value}``.

    Raises:
        ModuleFailed: the value cannot be sent that way (a dict for ``image/png``, an open
            file or a non-JSON value for ``application/json``, a schema mismatch).
    """
    if not is_json_accept(accept):
        assert accept is not None
        return _raw(value, accept)
    if _is_file(value):
        value.close()
        raise ModuleFailed(
            "the module returned a file but the client asked for JSON "
            "(declare an accept type and send the header 'Accept: <type>')",
            error_type="InvalidModuleOutput",
        )
    if schema is not None:
        schema.validate(value)
        payload = value
    else:
        payload = {"status": "OK", "predictions": value}
    try:
        return JsonOutcome(dumps_json(payload))
    except (TypeError, ValueError) as exc:
        raise ModuleFailed(
            f"the module's result cannot be sent as JSON: {exc}", error_type="InvalidModuleOutput"
        ) from exc


def _is_file(value: object) -> bool:
    return callable(getattr(value, "read", None)) and not isinstance(value, io.BytesIO)


def _raw(value: Any, accept: str) -> RawOutcome:
    if isinstance(value, bytes | bytearray | memoryview):
        return RawOutcome(bytes(value), accept)
    if isinstance(value, str):
        return RawOutcome(value.encode("utf-8"), accept)
    if isinstance(value, io.BytesIO):
        return RawOutcome(value.getvalue(), accept)
    if _is_file(value):
        try:
            data = value.read()
        finally:
            value.close()
        name = getattr(value, "name", None)
        body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return RawOutcome(body, accept, os.path.basename(name) if isinstance(name, str) else None)
    raise ModuleFailed(
        f"the module returned {type(value).__name__} for accept {accept!r}; "
        "expected bytes, str, io.BytesIO or an open file",
        error_type="InvalidModuleOutput",
    )
