"""The error tree: one root, the documented branches, useful attributes."""

from __future__ import annotations

import inspect

import seascope.errors as errors

ERROR_NAMES = [
    name
    for name in errors.__all__
    if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), Exception)
]


def test_every_public_error_descends_from_the_root() -> None:
    assert len(ERROR_NAMES) >= 20
    for name in ERROR_NAMES:
        assert issubclass(getattr(errors, name), errors.SeascopeError), name


def test_the_docstring_draws_every_class() -> None:
    doc = inspect.getdoc(errors) or ""
    for name in ERROR_NAMES:
        assert name in doc, f"{name} missing from the tree in errors.py's docstring"


def test_invalid_parameters_keeps_field_messages() -> None:
    exc = errors.InvalidParameters("bad", {"top_k": ("too big",)})
    assert exc.fields == {"top_k": ["too big"]}
    assert exc.message == "bad"
    assert isinstance(exc, errors.InvalidInput)


def test_module_failed_and_overloaded_attributes() -> None:
    failed = errors.ModuleFailed("boom", status=400, error_type="HTTPBadRequest")
    assert (failed.status, failed.error_type, failed.message) == (400, "HTTPBadRequest", "boom")
    assert errors.Overloaded("busy", retry_after=2.5).retry_after == 2.5
    assert errors.SeascopeError().message == "SeascopeError"
