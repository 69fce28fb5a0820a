"""Claims to VO memberships: Keycloak roles, EGI entitlements, plain groups, junk."""

from __future__ import annotations

from typing import Any

import pytest

from seascope.errors import ConfigError
from seascope.platform import (
    AccessLevel,
    EntitlementsMapper,
    GroupsClaimMapper,
    KeycloakRolesMapper,
    claims_mapper_from_spec,
)
from seascope.platform.claims import DEFAULT_GROUPS_CLAIMS


def test_keycloak_roles_give_the_highest_level_per_vo() -> None:
    claims = {
        "realm_access": {
            "roles": [
                "access:vo.ai4eosc.eu:ap-a",
                "access:vo.ai4eosc.eu:ap-u",
                "access:vo.imagine-ai.eu:ap-a1",
                "offline_access",
                "access:vo.x:not-a-level",
                "other:vo.y:ap-d",
                "access::ap-d",
            ]
        }
    }
    assert KeycloakRolesMapper().groups(claims) == {
        "vo.ai4eosc.eu": AccessLevel.USER,
        "vo.imagine-ai.eu": AccessLevel.TRY_PLUS,
    }


@pytest.mark.parametrize(
    ("entitlement", "vo"),
    [
        ("urn:mace:egi.eu:group:vo.imagine-ai.eu:role=member#aai.egi.eu", "vo.imagine-ai.eu"),
        ("urn:mace:egi.eu:group:vo.ai4eosc.eu:role=vm_operator#aai.egi.eu", "vo.ai4eosc.eu"),
        ("urn:mace:egi.eu:group:vo.ai4life.eu:sub:group:role=member#aai.egi.eu", "vo.ai4life.eu"),
        ("urn:mace:egi.eu:group:plain.vo#aai.egi.eu", "plain.vo"),
    ],
)
def test_egi_entitlements_make_members(entitlement: str, vo: str) -> None:
    claims = {"eduperson_entitlement": [entitlement]}
    assert EntitlementsMapper().groups(claims) == {vo: AccessLevel.USER}


@pytest.mark.parametrize(
    "entitlement",
    [
        "urn:mace:egi.eu:group:vo.x:role=member#other.authority",
        "urn:mace:other.org:group:vo.x:role=member#aai.egi.eu",
        "urn:mace:egi.eu:res:vo.x#aai.egi.eu",
        "vo.x",
    ],
)
def test_foreign_entitlements_are_ignored(entitlement: str) -> None:
    assert EntitlementsMapper().groups({"eduperson_entitlement": [entitlement]}) == {}


def test_a_single_entitlement_string_is_read_too() -> None:
    claims = {"eduperson_entitlement": "urn:mace:egi.eu:group:vo.x:role=member#aai.egi.eu"}
    assert EntitlementsMapper().groups(claims) == {"vo.x": AccessLevel.USER}


def test_plain_groups_take_the_top_of_a_path() -> None:
    claims = {"groups": ["/vo.ai4life.eu/admins", "plankton", "/", ""]}
    assert GroupsClaimMapper().groups(claims) == {
        "vo.ai4life.eu": AccessLevel.USER,
        "plankton": AccessLevel.USER,
    }


JUNK: list[dict[str, Any]] = [
    {},
    {"realm_access": None},
    {"realm_access": "access:vo:ap-u"},
    {"realm_access": {"roles": None}},
    {"realm_access": {"roles": "not-a-role"}},
    {"realm_access": {"roles": [1, None, {"a": 1}, ["access:vo:ap-u"]]}},
    {"eduperson_entitlement": 42},
    {"eduperson_entitlement": [None, 3.5]},
    {"groups": {"vo": True}},
]


@pytest.mark.parametrize("claims", JUNK)
def test_missing_or_oddly_shaped_claims_give_no_groups_never_an_error(
    claims: dict[str, Any],
) -> None:
    assert claims_mapper_from_spec(DEFAULT_GROUPS_CLAIMS + ",groups:groups").groups(claims) == {}


def test_the_default_spec_reads_keycloak_and_egi_together() -> None:
    claims = {
        "realm_access": {"roles": ["access:vo.x:ap-a"]},
        "eduperson_entitlement": ["urn:mace:egi.eu:group:vo.x:role=member#aai.egi.eu"],
    }
    assert claims_mapper_from_spec(DEFAULT_GROUPS_CLAIMS).groups(claims) == {
        "vo.x": AccessLevel.USER
    }


def test_spec_claim_paths_are_configurable() -> None:
    mapper = claims_mapper_from_spec(" keycloak:resource_access.papi.roles , egi:entitlements ")
    claims = {
        "resource_access": {"papi": {"roles": ["access:vo.y:ap-d"]}},
        "entitlements": ["urn:mace:egi.eu:group:vo.z#aai.egi.eu"],
    }
    assert mapper.groups(claims) == {"vo.y": AccessLevel.DEVELOPER, "vo.z": AccessLevel.USER}
    assert claims_mapper_from_spec("").groups(claims) == {}


@pytest.mark.parametrize("spec", ["ldap:groups", "keycloak:", "keycloak"])
def test_bad_specs_are_config_errors(spec: str) -> None:
    with pytest.raises(ConfigError, match="groups claims"):
        claims_mapper_from_spec(spec)
