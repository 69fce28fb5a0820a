"""OIDC mode: bearer JWTs checked against the issuer's published keys (PyJWT).

Checks, in order: the header's ``alg`` is in the allow-list (asymmetric algorithms only:
``none`` and ``HS*`` are never accepted, so a token "signed" with the public key as an
HMAC secret fails), the ``kid`` is one of the issuer's keys and fits the algorithm, the
signature, ``iss``, ``aud``, ``exp``/``nbf`` (with a small leeway) and the required claims
``sub``, ``iss``, ``exp``. Each failure is an :class:`AuthError` with its own reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jwt
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    MissingRequiredClaimError,
    PyJWTError,
)

from seascope.errors import ConfigError
from seascope.platform.authenticators import bearer_credential
from seascope.platform.claims import DEFAULT_GROUPS_CLAIMS, ClaimsMapper, claims_mapper_from_spec
from seascope.platform.errors import AuthError, AuthFailure
from seascope.platform.fetch import check_provider_url
from seascope.platform.jwks import JwksCache, discover_jwks_url
from seascope.platform.principal import ANONYMOUS, AuthMethod, Principal

__all__ = ["ASYMMETRIC_ALGORITHMS", "DEFAULT_ALGORITHMS", "OidcAuthenticator", "OidcOptions"]

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Every algorithm that may be allowed: signatures with a public key only."""

DEFAULT_ALGORITHMS = ("RS256", "ES256")

_REQUIRED_CLAIMS = ["exp", "iss", "sub"]

# PyJWT's exception classes to our reasons; the first match wins (subclasses first).
_REASONS: tuple[tuple[type[PyJWTError], AuthFailure], ...] = (
    (ExpiredSignatureError, AuthFailure.EXPIRED),
    (ImmatureSignatureError, AuthFailure.NOT_YET_VALID),
    (InvalidAudienceError, AuthFailure.WRONG_AUDIENCE),
    (InvalidIssuerError, AuthFailure.WRONG_ISSUER),
    (MissingRequiredClaimError, AuthFailure.MISSING_CLAIM),
    (InvalidSignatureError, AuthFailure.BAD_SIGNATURE),
    (InvalidKeyError, AuthFailure.BAD_SIGNATURE),
    (InvalidAlgorithmError, AuthFailure.DISALLOWED_ALGORITHM),
    (DecodeError, AuthFailure.MALFORMED),
)


@dataclass(frozen=True)
class OidcOptions:
    """How bearer JWTs are checked (from ``SEASCOPE_OIDC_*``).

    Attributes:
        issuer: The ``iss`` every token must carry, exactly (a Keycloak realm URL).
        audience: The ``aud`` every token must include (Keycloak's default is
            ``account``).
        jwks_url: The key set's URL; empty to read it from the issuer's discovery document.
        algorithms: Accepted signature algorithms (asymmetric only).
        groups_claims: Where VO memberships come from (see :mod:`seascope.platform.claims`).
        leeway: Seconds of clock difference tolerated on ``exp``, ``nbf`` and ``iat``.
        timeout: Seconds allowed for each download from the issuer.
        jwks_lifespan: Seconds a downloaded key set is used before it is fetched again.
        min_refresh_interval: Least seconds between key-set refreshes caused by unknown
            ``kid`` values or by an unreachable issuer.

    Raises:
        ConfigError: a missing issuer or audience, plain http to another machine, or an
            algorithm outside :data:`ASYMMETRIC_ALGORITHMS`.
    """

    issuer: str
    audience: str
    jwks_url: str = ""
    algorithms: Sequence[str] = field(default=DEFAULT_ALGORITHMS)
    groups_claims: str = DEFAULT_GROUPS_CLAIMS
    leeway: float = 30.0
    timeout: float = 5.0
    jwks_lifespan: float = 300.0
    min_refresh_interval: float = 10.0

    def __post_init__(self) -> None:
        if not self.issuer:
            raise ConfigError("auth mode 'oidc' needs SEASCOPE_OIDC_ISSUER")
        if not self.audience:
            raise ConfigError(
                "auth mode 'oidc' needs SEASCOPE_OIDC_AUDIENCE: tokens issued for other "
                "clients must not be accepted (Keycloak access tokens carry 'account')"
            )
        check_provider_url(self.issuer, what="issuer")
        if self.jwks_url:
            check_provider_url(self.jwks_url, what="JWKS URL")
        algorithms = tuple(self.algorithms)
        refused = [name for name in algorithms if name not in ASYMMETRIC_ALGORITHMS]
        if refused or not algorithms:
            raise ConfigError(
                f"OIDC algorithms {refused or '(none)'} cannot be allowed: use public-key "
                f"algorithms ({', '.join(sorted(ASYMMETRIC_ALGORITHMS))})"
            )
        object.__setattr__(self, "algorithms", algorithms)
        if min(self.leeway, self.timeout, self.jwks_lifespan, self.min_refresh_interval) < 0:
            raise ConfigError("OIDC leeway, timeout and intervals cannot be negative")


class OidcAuthenticator:
    """Bearer JWTs from one OpenID Connect issuer.

    Args:
        options: What to check.
        keys: The issuer's keys (default: a :class:`JwksCache` built from ``options``).
        mapper: Claims to VO memberships (default: from ``options.groups_claims``).
    """

    def __init__(
        self,
        options: OidcOptions,
        *,
        keys: JwksCache | None = None,
        mapper: ClaimsMapper | None = None,
    ) -> None:
        self.options = options
        self.keys = keys or JwksCache(
            options.jwks_url or partial(discover_jwks_url, options.issuer, timeout=options.timeout),
            timeout=options.timeout,
            lifespan=options.jwks_lifespan,
            min_refresh_interval=options.min_refresh_interval,
        )
        self.mapper = mapper or claims_mapper_from_spec(options.groups_claims)

    def authenticate(self, authorization: str | None) -> Principal:
        """The token's user; :data:`ANONYMOUS` without a header.

        Raises:
            AuthError: the token fails a check (its ``reason`` says which).
            AuthUnavailable: the issuer's keys cannot be fetched.
        """
        token = bearer_credential(authorization)
        if token is None:
            return ANONYMOUS
        return self.principal_from_claims(self.verify(token))

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` once every check passes."""
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError as exc:
            raise AuthError(f"malformed token: {exc}", reason=AuthFailure.MALFORMED) from exc
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.options.algorithms:
            raise AuthError(
                f"token algorithm {str(algorithm)[:20]!r} is not accepted "
                f"(accepted: {', '.join(self.options.algorithms)})",
                reason=AuthFailure.DISALLOWED_ALGORITHM,
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("the token names no signing key ('kid')", reason=AuthFailure.MALFORMED)
        key = self.keys.key(kid)
        if not key.fits(algorithm):
            raise AuthError(
                f"key {kid[:64]!r} cannot check {algorithm} signatures",
                reason=AuthFailure.BAD_SIGNATURE,
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.jwk.key,
                algorithms=[algorithm],
                audience=self.options.audience,
                issuer=self.options.issuer,
                leeway=self.options.leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except PyJWTError as exc:
            raise _auth_error(exc) from exc
        return claims

    def principal_from_claims(self, claims: Mapping[str, Any]) -> Principal:
        """The caller described by verified ``claims``; odd optional claims are ignored.

        Raises:
            AuthError: ``sub`` is empty.
        """
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise AuthError("the token's 'sub' is empty", reason=AuthFailure.INVALID_CLAIM)
        return Principal(
            subject=subject,
            issuer=self.options.issuer,
            method=AuthMethod.OIDC,
            name=_text(claims, "name") or _text(claims, "preferred_username"),
            email=_text(claims, "email"),
            groups=self.mapper.groups(claims),
        )


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value if isinstance(value, str) else ""


def _auth_error(exc: PyJWTError) -> AuthError:
    for error_class, reason in _REASONS:
        if isinstance(exc, error_class):
            return AuthError(f"invalid token: {exc}", reason=reason)
    return AuthError(f"invalid token: {exc}", reason=AuthFailure.INVALID_CLAIM)
