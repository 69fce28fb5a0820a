"""A real OpenID Connect issuer on loopback, with its own keys.

A stdlib HTTP server in a thread serves the discovery document and the key set (JWKS)
like Keycloak does; tests sign real tokens with its private keys and can
rotate keys, slow the server down or stop it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["AUDIENCE", "CERTS", "DISCOVERY", "Issuer", "PrivateKey", "generate_keys", "serve"]

REALM = "/realms/seascope"
CERTS = f"{REALM}/protocol/openid-connect/certs"
DISCOVERY = f"{REALM}/.well-known/openid-configuration"
AUDIENCE = "account"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def generate_keys() -> dict[str, PrivateKey]:
    """Private keys by kid: two RSA keys (one for rotation), one EC P-256 key, one stranger."""
    return {
        "rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "rsa-2": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec-1": ec.generate_private_key(ec.SECP256R1()),
        "stranger": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


def public_jwk(kid: str, key: PrivateKey) -> dict[str, Any]:
    """The JWKS entry of ``key``'s public half, as Keycloak publishes it."""
    if isinstance(key, rsa.RSAPrivateKey):
        entry = dict(RSAAlgorithm.to_jwk(key.public_key(), as_dict=True))
        entry["alg"] = "RS256"
    else:
        entry = dict(ECAlgorithm.to_jwk(key.public_key(), as_dict=True))
        entry["alg"] = "ES256"
    return {**entry, "kid": kid, "use": "sig"}


@dataclass
class Issuer:
    """The issuer's state, changed by tests while its server runs."""

    base: str
    keys: dict[str, PrivateKey]
    published: list[str] = field(default_factory=lambda: ["rsa-1", "ec-1"])
    hits: Counter[str] = field(default_factory=Counter)
    delay: float = 0.0
    discovery_issuer: str | None = None
    overrides: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    """Path to (status, body, headers) answered instead of the real document."""
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The issuer URL (what tokens carry in ``iss``)."""
        return self.base + REALM

    @property
    def jwks_url(self) -> str:
        return self.base + CERTS

    def claims(self, **changes: Any) -> dict[str, Any]:
        """Typical Keycloak access-token claims; a change to ``None`` removes the claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "6f2d9a1e-alice",
            "iat": now,
            "exp": now + 300,
            "name": "Alice Diatom",
            "email": "alice@example.org",
            "realm_access": {"roles": ["access:vo.imagine-ai.eu:ap-u", "offline_access"]},
        }
        claims.update(changes)
        return {key: value for key, value in claims.items() if value is not None}

    def token(
        self,
        *,
        kid: str = "rsa-1",
        algorithm: str | None = None,
        sign_with: str | None = None,
        headers: dict[str, Any] | None = None,
        **changes: Any,
    ) -> str:
        """A token signed with key ``sign_with`` (default: ``kid``'s own key)."""
        key = self.keys[sign_with or kid]
        algorithm = algorithm or ("RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
        return jwt.encode(
            self.claims(**changes),
            key,
            algorithm=algorithm,
            headers={"kid": kid, **(headers or {})},
        )

    def stop(self) -> None:
        """Take the issuer off the network (its port then refuses connections)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            issuer.hits[self.path] += 1
            if issuer.delay:
                time.sleep(issuer.delay)
            if self.path in issuer.overrides:
                status, data, headers = issuer.overrides[self.path]
                self.send_response(status)
                for name, value in {"Content-Length": str(len(data)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                return
            if self.path == DISCOVERY:
                body: dict[str, Any] = {
                    "issuer": issuer.discovery_issuer or issuer.url,
                    "jwks_uri": issuer.jwks_url,
                    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                }
            elif self.path == CERTS:
                body = {
                    "keys": [public_jwk(kid, issuer.keys[kid]) for kid in issuer.published]
                    + [{"kid": "enc-1", "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}]
                }
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@contextmanager
def serve(keys: dict[str, PrivateKey]) -> Iterator[Issuer]:
    """Run an issuer on 127.0.0.1 (a fresh port) until the block ends."""
    state = Issuer(base="", keys=keys)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.block_on_close = False
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    state.server = server
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop()
        thread.join(timeout=5)
