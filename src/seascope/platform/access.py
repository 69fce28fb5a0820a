"""Access checks for routes and services: signed in, access level, ownership.

Someone else's record is reported exactly like a missing one (404), so ids cannot be
probed; the caller only learns about records they own.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from seascope.platform.errors import AuthError, AuthFailure, Forbidden, ResourceNotFound
from seascope.platform.principal import AccessLevel, AuthMethod, Principal

__all__ = ["Owned", "owned_or_not_found", "owner_key", "require_level", "require_user"]


class Owned(Protocol):
    """A record with an owner (``Deployment``, ``Try`` ...)."""

    @property
    def owner_id(self) -> int:
        """Row id of the owning user."""
        ...


OwnedT = TypeVar("OwnedT", bound=Owned)


def owner_key(principal: Principal) -> str:
    """The text that marks records of ``principal`` outside the platform database (jobs).

    ``local`` for the single user of local mode (what jobs recorded before auth existed
    carry), ``user:<id>`` for a recorded user, else ``<issuer>#<subject>``.

    Example:
        >>> from seascope.platform.principal import AuthMethod
        >>> owner_key(Principal(subject="a", issuer="https://idp", method=AuthMethod.OIDC))
        'https://idp#a'
        >>> owner_key(Principal(subject="a", issuer="i", method=AuthMethod.TOKEN, user_id=7))
        'user:7'
    """
    if principal.method is AuthMethod.LOCAL:
        return "local"
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    return f"{principal.issuer}#{principal.subject}"


def require_user(principal: Principal) -> Principal:
    """``principal`` when signed in.

    Raises:
        AuthError: the caller is anonymous (HTTP 401 with a ``WWW-Authenticate`` challenge).
    """
    if principal.is_anonymous:
        raise AuthError("sign in first: this needs a bearer token", reason=AuthFailure.MISSING)
    return principal


def require_level(principal: Principal, vo: str, level: AccessLevel) -> Principal:
    """``principal`` when it holds at least ``level`` in ``vo``.

    A user without any role is simply below every level (a 403, never a crash).

    Raises:
        AuthError: the caller is anonymous.
        Forbidden: the caller is not in ``vo`` or below ``level`` there.

    Example:
        >>> from seascope.platform.principal import AuthMethod
        >>> bob = Principal(subject="bob", issuer="https://idp", method=AuthMethod.OIDC)
        >>> require_level(bob, "vo.ai4eosc.eu", AccessLevel.USER)
        Traceback (most recent call last):
        ...
        seascope.errors.Forbidden: needs access level ap-u in VO 'vo.ai4eosc.eu'; ...
    """
    require_user(principal)
    if principal.has_level(vo, level):
        return principal
    held = principal.level_in(vo)
    current = f"you have {held.value}" if held is not None else "you are not a member"
    raise Forbidden(f"needs access level {level.value} in VO {vo!r}; {current}")


def owned_or_not_found(
    record: OwnedT | None, principal: Principal, *, kind: str, ident: object
) -> OwnedT:
    """``record`` when ``principal`` owns it.

    Args:
        record: The record as loaded (``None`` when there is none).
        principal: The caller.
        kind: What the record is, for the message ("deployment").
        ident: The id the caller asked for, for the message.

    Raises:
        ResourceNotFound: no record, or someone else's (the same message for both).

    Example:
        >>> deployment = owned_or_not_found(
        ...     session.get(Deployment, deployment_id), principal,
        ...     kind="deployment", ident=deployment_id,
        ... )  # doctest: +SKIP
    """
    if record is None or principal.user_id is None or record.owner_id != principal.user_id:
        raise ResourceNotFound(f"no {kind} {str(ident)!r}")
    return record
