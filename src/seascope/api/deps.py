"""FastAPI dependencies for who is calling: ``CurrentPrincipal`` and ``CurrentUser``.

The app keeps its :class:`~seascope.platform.Authenticator` in ``app.state.authenticator``
(set by :func:`seascope.app.create_app`); routes declare what they need::

    @router.get("/jobs")
    async def list_jobs(user: CurrentUser) -> list[JobResponse]: ...

``CurrentPrincipal`` may be anonymous (catalog browsing); ``CurrentUser`` answers 401 with
a ``WWW-Authenticate`` challenge for anonymous callers. Bad credentials are a 401 in both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from seascope.platform import (
    Authenticator,
    Principal,
    authenticate_off_loop,
    owner_key,
    require_user,
)

__all__ = ["CurrentPrincipal", "CurrentUser", "get_principal", "get_user", "owner_key"]

# Declares the bearer scheme in the OpenAPI document; the header itself is read below
# (the authenticator parses it, so a malformed one is a precise 401, not a silent None).
_bearer = HTTPBearer(auto_error=False, description="A seascope API token or an OIDC JWT.")


async def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of ``request`` (possibly anonymous), cached for the request."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticate_off_loop(authenticator, request.headers.get("authorization"))
    request.state.principal = principal
    return principal


async def get_user(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The caller when signed in.

    Raises:
        AuthError: anonymous (401 with a challenge).
    """
    return require_user(principal)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
"""The caller, anonymous or signed in."""

CurrentUser = Annotated[Principal, Depends(get_user)]
"""The signed-in caller; anonymous callers get a 401."""
