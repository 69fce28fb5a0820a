"""The platform's errors: part of the one tree, drawn in the docstring, safe headers."""

from __future__ import annotations

import inspect

import seascope.errors as errors
from seascope.errors import SeascopeError
from seascope.platform import AuthError, AuthFailure


def test_every_error_is_a_seascope_error_drawn_in_the_docstring() -> None:
    doc = inspect.getdoc(errors) or ""
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, SeascopeError), name
            assert name in doc, name


def test_www_authenticate_follows_rfc_6750() -> None:
    expired = AuthError('token "x" expired', reason=AuthFailure.EXPIRED)
    assert expired.www_authenticate == (
        'Bearer realm="seascope", error="invalid_token", error_description="token \'x\' expired"'
    )
    assert 'error="invalid_request"' in AuthError("bad header").www_authenticate
    assert AuthError("sign in", reason=AuthFailure.MISSING).www_authenticate == (
        'Bearer realm="seascope"'
    )
