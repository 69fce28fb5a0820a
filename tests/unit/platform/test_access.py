"""Access checks: sign-in, levels (403, never 500), ownership (404, never 403)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from seascope.platform import (
    ANONYMOUS,
    AccessLevel,
    AuthError,
    AuthFailure,
    AuthMethod,
    Forbidden,
    Principal,
    ResourceNotFound,
    owned_or_not_found,
    require_level,
    require_user,
)


@dataclass
class Record:
    owner_id: int


ALICE = Principal(
    subject="alice",
    issuer="https://idp",
    method=AuthMethod.OIDC,
    groups={"vo.a": AccessLevel.BASIC},
    user_id=1,
)
BOB = Principal(subject="bob", issuer="https://idp", method=AuthMethod.OIDC, user_id=2)


def test_require_user_refuses_anonymous_with_a_challenge() -> None:
    assert require_user(ALICE) is ALICE
    with pytest.raises(AuthError) as caught:
        require_user(ANONYMOUS)
    assert caught.value.reason is AuthFailure.MISSING
    assert caught.value.www_authenticate == 'Bearer realm="seascope"'


def test_require_level_says_what_is_missing() -> None:
    assert require_level(ALICE, "vo.a", AccessLevel.TRY) is ALICE
    with pytest.raises(Forbidden, match=r"needs access level ap-u in VO 'vo.a'; you have ap-b"):
        require_level(ALICE, "vo.a", AccessLevel.USER)
    with pytest.raises(Forbidden, match="you are not a member"):
        require_level(ALICE, "vo.b", AccessLevel.TRY)


def test_a_user_without_roles_gets_forbidden_not_a_crash() -> None:
    with pytest.raises(Forbidden):
        require_level(BOB, "vo.ai4eosc.eu", AccessLevel.TRY)


def test_require_level_asks_anonymous_to_sign_in() -> None:
    with pytest.raises(AuthError):
        require_level(ANONYMOUS, "vo.a", AccessLevel.TRY)


def test_owners_get_their_records() -> None:
    record = Record(owner_id=1)
    assert owned_or_not_found(record, ALICE, kind="deployment", ident="d1") is record


def test_others_records_look_exactly_like_missing_ones() -> None:
    with pytest.raises(ResourceNotFound) as others:
        owned_or_not_found(Record(owner_id=1), BOB, kind="deployment", ident="d1")
    with pytest.raises(ResourceNotFound) as missing:
        owned_or_not_found(None, BOB, kind="deployment", ident="d1")
    assert others.value.message == missing.value.message == "no deployment 'd1'"


def test_callers_without_a_user_row_own_nothing() -> None:
    unrecorded = Principal(subject="alice", issuer="https://idp", method=AuthMethod.OIDC)
    with pytest.raises(ResourceNotFound):
        owned_or_not_found(Record(owner_id=1), unrecorded, kind="try", ident=1)
    with pytest.raises(ResourceNotFound):
        owned_or_not_found(Record(owner_id=1), ANONYMOUS, kind="try", ident=1)
