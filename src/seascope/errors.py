"""The one exception tree of seascope.

Every error seascope raises on purpose is a :class:`SeascopeError`. Transports map the
tree at their edge only: ``seascope.api.errors`` to HTTP statuses, ``seascope.cli`` to
exit codes. Foreign exceptions are translated where they enter (``raise ... from exc``)::

    SeascopeError
    ├── ConfigError                  settings or command-line options that cannot work
    ├── ModuleError
    │   ├── ModuleNotFound           no installed module of that name
    │   ├── ManifestInvalid          a module's manifest breaks the contract
    │   └── ModuleLoadFailed         importing or setting up a module failed
    ├── CapabilityNotSupported       the module does not implement train/embed/export
    ├── InvalidInput                 the caller sent something unusable
    │   ├── InvalidParameters        parameters fail validation (carries field errors)
    │   ├── UnsupportedMediaType     not an image, or a format seascope cannot decode
    │   ├── ImageTooLarge            more pixels than the configured limit (image bombs)
    │   └── PayloadTooLarge          a request or file above the upload limit
    ├── ModuleFailed                 the module's own code raised while working
    ├── Overloaded                   too much work queued; retry later
    ├── JobError
    │   ├── JobNotFound              no training job with that id (for this user)
    │   └── JobStateError            the job cannot do that in its current state
    ├── DatasetError                 a dataset cannot be read or is unusable
    ├── TrackingError                the experiment tracker failed or cannot be reached
    ├── AuthError                    no usable credentials: bad, expired or revoked token
    ├── AuthUnavailable              the identity provider (discovery, JWKS) cannot be reached
    ├── Forbidden                    signed in, but without the access level that is needed
    ├── ResourceNotFound             no such record, or one the caller may not see
    ├── LimitReached                 a per-user limit is reached (concurrent tries ...)
    ├── TryEnded                     the try-it session has ended (time is up or stopped)
    └── DatabaseError                the platform database cannot be reached or migrated

Messages never contain a token or a secret, so they are safe to log and to send back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

__all__ = [
    "AuthError",
    "AuthFailure",
    "AuthUnavailable",
    "DatabaseError",
    "Forbidden",
    "ResourceNotFound",
    "CapabilityNotSupported",
    "ConfigError",
    "DatasetError",
    "ImageTooLarge",
    "InvalidInput",
    "InvalidParameters",
    "JobError",
    "JobNotFound",
    "JobStateError",
    "LimitReached",
    "ManifestInvalid",
    "ModuleError",
    "ModuleFailed",
    "ModuleLoadFailed",
    "ModuleNotFound",
    "Overloaded",
    "PayloadTooLarge",
    "SeascopeError",
    "TrackingError",
    "TryEnded",
    "UnsupportedMediaType",
]


class SeascopeError(Exception):
    """Base class of every error seascope raises on purpose."""

    @property
    def message(self) -> str:
        """The human-readable message (the first argument)."""
        return str(self.args[0]) if self.args else type(self).__name__


class ConfigError(SeascopeError):
    """Settings or options that cannot work together."""


class ModuleError(SeascopeError):
    """A model module cannot be found, described or loaded."""


class ModuleNotFound(ModuleError):  # noqa: N818 - reads as a sentence, like httpx's names
    """No installed module has that name."""


class ManifestInvalid(ModuleError):  # noqa: N818
    """A module's manifest or class breaks the module contract."""


class ModuleLoadFailed(ModuleError):  # noqa: N818
    """Importing a module or running its ``setup`` failed."""


class CapabilityNotSupported(SeascopeError):  # noqa: N818
    """The module does not implement the requested capability (train, embed, export)."""


class InvalidInput(SeascopeError):  # noqa: N818
    """The caller sent something the module cannot use."""


class InvalidParameters(InvalidInput):  # noqa: N818
    """Parameters failed validation.

    Args:
        message: Summary for humans.
        fields: Field name to the list of messages about it (DEEPaaS's 422 body shape).
    """

    def __init__(self, message: str, fields: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}


class UnsupportedMediaType(InvalidInput):  # noqa: N818
    """The input is not an image, or not in a format seascope can decode."""


class ImageTooLarge(InvalidInput):  # noqa: N818
    """The image has more pixels than allowed (protects against decompression bombs)."""


class PayloadTooLarge(InvalidInput):  # noqa: N818
    """A request body or file is larger than the upload limit."""


class ModuleFailed(SeascopeError):  # noqa: N818
    """The module's own code raised while predicting or training.

    Args:
        message: The module's message.
        status: An HTTP status the module asked for (DEEPaaS modules raise
            ``aiohttp.web.HTTPException`` subclasses), or ``None``.
        error_type: The class name of the module's exception.
    """

    def __init__(self, message: str, *, status: int | None = None, error_type: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type


class Overloaded(SeascopeError):  # noqa: N818
    """Too much work is queued; the caller should retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobError(SeascopeError):
    """A background job cannot be found or acted on."""


class JobNotFound(JobError):  # noqa: N818
    """No job with that id (or not one the caller may see)."""


class JobStateError(JobError):
    """The job cannot do that in its current state."""


class DatasetError(SeascopeError):
    """A dataset cannot be read or is unusable."""


class TrackingError(SeascopeError):
    """The experiment tracker (MLflow) failed or cannot be reached."""


_REALM = "seascope"


class AuthFailure(StrEnum):
    """Why credentials were refused (stable codes for tests, logs and metrics)."""

    MISSING = "missing"
    """No credentials, where a signed-in user is needed."""
    MALFORMED = "malformed"
    """The header or the token cannot be parsed."""
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    """An ``Authorization`` scheme other than ``Bearer``."""
    DISALLOWED_ALGORITHM = "disallowed_algorithm"
    """The token's ``alg`` is not in the allow-list (``none``, ``HS256`` ...)."""
    UNKNOWN_KEY = "unknown_key"
    """The token's ``kid`` is not in the issuer's key set, even after a refresh."""
    BAD_SIGNATURE = "bad_signature"
    """The signature does not verify with the issuer's key."""
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"
    UNKNOWN_TOKEN = "unknown_token"
    """An API token that does not exist or whose secret does not match."""
    REVOKED = "revoked"


class AuthError(SeascopeError):
    """The request carries no usable credentials (HTTP 401).

    Args:
        message: What is wrong, for humans (never contains the token).
        reason: A stable code saying why.

    Example:
        >>> error = AuthError("token expired", reason=AuthFailure.EXPIRED)
        >>> error.www_authenticate
        'Bearer realm="seascope", error="invalid_token", error_description="token expired"'
    """

    def __init__(self, message: str, *, reason: AuthFailure = AuthFailure.MALFORMED) -> None:
        super().__init__(message)
        self.reason = reason

    @property
    def www_authenticate(self) -> str:
        """The ``WWW-Authenticate`` header value of the 401 answer (RFC 6750 section 3)."""
        if self.reason is AuthFailure.MISSING:
            return f'Bearer realm="{_REALM}"'
        error = (
            "invalid_request"
            if self.reason in (AuthFailure.MALFORMED, AuthFailure.UNSUPPORTED_SCHEME)
            else "invalid_token"
        )
        description = self.message.replace("\\", "\\\\").replace('"', "'")
        return f'Bearer realm="{_REALM}", error="{error}", error_description="{description}"'


class AuthUnavailable(SeascopeError):  # noqa: N818 - reads as a sentence, like the others
    """The identity provider cannot be reached or answers nonsense (HTTP 503)."""


class Forbidden(SeascopeError):  # noqa: N818
    """The caller is signed in but lacks the access level needed (HTTP 403)."""


class ResourceNotFound(SeascopeError):  # noqa: N818
    """No such record, or one that belongs to someone else (HTTP 404, never 403)."""


class LimitReached(SeascopeError):  # noqa: N818 - reads as a sentence, like the others
    """A per-user limit is reached (HTTP 429); retry after ``retry_after`` seconds.

    Example:
        >>> LimitReached("you already have 2 active tries", retry_after=61.5).retry_after
        61.5
    """

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TryEnded(SeascopeError):  # noqa: N818
    """The try-it session has ended: its time is up or it was stopped (HTTP 410)."""


class DatabaseError(SeascopeError):
    """The platform database cannot be reached, opened or migrated."""
