"""HTTP answers of the DEEPaaS routes: errors, JSON bodies and DEEPaaS's text statuses.

Errors keep DEEPaaS's shapes where clients depend on them (the 422 body is the bare
``{"field": ["message", ...]}`` mapping; routing errors are ``text/plain`` such as
``404: Not Found``) and are structured JSON everywhere DEEPaaS answered an opaque 500 or
hung::

    {"message": "<the module's message>", "type": "<exception class>", "status": 400}
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.responses import Response

from seascope.deepaas.arguments import ArgumentError
from seascope.deepaas.jsonable import dumps_json
from seascope.deepaas.outcomes import JsonOutcome, Outcome, RawOutcome
from seascope.errors import InvalidParameters, SeascopeError
from seascope.http_errors import error_body, retry_after_header, status_for
from seascope.types import JsonValue

__all__ = [
    "JSON_UTF8",
    "error_body",
    "error_response",
    "error_status",
    "json_response",
    "outcome_response",
    "text_status",
    "unexpected_error_response",
]

JSON_UTF8 = "application/json; charset=utf-8"

_log = logging.getLogger("seascope.deepaas")


def error_status(exc: SeascopeError) -> int:
    """HTTP status of ``exc`` (a module's own status for ``ModuleFailed``)."""
    return status_for(exc)


def error_response(exc: SeascopeError) -> Response:
    """The answer for ``exc``: DEEPaaS's 422 body for argument errors, else JSON."""
    if isinstance(exc, ArgumentError):
        return Response(dumps_json(exc.body), 422, media_type="application/json")
    if isinstance(exc, InvalidParameters) and exc.fields:
        return Response(dumps_json(exc.fields), 422, media_type="application/json")
    headers = retry_after_header(exc)
    status = error_status(exc)
    if status >= 500:
        _log.error("%s: %s", type(exc).__name__, exc.message)
    return Response(dumps_json(error_body(exc)), status, headers=headers, media_type=JSON_UTF8)


def unexpected_error_response(exc: BaseException) -> Response:
    """A 500 for a bug of seascope itself (logged with its traceback)."""
    _log.error("unexpected error on a DEEPaaS route", exc_info=exc)
    body = {"message": str(exc) or type(exc).__name__, "type": type(exc).__name__, "status": 500}
    return Response(dumps_json(body), 500, media_type=JSON_UTF8)


def json_response(value: JsonValue, status: int = 200) -> Response:
    """``value`` as ``application/json; charset=utf-8`` (aiohttp's ``json_response``)."""
    return Response(dumps_json(value), status, media_type=JSON_UTF8)


def outcome_response(outcome: Outcome) -> Response:
    """The answer for a predict outcome."""
    if isinstance(outcome, JsonOutcome):
        return Response(outcome.body, outcome.status, media_type=JSON_UTF8)
    assert isinstance(outcome, RawOutcome)
    headers = {"Content-Type": outcome.content_type}
    if outcome.filename:
        headers["Content-Disposition"] = f'attachment; filename="{outcome.filename}"'
    return Response(outcome.body, 200, headers=headers)


def text_status(status: int, headers: dict[str, str] | None = None) -> Response:
    """DEEPaaS's (aiohttp's) plain-text status answer: ``404: Not Found``."""
    phrase = HTTPStatus(status).phrase
    return Response(f"{status}: {phrase}", status, headers=headers, media_type="text/plain")
