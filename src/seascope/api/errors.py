"""The one mapping from seascope's error tree to HTTP statuses and JSON bodies.

Every error body has the same shape, on the native and on the DEEPaaS routes::

    {"status": 422, "type": "InvalidParameters", "message": "...", "fields": {...}}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seascope.errors import (
    CapabilityNotSupported,
    DatasetError,
    ImageTooLarge,
    InvalidInput,
    InvalidParameters,
    JobNotFound,
    JobStateError,
    ModuleError,
    ModuleFailed,
    ModuleNotFound,
    Overloaded,
    PayloadTooLarge,
    SeascopeError,
    UnsupportedMediaType,
)

__all__ = ["error_body", "error_response", "install_error_handlers", "status_for"]

# Most specific first: the first matching class wins.
_STATUS: tuple[tuple[type[SeascopeError], int], ...] = (
    (ModuleNotFound, 404),
    (JobNotFound, 404),
    (InvalidParameters, 422),
    (UnsupportedMediaType, 415),
    (ImageTooLarge, 413),
    (PayloadTooLarge, 413),
    (InvalidInput, 422),
    (DatasetError, 422),
    (CapabilityNotSupported, 501),
    (ModuleError, 503),
    (Overloaded, 503),
    (JobStateError, 409),
)


def status_for(exc: SeascopeError) -> int:
    """The HTTP status of ``exc``."""
    if isinstance(exc, ModuleFailed):
        return exc.status or 500
    for error_class, status in _STATUS:
        if isinstance(exc, error_class):
            return status
    return 500


def error_body(exc: SeascopeError) -> dict[str, object]:
    """The JSON body describing ``exc``."""
    body: dict[str, object] = {
        "status": status_for(exc),
        "type": exc.error_type
        if isinstance(exc, ModuleFailed) and exc.error_type
        else type(exc).__name__,
        "message": exc.message,
    }
    if isinstance(exc, InvalidParameters) and exc.fields:
        body["fields"] = exc.fields
    return body


def error_response(exc: SeascopeError) -> JSONResponse:
    """A JSON response for ``exc`` (with ``Retry-After`` when overloaded)."""
    headers = (
        {"Retry-After": str(max(1, round(exc.retry_after)))}
        if isinstance(exc, Overloaded)
        else None
    )
    return JSONResponse(error_body(exc), status_code=status_for(exc), headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Make every error leave the app as the same JSON shape."""

    async def on_seascope_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SeascopeError)
        return error_response(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        fields: dict[str, list[str]] = {}
        for error in exc.errors():
            location = [
                str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
            ]
            fields.setdefault(".".join(location) or "request", []).append(str(error.get("msg", "")))
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        return error_response(InvalidParameters(f"invalid request: {summary}", fields))

    async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body = {"status": exc.status_code, "type": "HTTPError", "message": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(SeascopeError, on_seascope_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
