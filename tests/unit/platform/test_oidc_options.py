"""OIDC settings that would weaken the checks are refused at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from seascope.errors import ConfigError
from seascope.platform import OidcOptions

ISSUER = "https://login.example.org/realms/ai4eosc"


def test_defaults_are_public_key_algorithms() -> None:
    options = OidcOptions(issuer=ISSUER, audience="account")
    assert options.algorithms == ("RS256", "ES256")
    assert OidcOptions(issuer=ISSUER, audience="a", algorithms=["PS256"]).algorithms == ("PS256",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": ""}, "OIDC_ISSUER"),
        ({"audience": ""}, "OIDC_AUDIENCE"),
        ({"algorithms": ["HS256"]}, "cannot be allowed"),
        ({"algorithms": ["RS256", "none"]}, "cannot be allowed"),
        ({"algorithms": []}, "cannot be allowed"),
        ({"issuer": "http://login.example.org/realms/x"}, "plain http"),
        ({"jwks_url": "http://10.0.0.1/certs"}, "plain http"),
        ({"jwks_url": "file:///etc/passwd"}, "https://"),
        ({"issuer": "login.example.org"}, "https://"),
        ({"leeway": -1}, "negative"),
    ],
)
def test_weak_or_incomplete_settings_are_config_errors(
    changes: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {"issuer": ISSUER, "audience": "account", **changes}
    with pytest.raises(ConfigError, match=message):
        OidcOptions(**values)


def test_plain_http_is_fine_on_loopback() -> None:
    OidcOptions(issuer="http://127.0.0.1:8080/realms/x", audience="a")
    OidcOptions(issuer="http://localhost:8080/realms/x", audience="a")
