"""Discovery never crashes; loading checks the contract and explains failures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from seascope.errors import ManifestInvalid, ModuleLoadFailed, ModuleNotFound
from seascope.modules import ModuleRegistry
from seascope.types import ImageInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "seascope_modules"


@pytest.fixture
def registry() -> Iterator[ModuleRegistry]:
    sys.path.insert(0, str(FIXTURES))
    try:
        yield ModuleRegistry.from_entry_points("seascope.modules.test")
    finally:
        sys.path.remove(str(FIXTURES))
        for name in [m for m in sys.modules if m.startswith("broken_plugins")]:
            del sys.modules[name]


def test_good_modules_are_found_and_broken_ones_reported(registry: ModuleRegistry) -> None:
    assert registry.names() == [
        "echo",
        "echo-factory",
        "failing-setup",
        "lazy-trainer",
        "missing-import",
        "not-a-module",
    ]
    problems = {p.source.split(" ")[0]: p.message for p in registry.problems}
    assert set(problems) == {"dict-manifest", "exploding", "renamed", "absent"}
    assert "not a seascope.modules.ModuleManifest" in problems["dict-manifest"]
    assert "plugin exploded" in problems["exploding"]
    assert "differs from manifest name 'echo'" in problems["renamed"]
    assert "ModuleNotFoundError" in problems["absent"]
    assert "(broken-plugins 0.1)" in registry.problems[0].source


def test_unknown_name_suggests_close_ones(registry: ModuleRegistry) -> None:
    with pytest.raises(ModuleNotFound, match="did you mean 'echo'"):
        registry.get("ecko")


def test_create_runs_setup_and_predicts(registry: ModuleRegistry) -> None:
    module = registry.create("echo")
    image = ImageInput(name="a", array=np.zeros((4, 4, 3), np.uint8))
    assert [p.input for p in module.predict([image], module.predict_params())] == ["a"]


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("lazy-trainer", ManifestInvalid, "declares 'train' but does not implement train()"),
        ("not-a-module", ManifestInvalid, "not a seascope.modules.ModelModule subclass"),
        ("missing-import", ModuleLoadFailed, "cannot import broken_plugins.nowhere:Thing"),
        ("failing-setup", ModuleLoadFailed, "setup failed: OSError: weights file is corrupt"),
    ],
)
def test_load_failures_are_explained(
    registry: ModuleRegistry, name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.create(name)


def test_duplicates_and_only(registry: ModuleRegistry) -> None:
    echo = registry.get("echo")
    doubled = ModuleRegistry([echo, echo])
    assert doubled.names() == ["echo"]
    assert "duplicate module name" in doubled.problems[0].message
    assert registry.only(["echo"]).names() == ["echo"]
    with pytest.raises(ModuleNotFound):
        registry.only(["nope"])


def test_installed_reference_module_is_discovered() -> None:
    registry = ModuleRegistry.from_entry_points()
    assert "reference" in registry.names()
    assert registry.problems == []
