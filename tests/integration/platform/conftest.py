"""Fixtures of the platform integration tests: a real OIDC issuer, and the databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.integration.platform.oidc_issuer import Issuer, PrivateKey, generate_keys, serve
from tests.unit.platform.databases import database, database_url, postgres_server

__all__ = ["database", "database_url", "issuer", "keys", "postgres_server"]


@pytest.fixture(scope="session")
def keys() -> dict[str, PrivateKey]:
    """Private keys by kid: two RSA keys (one for rotation), one EC P-256 key, one stranger."""
    return generate_keys()


@pytest.fixture
def issuer(keys: dict[str, PrivateKey]) -> Iterator[Issuer]:
    """A running issuer on loopback, fresh for each test."""
    with serve(keys) as running:
        yield running
