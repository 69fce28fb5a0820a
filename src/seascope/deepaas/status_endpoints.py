"""Endpoints that answer with DEEPaaS's (aiohttp's) routing statuses: 308, 402, 404, 405."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from seascope.deepaas.responses import text_status

__all__ = ["Endpoint", "not_allowed", "not_found", "payment_required", "slash_redirect"]

Endpoint = Callable[[Request], Awaitable[Response]]


def slash_redirect(check: Callable[[Request], bool] | None) -> Endpoint:
    """``308`` to the same path plus ``/`` (query kept), or ``404`` when ``check`` fails."""

    async def redirect(request: Request) -> Response:
        if check is not None and not check(request):
            return text_status(404)
        location = request.url.path + "/"
        if request.url.query:
            location += "?" + request.url.query
        return text_status(308, headers={"Location": location})

    return redirect


def not_allowed(allowed: str) -> Endpoint:
    """``405`` naming the ``allowed`` methods."""

    async def method_not_allowed(_request: Request) -> Response:
        return text_status(405, headers={"Allow": allowed})

    return method_not_allowed


async def not_found(_request: Request) -> Response:
    """``404: Not Found``."""
    return text_status(404)


async def payment_required(_request: Request) -> Response:
    """``402``: DEEPaaS's answer on a disabled predict or train route."""
    return text_status(402)
