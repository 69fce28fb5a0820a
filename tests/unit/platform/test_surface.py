"""The public surface of seascope.platform, its docstring examples, and its import cost."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import seascope.platform as platform

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(platform.__path__, "seascope.platform.")
    if ".migrations" not in name
)


SURFACE = {
    # values and value objects
    "ANONYMOUS", "DEFAULT_ALGORITHMS", "DEFAULT_GROUPS_CLAIMS", "LOCAL_ISSUER", "TOKEN_PREFIX",
    "AccessLevel", "AuthMethod", "AuthMode", "DeploymentStatus", "Principal",
    # errors
    "AuthError", "AuthFailure", "AuthUnavailable", "DatabaseError", "Forbidden",
    "ResourceNotFound",
    # database
    "Base", "User", "ApiToken", "Deployment", "Try", "Database", "current_revision",
    "default_database_url", "downgrade_database", "head_revision", "redact_database_url",
    "upgrade_database", "utc_now", "UserStore",
    # tokens
    "IssuedToken", "TokenInfo", "TokenOwner", "TokenState", "TokenStore",
    # authentication
    "AuthConfig", "Authenticator", "LocalAuthenticator", "TokenAuthenticator",
    "OidcAuthenticator", "OidcOptions", "JwksCache", "UserRecordingAuthenticator",
    "authenticate_off_loop", "bearer_credential", "build_authenticator",
    "check_bind_allowed", "is_loopback_host",
    # claims and access
    "ClaimsMapper", "CombinedClaimsMapper", "EntitlementsMapper", "GroupsClaimMapper",
    "KeycloakRolesMapper", "claims_mapper_from_spec", "Owned", "owned_or_not_found", "owner_key",
    "require_level", "require_user",
}  # fmt: skip


def test_the_surface_is_pinned() -> None:
    assert set(platform.__all__) == SURFACE
    for name in platform.__all__:
        assert hasattr(platform, name), name


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_its_surface(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(getattr(module, "__all__", None), list), name


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, name


def test_the_platform_imports_no_web_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, seascope.platform; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'torch', 'mlflow', 'httpx')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
