"""The issuer's signing keys: discovered, cached, refreshed when an unknown key appears."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from jwt import PyJWK
from jwt.exceptions import PyJWTError

from seascope.platform.errors import AuthError, AuthFailure, AuthUnavailable
from seascope.platform.fetch import fetch_json

__all__ = ["JwksCache", "SigningKey", "discover_jwks_url"]

_log = logging.getLogger("seascope.platform.jwks")


def discover_jwks_url(issuer: str, *, timeout: float) -> str:
    """The ``jwks_uri`` of ``issuer``'s OpenID Connect discovery document.

    Raises:
        AuthUnavailable: the document cannot be fetched, names another issuer, or has no
            usable ``jwks_uri``.
    """
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = fetch_json(url, timeout=timeout)
    if document.get("issuer") != issuer:
        raise AuthUnavailable(
            f"{url} describes issuer {document.get('issuer')!r}, not {issuer!r} "
            "(check SEASCOPE_OIDC_ISSUER: it must match the tokens' 'iss' exactly)"
        )
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise AuthUnavailable(f"{url} has no usable jwks_uri")
    return jwks_uri


@dataclass(frozen=True)
class SigningKey:
    """One verification key of the issuer.

    Attributes:
        kid: Its key id.
        declared_algorithm: The JWK's ``alg``, or ``""`` when it declares none.
        jwk: The parsed key.
    """

    kid: str
    declared_algorithm: str
    jwk: PyJWK

    def fits(self, algorithm: str) -> bool:
        """Whether a token signed with ``algorithm`` may be checked with this key.

        A key that declares its ``alg`` only checks that algorithm; otherwise its type
        decides (any RSA algorithm for RSA keys; the curve's one for EC and OKP keys).
        """
        if self.declared_algorithm:
            return algorithm == self.declared_algorithm
        if self.jwk.key_type == "RSA":
            return algorithm[:2] in ("RS", "PS")
        return algorithm == self.jwk.algorithm_name


def _parse_keys(document: dict[str, object], url: str) -> dict[str, SigningKey]:
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise AuthUnavailable(f"{url} is not a JWK set (no 'keys' list)")
    keys: dict[str, SigningKey] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue  # encryption keys sit in the same set (Keycloak's RSA-OAEP)
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            jwk = PyJWK(entry)
        except PyJWTError as exc:
            _log.debug("skipping key %r of %s: %s", kid, url, exc)
            continue
        declared = entry.get("alg")
        keys[kid] = SigningKey(kid, declared if isinstance(declared, str) else "", jwk)
    if not keys:
        raise AuthUnavailable(f"{url} holds no usable signing key")
    return keys


class JwksCache:
    """The issuer's key set, fetched on first use and kept for ``lifespan`` seconds.

    A token naming an unknown ``kid`` (a rotated key) triggers one refresh, at most once
    per ``min_refresh_interval`` seconds, so made-up ``kid`` values cannot hammer the
    issuer. When a refresh fails, keys already known keep working.

    Args:
        jwks_url: The key set's URL, or a function finding it (discovery) on first use.
        timeout: Seconds allowed for each download.
        lifespan: Seconds a fetched key set is used before it is fetched again.
        min_refresh_interval: Least seconds between refreshes forced by unknown keys, and
            between retries while the issuer is unreachable.
        clock: Monotonic seconds (tests move it).
    """

    def __init__(
        self,
        jwks_url: str | Callable[[], str],
        *,
        timeout: float = 5.0,
        lifespan: float = 300.0,
        min_refresh_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._jwks_url = jwks_url
        self.timeout = timeout
        self.lifespan = lifespan
        self.min_refresh_interval = min_refresh_interval
        self.clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._failure: AuthUnavailable | None = None

    def key(self, kid: str) -> SigningKey:
        """The key named ``kid``.

        Raises:
            AuthError: no such key, even after a refresh (``unknown_key``).
            AuthUnavailable: the key set cannot be fetched and none is known yet.
        """
        with self._lock:
            now = self.clock()
            if self._fetched_at is None or now - self._fetched_at >= self.lifespan:
                self._refresh(now)
            key = self._keys.get(kid)
            if key is None and self._may_retry(now):
                self._refresh(now)
                key = self._keys.get(kid)
        if key is None:
            raise AuthError(
                f"the token is signed with key {kid[:64]!r}, which the issuer does not publish",
                reason=AuthFailure.UNKNOWN_KEY,
            )
        return key

    def _may_retry(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self.min_refresh_interval

    def _refresh(self, now: float) -> None:
        """Download the key set, unless a download failed less than the interval ago.

        On failure, keys already known stay in use; with none known, the request fails
        fast instead of waiting for the issuer again.
        """
        if self._failure is not None and not self._may_retry(now):
            if self._keys:
                return
            raise AuthUnavailable(self._failure.message)
        self._attempted_at = now
        try:
            url = self._jwks_url if isinstance(self._jwks_url, str) else self._jwks_url()
            self._jwks_url = url
            keys = _parse_keys(fetch_json(url, timeout=self.timeout), url)
        except AuthUnavailable as exc:
            self._failure = exc
            if not self._keys:
                raise
            _log.warning("keeping the signing keys fetched before: %s", exc.message)
            return
        self._keys, self._failure, self._fetched_at = keys, None, now
        _log.debug("fetched %d signing keys from %s", len(keys), url)
