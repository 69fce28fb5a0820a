"""Turn whatever a module's code raised into a :class:`~seascope.errors.ModuleFailed`."""

from __future__ import annotations

from seascope.errors import ModuleFailed

__all__ = ["module_failure"]


def module_failure(exc: BaseException) -> ModuleFailed:
    """Describe ``exc`` raised by module code, keeping its message and any HTTP status.

    DEEPaaS modules raise ``aiohttp.web.HTTPException`` subclasses (``HTTPBadRequest(reason=...)``)
    and some raise Starlette/FastAPI ``HTTPException``; both carry an integer status
    (``status`` / ``status_code``) and a human text (``text``, ``reason`` or ``detail``).
    They are recognised by those attributes, so seascope needs neither aiohttp nor the
    module's framework installed.
    """
    status = _status_of(exc)
    message = _message_of(exc, status)
    return ModuleFailed(message, status=status, error_type=type(exc).__name__)


def _status_of(exc: BaseException) -> int | None:
    for attribute in ("status", "status_code"):
        value = getattr(exc, attribute, None)
        if isinstance(value, int) and 400 <= value <= 599:
            return value
    return None


def _message_of(exc: BaseException, status: int | None) -> str:
    if status is not None:
        for attribute in ("detail", "text", "reason"):
            value = getattr(exc, attribute, None)
            if isinstance(value, str) and value.strip():
                text = value.strip()
                # aiohttp's default text is "<status>: <reason>"; keep just the reason.
                prefix = f"{status}: "
                return text[len(prefix) :] if text.startswith(prefix) else text
    text = str(exc).strip()
    return text or type(exc).__name__
