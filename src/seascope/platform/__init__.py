"""The platform layer: database (SQLAlchemy 2 + Alembic), users, API tokens, OIDC.

Everything here is built by a composition root (the app factory, a CLI command) and
passed down; nothing happens at import. No web framework is imported: the HTTP side calls
:meth:`Authenticator.authenticate` with the ``Authorization`` header and maps the errors.

Typical wiring::

    database = Database(url)
    upgrade_database(database)
    authenticator = build_authenticator(AuthConfig(mode=AuthMode.TOKEN), database=database)
    principal = authenticator.authenticate(request_headers.get("authorization"))
"""

from seascope.platform.access import (
    Owned,
    owned_or_not_found,
    owner_key,
    require_level,
    require_user,
)
from seascope.platform.api_tokens import (
    TOKEN_PREFIX,
    IssuedToken,
    TokenInfo,
    TokenOwner,
    TokenState,
    TokenStore,
)
from seascope.platform.auth_config import AuthConfig, AuthMode, build_authenticator
from seascope.platform.authenticators import (
    Authenticator,
    LocalAuthenticator,
    TokenAuthenticator,
    UserRecordingAuthenticator,
    authenticate_off_loop,
    bearer_credential,
)
from seascope.platform.bind import check_bind_allowed, is_loopback_host
from seascope.platform.claims import (
    DEFAULT_GROUPS_CLAIMS,
    ClaimsMapper,
    CombinedClaimsMapper,
    EntitlementsMapper,
    GroupsClaimMapper,
    KeycloakRolesMapper,
    claims_mapper_from_spec,
)
from seascope.platform.database import Database, default_database_url, redact_database_url
from seascope.platform.errors import (
    AuthError,
    AuthFailure,
    AuthUnavailable,
    DatabaseError,
    Forbidden,
    ResourceNotFound,
)
from seascope.platform.jwks import JwksCache
from seascope.platform.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from seascope.platform.oidc import DEFAULT_ALGORITHMS, OidcAuthenticator, OidcOptions
from seascope.platform.principal import ANONYMOUS, AccessLevel, AuthMethod, Principal
from seascope.platform.tables import ApiToken, Base, Deployment, DeploymentStatus, Try, User
from seascope.platform.timestamps import utc_now
from seascope.platform.users import LOCAL_ISSUER, UserStore

__all__ = [
    "ANONYMOUS",
    "DEFAULT_ALGORITHMS",
    "DEFAULT_GROUPS_CLAIMS",
    "LOCAL_ISSUER",
    "TOKEN_PREFIX",
    "AccessLevel",
    "ApiToken",
    "AuthConfig",
    "AuthError",
    "AuthFailure",
    "AuthMethod",
    "AuthMode",
    "AuthUnavailable",
    "Authenticator",
    "Base",
    "ClaimsMapper",
    "CombinedClaimsMapper",
    "Database",
    "DatabaseError",
    "Deployment",
    "DeploymentStatus",
    "EntitlementsMapper",
    "Forbidden",
    "GroupsClaimMapper",
    "IssuedToken",
    "JwksCache",
    "KeycloakRolesMapper",
    "LocalAuthenticator",
    "OidcAuthenticator",
    "OidcOptions",
    "Owned",
    "Principal",
    "ResourceNotFound",
    "TokenAuthenticator",
    "TokenInfo",
    "TokenOwner",
    "TokenState",
    "TokenStore",
    "Try",
    "User",
    "UserRecordingAuthenticator",
    "UserStore",
    "authenticate_off_loop",
    "bearer_credential",
    "build_authenticator",
    "check_bind_allowed",
    "claims_mapper_from_spec",
    "current_revision",
    "default_database_url",
    "downgrade_database",
    "head_revision",
    "is_loopback_host",
    "owned_or_not_found",
    "owner_key",
    "redact_database_url",
    "require_level",
    "require_user",
    "upgrade_database",
    "utc_now",
]
