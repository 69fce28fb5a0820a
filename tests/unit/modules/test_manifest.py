"""The manifest refuses what would break URLs, imports or the contract."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from seascope.modules import ModuleManifest

BASE: dict[str, Any] = {
    "name": "diatom-classifier",
    "version": "1.0.0",
    "title": "Diatoms",
    "summary": "Classifies diatoms.",
    "task": "image-classification",
    "entry": "diatoms.module:DiatomClassifier",
}


def test_minimal_manifest_defaults() -> None:
    manifest = ModuleManifest(**BASE)
    assert manifest.capabilities == frozenset({"predict"})
    assert "image/jpeg" in manifest.input_media_types
    assert manifest.license == "Apache-2.0"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Has Spaces"),
        ("name", "../escape"),
        ("name", ""),
        ("entry", "no_colon_here"),
        ("entry", "pkg.mod:not-an-identifier"),
        ("task", "astrology"),
        ("capabilities", frozenset({"train"})),
        ("unknown_field", 1),
    ],
)
def test_invalid_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        ModuleManifest(**{**BASE, field: value})


def test_manifest_is_frozen() -> None:
    manifest = ModuleManifest(**BASE)
    with pytest.raises(ValidationError):
        manifest.name = "other"  # type: ignore[misc]
