"""``Principal``: who is calling, and what they may do in which virtual organisation (VO)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

__all__ = ["ANONYMOUS", "AccessLevel", "AuthMethod", "Principal"]


class AccessLevel(StrEnum):
    """AI4OS access levels, lowest first: ``ap-a < ap-a1 < ap-b < ap-u < ap-d``.

    Compare them with :meth:`rank` or :meth:`at_least`, never as strings (``"ap-u"`` sorts
    after ``"ap-d"``).

    Example:
        >>> AccessLevel.USER.at_least(AccessLevel.TRY)
        True
        >>> AccessLevel.parse("ap-x") is None
        True
    """

    TRY = "ap-a"
    """Try-me sessions and the chat (AI4OS 'ap-a')."""
    TRY_PLUS = "ap-a1"
    BASIC = "ap-b"
    USER = "ap-u"
    """Deployments, secrets, storage: a full member of the VO."""
    DEVELOPER = "ap-d"

    @property
    def rank(self) -> int:
        """Position in the order (0 for ``ap-a``)."""
        return _ORDER.index(self)

    def at_least(self, other: AccessLevel) -> bool:
        """Whether this level is ``other`` or above."""
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> AccessLevel | None:
        """The level named ``text``, or ``None`` for a name that is not a level."""
        try:
            return cls(text)
        except ValueError:
            return None


_ORDER = tuple(AccessLevel)


class AuthMethod(StrEnum):
    """How a principal proved who they are."""

    ANONYMOUS = "anonymous"
    LOCAL = "local"
    """Single-user mode: whoever can reach the loopback server."""
    TOKEN = "token"
    """A seascope API token (created with ``seascope tokens create``)."""
    OIDC = "oidc"
    """A bearer JWT from the configured OpenID Connect issuer."""


@dataclass(frozen=True)
class Principal:
    """The caller of one request.

    Attributes:
        subject: Stable user id at the issuer (the JWT ``sub``); ``""`` when anonymous.
        issuer: Who vouches for ``subject`` (the JWT ``iss``, or ``seascope`` for users
            created by seascope itself).
        method: How the caller authenticated.
        name: Display name, possibly empty.
        email: E-mail address, possibly empty.
        groups: VO name to the highest access level held in it (read-only).
        user_id: Row id in the ``users`` table once the user is recorded, else ``None``.

    Example:
        >>> alice = Principal(
        ...     subject="alice", issuer="https://idp", method=AuthMethod.OIDC,
        ...     groups={"vo.imagine-ai.eu": AccessLevel.USER},
        ... )
        >>> alice.has_level("vo.imagine-ai.eu", AccessLevel.TRY), alice.is_anonymous
        (True, False)
        >>> alice.has_level("vo.ai4eosc.eu", AccessLevel.TRY)
        False
    """

    subject: str
    issuer: str
    method: AuthMethod
    name: str = ""
    email: str = ""
    groups: Mapping[str, AccessLevel] = field(default_factory=dict)
    user_id: int | None = None

    def __post_init__(self) -> None:
        # Frozen all the way down: a principal is shared by every part of a request.
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))

    def __hash__(self) -> int:
        # ``groups`` is a mapping (unhashable); who the caller is identifies them.
        return hash((self.method, self.issuer, self.subject, self.user_id))

    @property
    def is_anonymous(self) -> bool:
        """Whether the caller presented no credentials."""
        return self.method is AuthMethod.ANONYMOUS

    @property
    def vos(self) -> tuple[str, ...]:
        """The VOs the caller belongs to, sorted."""
        return tuple(sorted(self.groups))

    def level_in(self, vo: str) -> AccessLevel | None:
        """The caller's access level in ``vo``, or ``None`` when not a member."""
        return self.groups.get(vo)

    def has_level(self, vo: str, level: AccessLevel) -> bool:
        """Whether the caller holds at least ``level`` in ``vo``.

        Local and API-token users run installs without VOs: they pass every check.
        Anonymous callers pass none.
        """
        if self.method in (AuthMethod.LOCAL, AuthMethod.TOKEN):
            return True
        held = self.level_in(vo)
        return held is not None and held.at_least(level)

    def with_user_id(self, user_id: int) -> Principal:
        """A copy recorded as row ``user_id`` of the ``users`` table."""
        return replace(self, user_id=user_id)


ANONYMOUS = Principal(subject="", issuer="", method=AuthMethod.ANONYMOUS)
"""The caller without credentials: may browse the catalog, nothing else."""
