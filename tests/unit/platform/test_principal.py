"""Principal and access levels: order, membership checks, immutability."""

from __future__ import annotations

import pytest

from seascope.platform import ANONYMOUS, AccessLevel, AuthMethod, Principal


def test_levels_follow_the_ai4os_order_not_the_alphabet() -> None:
    ordered = ["ap-a", "ap-a1", "ap-b", "ap-u", "ap-d"]
    assert [level.value for level in sorted(AccessLevel, key=lambda lv: lv.rank)] == ordered
    assert AccessLevel.DEVELOPER.at_least(AccessLevel.USER)
    assert not AccessLevel.USER.at_least(AccessLevel.DEVELOPER)  # "ap-u" > "ap-d" as text


def test_parse_returns_none_for_unknown_levels() -> None:
    assert AccessLevel.parse("ap-b") is AccessLevel.BASIC
    assert AccessLevel.parse("admin") is None


def oidc_user(**groups: AccessLevel) -> Principal:
    return Principal(subject="alice", issuer="https://idp", method=AuthMethod.OIDC, groups=groups)


def test_oidc_principal_passes_checks_only_in_its_vos_at_its_level() -> None:
    alice = oidc_user(vo_a=AccessLevel.BASIC)
    assert alice.has_level("vo_a", AccessLevel.TRY)
    assert alice.has_level("vo_a", AccessLevel.BASIC)
    assert not alice.has_level("vo_a", AccessLevel.USER)
    assert not alice.has_level("vo_b", AccessLevel.TRY)
    assert alice.level_in("vo_b") is None
    assert alice.vos == ("vo_a",)


def test_a_principal_without_groups_is_unprivileged_not_an_error() -> None:
    nobody = oidc_user()
    assert nobody.groups == {}
    assert not nobody.has_level("vo.ai4eosc.eu", AccessLevel.TRY)


@pytest.mark.parametrize("method", [AuthMethod.LOCAL, AuthMethod.TOKEN])
def test_local_and_token_users_have_no_vos_to_check(method: AuthMethod) -> None:
    user = Principal(subject="local", issuer="seascope", method=method)
    assert user.has_level("any-vo", AccessLevel.DEVELOPER)


def test_anonymous_passes_no_check() -> None:
    assert ANONYMOUS.is_anonymous
    assert not ANONYMOUS.has_level("vo", AccessLevel.TRY)
    assert ANONYMOUS.user_id is None


def test_groups_cannot_be_changed_after_construction() -> None:
    given = {"vo_a": AccessLevel.USER}
    alice = Principal(subject="a", issuer="i", method=AuthMethod.OIDC, groups=given)
    given["vo_b"] = AccessLevel.DEVELOPER
    assert "vo_b" not in alice.groups
    with pytest.raises(TypeError):
        alice.groups["vo_c"] = AccessLevel.USER  # type: ignore[index]


def test_with_user_id_keeps_everything_else() -> None:
    alice = oidc_user(vo_a=AccessLevel.USER)
    recorded = alice.with_user_id(7)
    assert recorded.user_id == 7
    assert (recorded.subject, recorded.groups) == (alice.subject, alice.groups)


def test_principals_can_be_hashed_and_compared() -> None:
    alice = oidc_user(vo_a=AccessLevel.USER)
    assert {alice: 1}[oidc_user(vo_a=AccessLevel.USER)] == 1
    assert alice != oidc_user()
