"""Errors of the platform layer; they live in the one tree of :mod:`seascope.errors`."""

from seascope.errors import (
    AuthError,
    AuthFailure,
    AuthUnavailable,
    DatabaseError,
    Forbidden,
    ResourceNotFound,
)

__all__ = [
    "AuthError",
    "AuthFailure",
    "AuthUnavailable",
    "DatabaseError",
    "Forbidden",
    "ResourceNotFound",
]
