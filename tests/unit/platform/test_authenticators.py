"""Authenticators per mode, the Bearer header, user recording, and the factory."""

from __future__ import annotations

import asyncio
import threading

import pytest

from seascope.errors import ConfigError
from seascope.platform import (
    ANONYMOUS,
    AuthConfig,
    AuthError,
    AuthFailure,
    AuthMethod,
    AuthMode,
    Database,
    LocalAuthenticator,
    OidcAuthenticator,
    OidcOptions,
    Principal,
    TokenAuthenticator,
    TokenStore,
    UserRecordingAuthenticator,
    UserStore,
    authenticate_off_loop,
    bearer_credential,
    build_authenticator,
)


@pytest.mark.parametrize(
    ("header", "credential"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER   abc  ", "abc"),
    ],
)
def test_bearer_credentials(header: str | None, credential: str | None) -> None:
    assert bearer_credential(header) == credential


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Basic dXNlcjpwYXNz", AuthFailure.UNSUPPORTED_SCHEME),
        ("Token abc", AuthFailure.UNSUPPORTED_SCHEME),
        ("abc", AuthFailure.UNSUPPORTED_SCHEME),
        ("Bearer", AuthFailure.MALFORMED),
        ("Bearer a b", AuthFailure.MALFORMED),
    ],
)
def test_other_schemes_and_broken_headers_are_refused(header: str, reason: AuthFailure) -> None:
    with pytest.raises(AuthError) as caught:
        bearer_credential(header)
    assert caught.value.reason is reason
    assert 'error="invalid_request"' in caught.value.www_authenticate
    assert "dXNlcjpwYXNz" not in caught.value.message


def test_local_mode_is_always_the_local_user() -> None:
    authenticator = LocalAuthenticator()
    for header in (None, "Bearer whatever", "Basic xyz"):
        principal = authenticator.authenticate(header)
        assert (principal.subject, principal.method) == ("local", AuthMethod.LOCAL)


def test_token_mode(database: Database) -> None:
    store = TokenStore(database)
    issued = store.create("laptop", subject="alice")
    authenticator = TokenAuthenticator(store)
    assert authenticator.authenticate(None) is ANONYMOUS
    principal = authenticator.authenticate(f"Bearer {issued.secret}")
    assert (principal.subject, principal.method) == ("alice", AuthMethod.TOKEN)
    assert principal.user_id is not None
    with pytest.raises(AuthError):
        authenticator.authenticate("Bearer ssc_nope")


class CountingUsers(UserStore):
    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.calls = 0

    def ensure(self, *, subject: str, issuer: str, name: str = "", email: str = "") -> int:
        self.calls += 1
        return super().ensure(subject=subject, issuer=issuer, name=name, email=email)


class FixedAuthenticator:
    def __init__(self) -> None:
        self.principal: Principal = ANONYMOUS

    def authenticate(self, authorization: str | None) -> Principal:
        return self.principal


def test_recording_gives_user_ids_and_remembers_users(database: Database) -> None:
    inner = FixedAuthenticator()
    users = CountingUsers(database)
    recording = UserRecordingAuthenticator(inner, users, cache_size=1)
    assert recording.authenticate(None) is ANONYMOUS
    assert users.calls == 0
    alice = Principal(subject="alice", issuer="https://idp", method=AuthMethod.OIDC, name="A")
    inner.principal = alice
    first = recording.authenticate("Bearer x")
    assert first.user_id is not None
    assert recording.authenticate("Bearer x").user_id == first.user_id
    assert users.calls == 1  # the second time came from memory
    inner.principal = Principal(
        subject="alice", issuer="https://idp", method=AuthMethod.OIDC, name="Alice"
    )
    assert recording.authenticate("Bearer x").user_id == first.user_id
    assert users.calls == 2  # a new name is written through
    stored = users.find(subject="alice", issuer="https://idp")
    assert stored is not None and stored.name == "Alice"
    inner.principal = Principal(subject="bob", issuer="https://idp", method=AuthMethod.OIDC)
    recording.authenticate("Bearer y")
    assert len(recording._known) == 1  # bounded


def test_factory_builds_each_mode(database: Database) -> None:
    local = build_authenticator(AuthConfig(mode=AuthMode.LOCAL), database=database)
    assert local.authenticate(None).user_id is not None
    assert isinstance(
        build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database),
        TokenAuthenticator,
    )
    options = OidcOptions(issuer="https://idp.example.org/realms/x", audience="account")
    oidc = build_authenticator(AuthConfig(mode=AuthMode.OIDC, oidc=options), database=database)
    assert isinstance(oidc, UserRecordingAuthenticator)
    assert isinstance(oidc.inner, OidcAuthenticator)
    assert oidc.authenticate(None) is ANONYMOUS  # no network without a token


def test_factory_without_a_database() -> None:
    assert isinstance(build_authenticator(AuthConfig(), database=None), LocalAuthenticator)
    with pytest.raises(ConfigError, match="token"):
        build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=None)
    with pytest.raises(ConfigError, match="OIDC_ISSUER"):
        build_authenticator(AuthConfig(mode=AuthMode.OIDC), database=None)


class _ThreadRecorder:
    """An authenticator that notes the thread it ran in."""

    def __init__(self) -> None:
        self.thread: int | None = None

    def authenticate(self, authorization: str | None) -> Principal:
        self.thread = threading.get_ident()
        return Principal(subject=authorization or "", issuer="i", method=AuthMethod.TOKEN)


def test_authenticate_off_loop_keeps_io_off_the_event_loop_but_not_local_mode() -> None:
    async def main() -> tuple[int, Principal, Principal, int | None]:
        recorder = _ThreadRecorder()
        checked = await authenticate_off_loop(recorder, "alice")
        local = await authenticate_off_loop(LocalAuthenticator(), "ignored")
        return threading.get_ident(), checked, local, recorder.thread

    loop_thread, checked, local, worker_thread = asyncio.run(main())
    assert checked.subject == "alice"
    assert worker_thread is not None and worker_thread != loop_thread
    assert (local.subject, local.method) == ("local", AuthMethod.LOCAL)
