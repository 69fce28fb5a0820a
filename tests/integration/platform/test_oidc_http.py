"""OIDC mode through a real ``seascope serve`` process: real issuer, real tokens, real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from tests.integration.platform.oidc_issuer import AUDIENCE, Issuer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged_tokens(issuer: Issuer) -> dict[str, str]:
    """Tokens a server must refuse, by what is wrong with them."""
    claims = b64(json.dumps(issuer.claims()).encode())
    none_header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).encode())
    public_pem = (
        issuer.keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    hs_header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    mac = hmac.new(public_pem, f"{hs_header}.{claims}".encode(), hashlib.sha256).digest()
    return {
        "wrong-issuer": issuer.token(iss="https://evil.example/realms/seascope"),
        "wrong-audience": issuer.token(aud="another-client"),
        "bad-signature": issuer.token(kid="rsa-1", sign_with="stranger"),
        "alg-none": f"{none_header}.{claims}.",
        "hs256-with-public-key": f"{hs_header}.{claims}.{b64(mac)}",
        "expired": issuer.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(issuer: Issuer, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "server.log"
    log_file = log.open("wb")
    environment = {
        **os.environ,
        "SEASCOPE_HOME": str(tmp_path / "home"),
        "SEASCOPE_AUTH_MODE": "oidc",
        "SEASCOPE_OIDC_ISSUER": issuer.url,
        "SEASCOPE_OIDC_AUDIENCE": AUDIENCE,
        "SEASCOPE_TRACKING_URI": "none",
    }
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "seascope.cli",
            "serve",
            "--model-name",
            "reference",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()}")
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log_file.close()


def test_a_valid_token_is_accepted_and_forged_ones_are_401(server: str, issuer: Issuer) -> None:
    good = httpx.get(
        f"{server}/v1/jobs", headers={"Authorization": f"Bearer {issuer.token()}"}, timeout=10
    )
    assert good.status_code == 200, good.text
    me = httpx.get(
        f"{server}/v1/me", headers={"Authorization": f"Bearer {issuer.token()}"}, timeout=10
    ).json()
    assert (me["subject"], me["method"], me["groups"]) == (
        "6f2d9a1e-alice",
        "oidc",
        {"vo.imagine-ai.eu": "ap-u"},
    )
    for what, token in forged_tokens(issuer).items():
        response = httpx.get(
            f"{server}/v1/jobs", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 401, (what, response.text)
        assert 'error="invalid_token"' in response.headers["www-authenticate"], what
    anonymous = httpx.get(f"{server}/v1/jobs", timeout=10)
    assert anonymous.status_code == 401
    # Browsing the catalog needs no token.
    assert httpx.get(f"{server}/v1/catalog", timeout=10).status_code == 200
