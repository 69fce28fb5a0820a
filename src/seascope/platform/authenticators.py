"""``Authenticator``: from an ``Authorization`` header to a :class:`Principal`.

One implementation per auth mode (the OIDC one is in :mod:`seascope.platform.oidc`).
A request without credentials is :data:`ANONYMOUS` (it may browse the catalog); bad
credentials are an :class:`AuthError`, never silently anonymous.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from typing import Protocol

from seascope.platform.api_tokens import TokenStore
from seascope.platform.errors import AuthError, AuthFailure
from seascope.platform.principal import ANONYMOUS, AuthMethod, Principal
from seascope.platform.users import LOCAL_ISSUER, UserStore

__all__ = [
    "Authenticator",
    "LocalAuthenticator",
    "TokenAuthenticator",
    "UserRecordingAuthenticator",
    "bearer_credential",
]


class Authenticator(Protocol):
    """Turns the ``Authorization`` header of a request into the caller.

    Implementations are synchronous and may block briefly (a JWKS download, a database
    read): call them from a worker thread (a plain ``def`` FastAPI dependency).
    """

    def authenticate(self, authorization: str | None) -> Principal:
        """The caller, :data:`ANONYMOUS` when ``authorization`` is absent.

        Raises:
            AuthError: the credentials are present but not acceptable.
            AuthUnavailable: the identity provider cannot be reached.
        """
        ...


async def authenticate_off_loop(
    authenticator: Authenticator, authorization: str | None
) -> Principal:
    """``authenticator.authenticate(authorization)`` without blocking an event loop.

    Token and OIDC checks may read the database or fetch a key set, so they run in a
    worker thread; the local authenticator does no I/O and answers in place (no thread
    hop per request). Used by both HTTP APIs.
    """
    if isinstance(authenticator, LocalAuthenticator):
        return authenticator.authenticate(authorization)
    return await asyncio.to_thread(authenticator.authenticate, authorization)


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of a ``Bearer`` header, ``None`` when there is no header.

    Raises:
        AuthError: another scheme (``Basic`` ...), or ``Bearer`` with nothing after it.

    Example:
        >>> bearer_credential("bearer abc.def.ghi"), bearer_credential(None)
        ('abc.def.ghi', None)
    """
    if authorization is None or not authorization.strip():
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError(
            f"unsupported authorization scheme {scheme[:20]!r}: send 'Bearer <token>'",
            reason=AuthFailure.UNSUPPORTED_SCHEME,
        )
    credential = credential.strip()
    if not credential or " " in credential:
        raise AuthError("malformed bearer credential", reason=AuthFailure.MALFORMED)
    return credential


class LocalAuthenticator:
    """Single-user mode: every request is the local user, no login.

    Only safe on loopback (see :func:`seascope.platform.check_bind_allowed`).
    """

    def __init__(
        self, *, subject: str = "local", name: str = "Local user", user_id: int | None = None
    ) -> None:
        self.principal = Principal(
            subject=subject,
            issuer=LOCAL_ISSUER,
            method=AuthMethod.LOCAL,
            name=name,
            user_id=user_id,
        )

    def authenticate(self, authorization: str | None) -> Principal:  # noqa: ARG002
        """The local user, whatever the header says."""
        return self.principal


class TokenAuthenticator:
    """API-token mode: ``Authorization: Bearer ssc_...`` created with ``seascope tokens``."""

    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens

    def authenticate(self, authorization: str | None) -> Principal:
        """The token's user; :data:`ANONYMOUS` without a header."""
        credential = bearer_credential(authorization)
        if credential is None:
            return ANONYMOUS
        owner = self.tokens.verify(credential)
        return Principal(
            subject=owner.subject,
            issuer=owner.issuer,
            method=AuthMethod.TOKEN,
            name=owner.name,
            email=owner.email,
            user_id=owner.user_id,
        )


class UserRecordingAuthenticator:
    """Records every signed-in caller in the ``users`` table and sets ``user_id``.

    Keeps the last ``cache_size`` users in memory, so a known user with an unchanged name
    and e-mail costs no database access.

    Args:
        inner: The authenticator that checks the credentials.
        users: The user table.
        cache_size: How many users to remember.
    """

    def __init__(self, inner: Authenticator, users: UserStore, *, cache_size: int = 4096) -> None:
        self.inner = inner
        self.users = users
        self.cache_size = cache_size
        self._known: OrderedDict[tuple[str, str, str, str], int] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, authorization: str | None) -> Principal:
        """The inner authenticator's caller, with its ``user_id``."""
        principal = self.inner.authenticate(authorization)
        if principal.is_anonymous or principal.user_id is not None:
            return principal
        key = (principal.issuer, principal.subject, principal.name, principal.email)
        with self._lock:
            user_id = self._known.get(key)
            if user_id is not None:
                self._known.move_to_end(key)
        if user_id is None:
            user_id = self.users.ensure(
                subject=principal.subject,
                issuer=principal.issuer,
                name=principal.name,
                email=principal.email,
            )
            with self._lock:
                self._known[key] = user_id
                while len(self._known) > self.cache_size:
                    self._known.popitem(last=False)
        return principal.with_user_id(user_id)
