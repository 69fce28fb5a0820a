"""``build_authenticator``: the authenticator of an auth mode, from settings values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seascope.errors import ConfigError
from seascope.platform.api_tokens import TokenStore
from seascope.platform.authenticators import (
    Authenticator,
    LocalAuthenticator,
    TokenAuthenticator,
    UserRecordingAuthenticator,
)
from seascope.platform.database import Database
from seascope.platform.oidc import OidcAuthenticator, OidcOptions
from seascope.platform.users import LOCAL_ISSUER, UserStore

__all__ = ["AuthConfig", "AuthMode", "build_authenticator"]


class AuthMode(StrEnum):
    """Who may use a server (``SEASCOPE_AUTH_MODE``)."""

    LOCAL = "local"
    """One user, no login; the server stays on loopback."""
    TOKEN = "token"
    """API tokens made with ``seascope tokens create``."""
    OIDC = "oidc"
    """Bearer JWTs from an OpenID Connect issuer (Keycloak, EGI Check-in)."""


@dataclass(frozen=True)
class AuthConfig:
    """The auth settings, as plain values.

    Attributes:
        mode: The auth mode.
        oidc: What OIDC mode checks (required in that mode, ignored otherwise).
        local_subject: The subject of the local mode's user.
    """

    mode: AuthMode = AuthMode.LOCAL
    oidc: OidcOptions | None = None
    local_subject: str = "local"


def build_authenticator(config: AuthConfig, *, database: Database | None) -> Authenticator:
    """The authenticator for ``config.mode``.

    With a ``database`` (migrated), signed-in callers are recorded in ``users`` and get
    their ``user_id``; without one (tests, throw-away servers) local and OIDC principals
    have none. Token mode needs the database.

    Raises:
        ConfigError: token mode without a database, or OIDC mode without options.

    Example:
        >>> authenticator = build_authenticator(AuthConfig(), database=None)
        >>> authenticator.authenticate(None).subject
        'local'
    """
    inner: Authenticator
    match config.mode:
        case AuthMode.LOCAL:
            if database is not None:
                # One user for the server's lifetime: recorded once, then no database
                # access (and no thread hop) per request.
                user_id = UserStore(database).ensure(
                    subject=config.local_subject, issuer=LOCAL_ISSUER, name="Local user"
                )
                return LocalAuthenticator(subject=config.local_subject, user_id=user_id)
            inner = LocalAuthenticator(subject=config.local_subject)
        case AuthMode.TOKEN:
            if database is None:
                raise ConfigError("auth mode 'token' needs the platform database")
            return TokenAuthenticator(TokenStore(database))  # token users are rows already
        case AuthMode.OIDC:
            if config.oidc is None:
                raise ConfigError("auth mode 'oidc' needs SEASCOPE_OIDC_ISSUER and _AUDIENCE")
            inner = OidcAuthenticator(config.oidc)
    if database is None:
        return inner
    return UserRecordingAuthenticator(inner, UserStore(database))
