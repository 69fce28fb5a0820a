"""Local mode (no login) never listens beyond loopback unless forced."""

from __future__ import annotations

import pytest

from seascope.errors import ConfigError
from seascope.platform import check_bind_allowed, is_loopback_host

LOOPBACK = ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST", " localhost "]
REMOTE = ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "example.org", "[fe80::1]", "::ffff:1"]


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)
    check_bind_allowed("local", host)


@pytest.mark.parametrize("host", REMOTE)
def test_local_mode_refuses_other_addresses(host: str) -> None:
    assert not is_loopback_host(host)
    with pytest.raises(ConfigError, match="auth mode 'local' has no login"):
        check_bind_allowed("local", host)


@pytest.mark.parametrize("host", REMOTE)
def test_forcing_or_a_real_auth_mode_allows_any_address(host: str) -> None:
    check_bind_allowed("local", host, force=True)
    check_bind_allowed("token", host)
    check_bind_allowed("oidc", host)
