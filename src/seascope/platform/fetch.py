"""Small JSON downloads from the identity provider, bounded in time and size."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from seascope.errors import ConfigError
from seascope.platform.bind import is_loopback_host
from seascope.platform.errors import AuthUnavailable

__all__ = ["MAX_DOCUMENT_BYTES", "check_provider_url", "fetch_json"]

MAX_DOCUMENT_BYTES = 1024 * 1024
"""Largest discovery document or key set accepted."""

_CHUNK = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Keys come from the configured URL itself, never from wherever it redirects to."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def check_provider_url(url: str, *, what: str) -> str:
    """``url`` when it is ``https://`` (or ``http://`` on loopback, for tests and dev).

    Raises:
        ConfigError: another scheme, no host, or plain HTTP to another machine.

    Example:
        >>> check_provider_url("http://127.0.0.1:8080/realms/x", what="issuer")
        'http://127.0.0.1:8080/realms/x'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the OIDC {what} must be an https:// URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(
            f"the OIDC {what} {url!r} uses plain http: keys and tokens need https "
            "(http is accepted on loopback only)"
        )
    return url


def fetch_json(url: str, *, timeout: float) -> dict[str, Any]:
    """GET ``url`` and parse its JSON object, within ``timeout`` seconds in all.

    Raises:
        AuthUnavailable: unreachable, too slow, an HTTP error, a redirect, too large, or
            not a JSON object.
    """
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirects())
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise AuthUnavailable(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {timeout:g} s")
    except urllib.error.HTTPError as exc:
        exc.close()
        raise AuthUnavailable(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError | OSError) and "timed out" in str(reason):
            reason = f"no answer within {timeout:g} s"
        raise AuthUnavailable(f"cannot fetch {url}: {reason}") from exc
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise AuthUnavailable(f"{url} did not answer JSON") from exc
    if not isinstance(document, dict):
        raise AuthUnavailable(f"{url} did not answer a JSON object")
    return document
