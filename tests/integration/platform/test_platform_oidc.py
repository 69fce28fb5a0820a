"""OIDC mode against a real issuer on loopback: real keys, real signed tokens, real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from functools import partial
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from tests.integration.platform.oidc_issuer import AUDIENCE, CERTS, DISCOVERY, Issuer

from seascope.platform import (
    ANONYMOUS,
    AccessLevel,
    AuthConfig,
    AuthError,
    AuthFailure,
    AuthMethod,
    AuthMode,
    AuthUnavailable,
    Database,
    Forbidden,
    JwksCache,
    OidcAuthenticator,
    OidcOptions,
    UserStore,
    build_authenticator,
    require_level,
)
from seascope.platform.jwks import discover_jwks_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def authenticator_for(
    issuer: Issuer, *, clock: Clock | None = None, timeout: float = 2.0, **changes: Any
) -> OidcAuthenticator:
    """An authenticator that discovers the issuer's keys, with an optional fake clock."""
    options = OidcOptions(issuer=issuer.url, audience=AUDIENCE, timeout=timeout, **changes)
    keys = JwksCache(
        options.jwks_url or partial(discover_jwks_url, issuer.url, timeout=timeout),
        timeout=timeout,
        lifespan=options.jwks_lifespan,
        min_refresh_interval=options.min_refresh_interval,
        clock=clock or Clock(),
    )
    return OidcAuthenticator(options, keys=keys)


def refused(authenticator: OidcAuthenticator, token: str) -> AuthError:
    with pytest.raises(AuthError) as caught:
        authenticator.authenticate(f"Bearer {token}")
    assert token not in caught.value.message
    assert token not in caught.value.www_authenticate
    return caught.value


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_valid_keycloak_token_gives_the_user_and_vo_levels(issuer: Issuer) -> None:
    authenticator = authenticator_for(issuer)
    token = issuer.token(
        realm_access={"roles": ["access:vo.imagine-ai.eu:ap-u", "access:vo.ai4eosc.eu:ap-a"]}
    )
    principal = authenticator.authenticate(f"Bearer {token}")
    assert principal.method is AuthMethod.OIDC
    assert (principal.subject, principal.issuer) == ("6f2d9a1e-alice", issuer.url)
    assert (principal.name, principal.email) == ("Alice Diatom", "alice@example.org")
    assert dict(principal.groups) == {
        "vo.imagine-ai.eu": AccessLevel.USER,
        "vo.ai4eosc.eu": AccessLevel.TRY,
    }
    assert issuer.hits[DISCOVERY] == 1
    assert issuer.hits[CERTS] == 1
    authenticator.authenticate(f"Bearer {issuer.token()}")
    assert issuer.hits[CERTS] == 1  # the key set is cached


def test_an_egi_token_signed_with_ec_gives_vos_from_entitlements(issuer: Issuer) -> None:
    token = issuer.token(
        kid="ec-1",
        realm_access=None,
        preferred_username="bob",
        name=None,
        eduperson_entitlement=[
            "urn:mace:egi.eu:group:vo.imagine-ai.eu:role=member#aai.egi.eu",
            "urn:mace:egi.eu:group:vo.ai4eosc.eu:role=vm_operator#aai.egi.eu",
        ],
    )
    principal = authenticator_for(issuer).authenticate(f"Bearer {token}")
    assert principal.name == "bob"
    assert dict(principal.groups) == {
        "vo.imagine-ai.eu": AccessLevel.USER,
        "vo.ai4eosc.eu": AccessLevel.USER,
    }


def test_a_user_without_roles_is_unprivileged_not_a_server_error(issuer: Issuer) -> None:
    shapes: list[object] = [None, {"roles": None}, {"roles": []}, "junk"]
    for roles in shapes:
        token = issuer.token(realm_access=roles)
        principal = authenticator_for(issuer).authenticate(f"Bearer {token}")
        assert principal.groups == {}
        with pytest.raises(Forbidden):
            require_level(principal, "vo.imagine-ai.eu", AccessLevel.TRY)


def test_no_header_is_anonymous_and_fetches_nothing(issuer: Issuer) -> None:
    assert authenticator_for(issuer).authenticate(None) is ANONYMOUS
    assert sum(issuer.hits.values()) == 0


def test_audience_lists_are_accepted_when_they_include_ours(issuer: Issuer) -> None:
    token = issuer.token(aud=["ai4-papi", AUDIENCE])
    assert authenticator_for(issuer).authenticate(f"Bearer {token}").subject


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example.org/realms/seascope"}, AuthFailure.WRONG_ISSUER),
        ({"aud": "another-client"}, AuthFailure.WRONG_AUDIENCE),
        ({"aud": None}, AuthFailure.MISSING_CLAIM),
        ({"exp": int(time.time()) - 120}, AuthFailure.EXPIRED),
        ({"nbf": int(time.time()) + 600}, AuthFailure.NOT_YET_VALID),
        ({"sub": None}, AuthFailure.MISSING_CLAIM),
        ({"exp": None}, AuthFailure.MISSING_CLAIM),
        ({"iss": None}, AuthFailure.MISSING_CLAIM),
        ({"sub": ""}, AuthFailure.INVALID_CLAIM),
        ({"sub": 42}, AuthFailure.INVALID_CLAIM),
    ],
    ids=[
        "wrong-issuer",
        "wrong-audience",
        "no-audience",
        "expired",
        "not-yet-valid",
        "no-sub",
        "no-exp",
        "no-iss",
        "empty-sub",
        "numeric-sub",
    ],
)
def test_bad_claims_are_precise_401s(
    issuer: Issuer, changes: dict[str, Any], reason: AuthFailure
) -> None:
    error = refused(authenticator_for(issuer), issuer.token(**changes))
    assert error.reason is reason, error.message
    assert 'error="invalid_token"' in error.www_authenticate


def test_a_little_clock_skew_is_tolerated(issuer: Issuer) -> None:
    token = issuer.token(exp=int(time.time()) - 10, iat=int(time.time()) + 10)
    assert authenticator_for(issuer).authenticate(f"Bearer {token}").subject


def test_a_signature_by_another_key_is_refused(issuer: Issuer) -> None:
    error = refused(authenticator_for(issuer), issuer.token(kid="rsa-1", sign_with="stranger"))
    assert error.reason is AuthFailure.BAD_SIGNATURE


def test_a_tampered_payload_is_refused(issuer: Issuer) -> None:
    header, _, signature = issuer.token().split(".")
    forged = b64(json.dumps(issuer.claims(sub="admin")).encode())
    error = refused(authenticator_for(issuer), f"{header}.{forged}.{signature}")
    assert error.reason is AuthFailure.BAD_SIGNATURE


def test_alg_none_is_refused(issuer: Issuer) -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).encode())
    token = f"{header}.{b64(json.dumps(issuer.claims()).encode())}."
    error = refused(authenticator_for(issuer), token)
    assert error.reason is AuthFailure.DISALLOWED_ALGORITHM
    assert "'none'" in error.message


def test_hs256_signed_with_the_public_key_is_refused(issuer: Issuer) -> None:
    # The classic algorithm-confusion attack: HMAC "signed" with the published RSA key.
    public_pem = (
        issuer.keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = b64(json.dumps(issuer.claims()).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    error = refused(authenticator_for(issuer), f"{header}.{payload}.{b64(mac)}")
    assert error.reason is AuthFailure.DISALLOWED_ALGORITHM


def test_a_key_of_the_wrong_type_is_refused_not_a_crash(issuer: Issuer) -> None:
    token = issuer.token(kid="rsa-1", sign_with="ec-1", algorithm="ES256")
    assert refused(authenticator_for(issuer), token).reason is AuthFailure.BAD_SIGNATURE
    _, payload, signature = issuer.token(kid="ec-1").split(".")
    header = b64(json.dumps({"alg": "RS256", "kid": "ec-1"}).encode())
    token = f"{header}.{payload}.{signature}"
    assert refused(authenticator_for(issuer), token).reason is AuthFailure.BAD_SIGNATURE


def test_an_algorithm_outside_the_allow_list_is_refused(issuer: Issuer) -> None:
    authenticator = authenticator_for(issuer, algorithms=["ES256"])
    error = refused(authenticator, issuer.token(kid="rsa-1"))
    assert error.reason is AuthFailure.DISALLOWED_ALGORITHM


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b.c",
        "....",
        b64(b"[1,2]") + "." + b64(b"{}") + ".x",
        b64(b'{"alg":"RS256"}') + "." + b64(b"{}") + ".x",
        b64(b'{"alg":"RS256","kid":7}') + "." + b64(b"{}") + ".x",
        b64(b'{"alg":"RS256","kid":"rsa-1"}') + "." + b64(b"[]") + "." + b64(b"sig"),
        b64(b'{"alg":"RS256","kid":"rsa-1"}') + ".!!!." + b64(b"sig"),
    ],
    ids=["word", "dots", "empty-parts", "list-header", "no-kid", "int-kid", "list-body", "bad-b64"],
)
def test_garbage_is_a_malformed_401_never_a_crash(issuer: Issuer, token: str) -> None:
    error = refused(authenticator_for(issuer), token)
    assert error.reason in (AuthFailure.MALFORMED, AuthFailure.BAD_SIGNATURE), error


def test_an_unknown_kid_refreshes_once_then_fails(issuer: Issuer) -> None:
    clock = Clock()
    authenticator = authenticator_for(issuer, clock=clock)
    authenticator.authenticate(f"Bearer {issuer.token()}")
    assert issuer.hits[CERTS] == 1
    clock.now += 60  # past the refresh interval
    error = refused(authenticator, issuer.token(kid="stranger"))
    assert error.reason is AuthFailure.UNKNOWN_KEY
    assert issuer.hits[CERTS] == 2  # exactly one refresh
    clock.now += 1
    assert refused(authenticator, issuer.token(kid="made-up", sign_with="stranger")).reason is (
        AuthFailure.UNKNOWN_KEY
    )
    assert issuer.hits[CERTS] == 2  # no refresh storm from made-up kids


def test_a_rotated_key_is_picked_up(issuer: Issuer) -> None:
    clock = Clock()
    authenticator = authenticator_for(issuer, clock=clock)
    authenticator.authenticate(f"Bearer {issuer.token()}")
    issuer.published = ["rsa-2", "ec-1"]
    clock.now += 60
    assert authenticator.authenticate(f"Bearer {issuer.token(kid='rsa-2')}").subject
    assert issuer.hits[CERTS] == 2


def test_known_keys_keep_working_while_the_issuer_is_down(issuer: Issuer) -> None:
    clock = Clock()
    authenticator = authenticator_for(issuer, clock=clock, jwks_lifespan=60)
    authenticator.authenticate(f"Bearer {issuer.token()}")
    issuer.stop()
    clock.now += 600  # the key set is stale and the refresh fails
    assert authenticator.authenticate(f"Bearer {issuer.token()}").subject


def test_an_unreachable_issuer_is_a_clear_503_and_no_hang(issuer: Issuer) -> None:
    clock = Clock()
    authenticator = authenticator_for(issuer, clock=clock)
    issuer.stop()
    started = time.monotonic()
    with pytest.raises(AuthUnavailable, match="cannot fetch http://127.0.0.1:.*openid-config"):
        authenticator.authenticate(f"Bearer {issuer.token()}")
    assert time.monotonic() - started < 2


def test_a_hanging_issuer_times_out(issuer: Issuer) -> None:
    clock = Clock()
    authenticator = authenticator_for(issuer, clock=clock, timeout=0.3)
    issuer.delay = 3.0
    started = time.monotonic()
    with pytest.raises(AuthUnavailable, match=r"no answer within 0\.3 s"):
        authenticator.authenticate(f"Bearer {issuer.token()}")
    assert time.monotonic() - started < 1.5
    # Within the retry interval the next request fails at once instead of waiting again.
    started = time.monotonic()
    with pytest.raises(AuthUnavailable):
        authenticator.authenticate(f"Bearer {issuer.token()}")
    assert time.monotonic() - started < 0.1
    assert issuer.hits[DISCOVERY] == 1


@pytest.mark.parametrize(
    ("path", "answer", "message"),
    [
        (CERTS, (500, b"oops", {}), "HTTP 500"),
        (CERTS, (302, b"", {"Location": "http://127.0.0.1:1/elsewhere"}), "HTTP 302"),
        (CERTS, (200, b"<html>", {}), "did not answer JSON"),
        (CERTS, (200, b"[1]", {}), "did not answer a JSON object"),
        (CERTS, (200, b'{"keys": "x"}', {}), "not a JWK set"),
        (CERTS, (200, b'{"keys": [{"kid": "a", "kty": "XYZ"}, 3]}', {}), "no usable signing key"),
        (CERTS, (200, b" " * (1024 * 1024 + 1), {}), "more than 1048576 bytes"),
        (DISCOVERY, (200, b'{"issuer": "ISSUER"}', {}), "no usable jwks_uri"),
    ],
    ids=["500", "redirect", "html", "list", "keys-not-list", "no-usable-key", "huge", "no-uri"],
)
def test_a_misbehaving_issuer_is_a_clear_503(
    issuer: Issuer, path: str, answer: tuple[int, bytes, dict[str, str]], message: str
) -> None:
    status, body, headers = answer
    issuer.overrides[path] = (status, body.replace(b"ISSUER", issuer.url.encode()), headers)
    with pytest.raises(AuthUnavailable, match=message):
        authenticator_for(issuer).authenticate(f"Bearer {issuer.token()}")


def test_discovery_must_name_the_configured_issuer(issuer: Issuer) -> None:
    issuer.discovery_issuer = "https://someone-else.example.org"
    with pytest.raises(AuthUnavailable, match="describes issuer"):
        authenticator_for(issuer).authenticate(f"Bearer {issuer.token()}")


def test_an_explicit_jwks_url_skips_discovery(issuer: Issuer) -> None:
    authenticator = authenticator_for(issuer, jwks_url=issuer.jwks_url)
    assert authenticator.authenticate(f"Bearer {issuer.token()}").subject
    assert issuer.hits[DISCOVERY] == 0


def test_the_factory_records_oidc_users(issuer: Issuer, database: Database) -> None:
    options = OidcOptions(issuer=issuer.url, audience=AUDIENCE, timeout=2.0)
    authenticator = build_authenticator(
        AuthConfig(mode=AuthMode.OIDC, oidc=options), database=database
    )
    principal = authenticator.authenticate(f"Bearer {issuer.token()}")
    stored = UserStore(database).find(subject="6f2d9a1e-alice", issuer=issuer.url)
    assert stored is not None
    assert principal.user_id == stored.id
    assert (stored.name, stored.email) == ("Alice Diatom", "alice@example.org")
    with pytest.raises(AuthError):
        authenticator.authenticate(f"Bearer {issuer.token(aud='other')}")
