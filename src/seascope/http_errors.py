"""seascope's error tree as HTTP statuses and JSON bodies, shared by both HTTP APIs.

The native API (``seascope.api``) and the DEEPaaS routes (``seascope.deepaas``) answer an
error with the same status and the same body::

    {"status": 422, "type": "InvalidParameters", "message": "...", "fields": {...}}

(``fields`` only for parameter errors; the DEEPaaS routes answer those with DEEPaaS's
bare ``{"field": [...]}`` 422 body instead.)
"""

from __future__ import annotations

from seascope.errors import (
    AuthError,
    AuthUnavailable,
    CapabilityNotSupported,
    DatabaseError,
    DatasetError,
    Forbidden,
    ImageTooLarge,
    InvalidInput,
    InvalidParameters,
    JobNotFound,
    JobStateError,
    LimitReached,
    ModuleError,
    ModuleFailed,
    ModuleNotFound,
    Overloaded,
    PayloadTooLarge,
    ResourceNotFound,
    SeascopeError,
    TryEnded,
    UnsupportedMediaType,
)
from seascope.types import JsonValue

__all__ = ["error_body", "retry_after_header", "status_for"]

# Most specific first: the first matching class wins.
_STATUS: tuple[tuple[type[SeascopeError], int], ...] = (
    (AuthError, 401),
    (Forbidden, 403),
    (ResourceNotFound, 404),
    (AuthUnavailable, 503),
    (DatabaseError, 503),
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
    (LimitReached, 429),
    (TryEnded, 410),
)


def status_for(exc: SeascopeError) -> int:
    """The HTTP status of ``exc`` (a module's own status for ``ModuleFailed``)."""
    if isinstance(exc, ModuleFailed):
        return exc.status or 500
    for error_class, status in _STATUS:
        if isinstance(exc, error_class):
            return status
    return 500


def error_body(exc: SeascopeError) -> dict[str, JsonValue]:
    """The JSON body describing ``exc``."""
    error_type = exc.error_type if isinstance(exc, ModuleFailed) and exc.error_type else ""
    body: dict[str, JsonValue] = {
        "status": status_for(exc),
        "type": error_type or type(exc).__name__,
        "message": exc.message,
    }
    if isinstance(exc, InvalidParameters) and exc.fields:
        body["fields"] = exc.fields
    return body


def retry_after_header(exc: SeascopeError) -> dict[str, str] | None:
    """The headers an error answer needs: ``Retry-After`` or ``WWW-Authenticate``."""
    if isinstance(exc, AuthError):
        return {"WWW-Authenticate": exc.www_authenticate}
    if isinstance(exc, Overloaded | LimitReached):
        return {"Retry-After": str(max(1, round(exc.retry_after)))}
    return None
