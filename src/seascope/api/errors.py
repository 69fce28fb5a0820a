"""The one mapping from seascope's error tree to HTTP statuses and JSON bodies.

Every error body has the same shape, on the native and on the DEEPaaS routes::

    {"status": 422, "type": "InvalidParameters", "message": "...", "fields": {...}}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seascope.errors import InvalidParameters, SeascopeError
from seascope.http_errors import error_body, retry_after_header, status_for

__all__ = ["error_body", "error_response", "install_error_handlers", "status_for"]


def error_response(exc: SeascopeError) -> JSONResponse:
    """A JSON response for ``exc`` (with ``Retry-After`` when overloaded)."""
    return JSONResponse(
        error_body(exc), status_code=status_for(exc), headers=retry_after_header(exc)
    )


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
