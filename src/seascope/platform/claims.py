"""From token claims to VO memberships: Keycloak roles, EGI entitlements, plain groups.

A mapper reads one claim and never fails: a claim that is missing or shaped differently
than expected yields no memberships (an unprivileged user), never an error. This avoids
ai4-papi's "user without roles gets a 500".

The spec string (``SEASCOPE_OIDC_GROUPS_CLAIMS``) lists ``kind:claim.path`` entries::

    keycloak:realm_access.roles        access:<vo>:<level>          (AI4OS Keycloak)
    egi:eduperson_entitlement          urn:mace:egi.eu:group:<vo>...  (EGI Check-in, AARC-G002)
    groups:groups                      <vo> or /<vo>                (a plain list of names)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from seascope.errors import ConfigError
from seascope.platform.principal import AccessLevel

__all__ = [
    "DEFAULT_GROUPS_CLAIMS",
    "ClaimsMapper",
    "CombinedClaimsMapper",
    "EntitlementsMapper",
    "GroupsClaimMapper",
    "KeycloakRolesMapper",
    "claims_mapper_from_spec",
]

DEFAULT_GROUPS_CLAIMS = "keycloak:realm_access.roles,egi:eduperson_entitlement"

_log = logging.getLogger("seascope.platform.claims")


class ClaimsMapper(Protocol):
    """Reads VO memberships from verified token claims."""

    def groups(self, claims: Mapping[str, object]) -> dict[str, AccessLevel]:
        """VO name to the highest access level the claims grant in it."""
        ...


def _strings_at(claims: Mapping[str, object], path: str) -> Iterator[str]:
    """The strings found at dotted ``path`` (a string or a list of them); nothing else."""
    value: object = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return
        value = value.get(part)
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        yield from (item for item in value if isinstance(item, str))


def _grant(groups: dict[str, AccessLevel], vo: str, level: AccessLevel) -> None:
    held = groups.get(vo)
    if held is None or level.rank > held.rank:
        groups[vo] = level


@dataclass(frozen=True)
class KeycloakRolesMapper:
    """AI4OS roles ``access:<vo>:<level>`` (Keycloak ``realm_access.roles``).

    Example:
        >>> claims = {"realm_access": {"roles": ["access:vo.ai4eosc.eu:ap-u", "offline"]}}
        >>> KeycloakRolesMapper().groups(claims)
        {'vo.ai4eosc.eu': <AccessLevel.USER: 'ap-u'>}
    """

    claim: str = "realm_access.roles"
    prefix: str = "access"

    def groups(self, claims: Mapping[str, object]) -> dict[str, AccessLevel]:
        """VO name to the highest level among the ``access:`` roles."""
        found: dict[str, AccessLevel] = {}
        for role in _strings_at(claims, self.claim):
            head, _, rest = role.partition(":")
            vo, _, level_name = rest.rpartition(":")
            level = AccessLevel.parse(level_name)
            if head != self.prefix or not vo or level is None:
                continue
            _grant(found, vo, level)
        return found


@dataclass(frozen=True)
class EntitlementsMapper:
    """EGI Check-in ``eduperson_entitlement`` URNs (AARC-G002).

    ``urn:mace:egi.eu:group:<vo>[:<subgroup>...][:role=<role>]#aai.egi.eu`` makes the user a
    member of ``<vo>`` at ``member_level`` (EGI has no levels; membership is full use).

    Example:
        >>> claims = {"eduperson_entitlement": [
        ...     "urn:mace:egi.eu:group:vo.imagine-ai.eu:role=member#aai.egi.eu"]}
        >>> EntitlementsMapper().groups(claims)
        {'vo.imagine-ai.eu': <AccessLevel.USER: 'ap-u'>}
    """

    claim: str = "eduperson_entitlement"
    namespace: str = "urn:mace:egi.eu"
    authority: str = "aai.egi.eu"
    member_level: AccessLevel = AccessLevel.USER

    def groups(self, claims: Mapping[str, object]) -> dict[str, AccessLevel]:
        """VO name to ``member_level`` for each group entitlement of the namespace."""
        pattern = re.compile(
            rf"^{re.escape(self.namespace)}:group:(?P<vo>[^:#]+)(?::[^#]*)?"
            rf"#{re.escape(self.authority)}$"
        )
        found: dict[str, AccessLevel] = {}
        for entitlement in _strings_at(claims, self.claim):
            match = pattern.match(entitlement)
            if match:
                _grant(found, match["vo"], self.member_level)
        return found


@dataclass(frozen=True)
class GroupsClaimMapper:
    """A plain list of group names (``groups``); Keycloak's ``/parent/child`` paths give
    ``parent``.

    Example:
        >>> GroupsClaimMapper().groups({"groups": ["/vo.ai4life.eu/admins", "plankton"]})
        {'vo.ai4life.eu': <AccessLevel.USER: 'ap-u'>, 'plankton': <AccessLevel.USER: 'ap-u'>}
    """

    claim: str = "groups"
    member_level: AccessLevel = AccessLevel.USER

    def groups(self, claims: Mapping[str, object]) -> dict[str, AccessLevel]:
        """Each group name (its top-level part) to ``member_level``."""
        found: dict[str, AccessLevel] = {}
        for name in _strings_at(claims, self.claim):
            vo = name.strip("/").split("/", 1)[0]
            if vo:
                _grant(found, vo, self.member_level)
        return found


@dataclass(frozen=True)
class CombinedClaimsMapper:
    """Several mappers at once; a VO named by more than one gets the highest level."""

    mappers: Sequence[ClaimsMapper]

    def groups(self, claims: Mapping[str, object]) -> dict[str, AccessLevel]:
        """The union of every mapper's memberships."""
        found: dict[str, AccessLevel] = {}
        for mapper in self.mappers:
            for vo, level in mapper.groups(claims).items():
                _grant(found, vo, level)
        if not found:
            _log.debug("token grants no VO membership: an unprivileged user")
        return found


def claims_mapper_from_spec(spec: str) -> CombinedClaimsMapper:
    """Build the mapper described by ``spec`` (see the module docstring).

    Raises:
        ConfigError: an entry has an unknown kind or no claim path.

    Example:
        >>> mapper = claims_mapper_from_spec("keycloak:realm_access.roles,groups:groups")
        >>> mapper.groups({"groups": ["vo.x"], "realm_access": {"roles": ["access:vo.x:ap-d"]}})
        {'vo.x': <AccessLevel.DEVELOPER: 'ap-d'>}
    """
    mappers: list[ClaimsMapper] = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        kind, _, claim = entry.partition(":")
        claim = claim.strip()
        if not claim:
            raise ConfigError(f"groups claims entry {entry!r} needs the form kind:claim.path")
        match kind.strip():
            case "keycloak":
                mappers.append(KeycloakRolesMapper(claim=claim))
            case "egi":
                mappers.append(EntitlementsMapper(claim=claim))
            case "groups":
                mappers.append(GroupsClaimMapper(claim=claim))
            case other:
                raise ConfigError(
                    f"unknown groups claims kind {other!r} in {entry!r} "
                    "(use keycloak:, egi: or groups:)"
                )
    return CombinedClaimsMapper(tuple(mappers))
