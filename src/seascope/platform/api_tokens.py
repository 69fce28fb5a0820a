"""API tokens: ``ssc_<id>_<secret>``, stored as a SHA-256 hash, checked in constant time.

The ``id`` part is public (it names the token in ``seascope tokens list``) and finds the
row; the whole token's hash is then compared with :func:`hmac.compare_digest`. A secret is
32 random bytes, so a fast hash is enough (there is nothing to brute-force), and the
secret is returned exactly once, when the token is created.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from seascope.errors import InvalidInput
from seascope.platform.database import Database
from seascope.platform.errors import AuthError, AuthFailure, ResourceNotFound
from seascope.platform.tables import ApiToken, User
from seascope.platform.timestamps import utc_now
from seascope.platform.users import LOCAL_ISSUER, UserStore

__all__ = [
    "TOKEN_PREFIX",
    "IssuedToken",
    "TokenInfo",
    "TokenOwner",
    "TokenState",
    "TokenStore",
    "hash_token",
    "looks_like_api_token",
]

TOKEN_PREFIX = "ssc_"
_ID_BYTES = 6  # 12 hex characters: the public, listable part
_SECRET_BYTES = 32
_MAX_NAME = 100
# A hash nobody's token has, compared when the id is unknown so timing says nothing.
_DUMMY_HASH = hashlib.sha256(b"seascope: no such token").hexdigest()

_log = logging.getLogger("seascope.platform.tokens")


def hash_token(token: str) -> str:
    """The SHA-256 of the whole token, in hex: what the database keeps.

    Example:
        >>> len(hash_token("ssc_0123456789ab_secret"))
        64
    """
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_api_token(credential: str) -> bool:
    """Whether ``credential`` has the shape of a seascope API token (not whether it works)."""
    return credential.startswith(TOKEN_PREFIX)


def _token_id(token: str) -> str | None:
    """The public id inside ``token``, or ``None`` when the token is not shaped like ours."""
    if not looks_like_api_token(token):
        return None
    token_id, separator, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not separator or not secret or len(token_id) != 2 * _ID_BYTES:
        return None
    return token_id


class TokenState(StrEnum):
    """Whether a token still works."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: everything but its secret and hash."""

    id: str
    name: str
    subject: str
    issuer: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> TokenState:
        """The token's state at ``now``."""
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return TokenState.EXPIRED
        return TokenState.ACTIVE


@dataclass(frozen=True)
class IssuedToken:
    """A token just created. ``secret`` is the whole token; it is never shown again."""

    info: TokenInfo
    secret: str = field(repr=False)


@dataclass(frozen=True)
class TokenOwner:
    """The user a verified token belongs to."""

    token_id: str
    user_id: int
    subject: str
    issuer: str
    name: str
    email: str


def _info(token: ApiToken, user: User) -> TokenInfo:
    return TokenInfo(
        id=token.id,
        name=token.name,
        subject=user.subject,
        issuer=user.issuer,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


class TokenStore:
    """Create, list, revoke and verify API tokens.

    Args:
        database: The platform database (migrated).
        clock: Returns the current aware UTC time (tests move it).
        touch_interval: ``last_used_at`` is written at most this often per token, so
            verifying does not write to the database on every request.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = utc_now,
        touch_interval: timedelta = timedelta(minutes=1),
    ) -> None:
        self.database = database
        self.clock = clock
        self.touch_interval = touch_interval
        self.users = UserStore(database)

    def create(
        self,
        name: str,
        *,
        subject: str = "local",
        issuer: str = LOCAL_ISSUER,
        expires_in: timedelta | None = None,
    ) -> IssuedToken:
        """Create a token for the user ``subject`` (recorded first if new).

        Args:
            name: What the token is for ("laptop", "ci"); shown in listings.
            subject: The user's subject.
            issuer: The user's issuer (``seascope`` for users seascope created).
            expires_in: Lifetime; ``None`` for a token that works until revoked.

        Raises:
            InvalidInput: an empty or too long name, or a lifetime that is not positive.
        """
        name = name.strip()
        if not name or len(name) > _MAX_NAME:
            raise InvalidInput(f"a token name needs 1 to {_MAX_NAME} characters")
        if not subject.strip():
            raise InvalidInput("a token needs a user subject")
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInput("a token's lifetime must be positive")
        now = self.clock()
        user_id = self.users.ensure(subject=subject, issuer=issuer)
        token_id = secrets.token_hex(_ID_BYTES)
        secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
        with self.database.session() as session:
            row = ApiToken(
                id=token_id,
                user_id=user_id,
                name=name,
                secret_hash=hash_token(secret),
                created_at=now,
                expires_at=None if expires_in is None else now + expires_in,
            )
            session.add(row)
            session.flush()
            info = _info(row, session.get_one(User, user_id))
        _log.info("created API token %s (%r) for %s", token_id, name, subject)
        return IssuedToken(info=info, secret=secret)

    def list(
        self, *, subject: str | None = None, issuer: str | None = None
    ) -> builtins.list[TokenInfo]:
        """Every token (of ``subject``/``issuer`` when given), oldest first."""
        query = select(ApiToken, User).join(User).order_by(ApiToken.created_at, ApiToken.id)
        if subject is not None:
            query = query.where(User.subject == subject)
        if issuer is not None:
            query = query.where(User.issuer == issuer)
        with self.database.session() as session:
            return [_info(token, user) for token, user in session.execute(query)]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token now; revoking it again changes nothing.

        Raises:
            ResourceNotFound: no token has that id.
        """
        with self.database.session() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise ResourceNotFound(f"no API token with id {token_id!r}")
            if row.revoked_at is None:
                row.revoked_at = self.clock()
                _log.info("revoked API token %s (%r)", row.id, row.name)
            return _info(row, row.user)

    def verify(self, token: str) -> TokenOwner:
        """The owner of ``token`` when it is genuine, not revoked and not expired.

        Raises:
            AuthError: an unknown, malformed, wrong, revoked or expired token. Only a
                caller holding the real secret learns that a token is revoked or expired.
        """
        token_id = _token_id(token)
        unknown = AuthError("invalid API token", reason=AuthFailure.UNKNOWN_TOKEN)
        with self.database.session() as session:
            row = session.get(ApiToken, token_id) if token_id is not None else None
            expected = row.secret_hash if row is not None else _DUMMY_HASH
            if not hmac.compare_digest(expected, hash_token(token)) or row is None:
                raise unknown
            now = self.clock()
            if row.revoked_at is not None:
                raise AuthError(f"API token {row.id} was revoked", reason=AuthFailure.REVOKED)
            if row.expires_at is not None and row.expires_at <= now:
                raise AuthError(f"API token {row.id} has expired", reason=AuthFailure.EXPIRED)
            if row.last_used_at is None or now - row.last_used_at >= self.touch_interval:
                row.last_used_at = now
            user = row.user
            return TokenOwner(
                token_id=row.id,
                user_id=user.id,
                subject=user.subject,
                issuer=user.issuer,
                name=user.name,
                email=user.email,
            )
