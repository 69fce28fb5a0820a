"""Catalog fixtures: the ai4-metadata files of tests/fixtures and a small module registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from seascope.catalog import Catalog
from seascope.modules import ModuleManifest, ModuleRegistry

AI4_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ai4_metadata"
PHYTO = AI4_FIXTURES / "phyto-plankton-classification.yml"


def manifests() -> list[ModuleManifest]:
    """Two installed modules: a numpy baseline and a timm (PyTorch) detector."""
    return [
        ModuleManifest(
            name="baseline",
            version="1.0.0",
            title="Baseline particle classifier",
            summary="Nearest centroid on shape features.",
            description="A numpy-only classifier for FlowCam and IFCB particles.",
            task="image-classification",
            entry="pkg.baseline:Baseline",
            capabilities=frozenset({"predict", "train"}),
            tags=("baseline", "numpy", "FlowCam", "IFCB"),
            citation="https://doi.org/10.5281/zenodo.1234567",
        ),
        ModuleManifest(
            name="fish-detector",
            version="0.3.0",
            title="Fish detector",
            summary="Finds fish in underwater video frames.",
            task="object-detection",
            entry="pkg.fish:FishDetector",
            license="MIT",
            tags=("fish", "timm", "video-frames"),
            homepage="https://github.com/example/fish-detector",
            citation="Doe J. (2025) Counting fish. Journal of Fish 1:1.",
        ),
    ]


@pytest.fixture
def registry() -> ModuleRegistry:
    return ModuleRegistry(manifests())


@pytest.fixture
def catalog(registry: ModuleRegistry, tmp_path: Path) -> Catalog:
    return Catalog.open(registry=registry, folder=tmp_path / "catalog")
