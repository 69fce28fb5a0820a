"""Entries of installed modules: the manifest mapped onto ai4-metadata's vocabularies."""

from __future__ import annotations

import pytest

from seascope.catalog import entry_from_manifest
from seascope.catalog.installed import TASKS_OF
from seascope.modules import ModuleManifest, ModuleRegistry
from tests.unit.catalog.conftest import manifests


def manifest(**changes: object) -> ModuleManifest:
    fields: dict[str, object] = {
        "name": "m",
        "version": "2.0",
        "title": "M",
        "summary": "S",
        "task": "image-classification",
        "entry": "pkg.m:M",
    }
    return ModuleManifest.model_validate({**fields, **changes})


def test_a_numpy_classifier() -> None:
    baseline = entry_from_manifest(manifests()[0])
    assert baseline.id == baseline.module == "baseline"
    assert baseline.source == "installed"
    assert baseline.is_installed
    assert baseline.version == "1.0.0"
    assert baseline.seascope_task == "image-classification"
    assert baseline.tasks == ("Computer Vision", "Classification")
    assert baseline.data_types == ("Image",)
    assert baseline.libraries == ("Other",)
    assert baseline.categories == ("AI4 inference", "AI4 trainable")
    assert baseline.license == "Apache-2.0"
    assert baseline.links.source_code == "urn:seascope:module:baseline"
    assert baseline.doi == "10.5281/zenodo.1234567"
    assert baseline.links.citation is None
    assert baseline.model_packages == ()


def test_a_pytorch_detector_with_a_homepage_and_a_text_citation() -> None:
    fish = entry_from_manifest(manifests()[1])
    assert fish.tasks == ("Computer Vision",)
    assert fish.libraries == ("PyTorch",)
    assert fish.categories == ("AI4 inference",)
    assert fish.license == "MIT"
    assert fish.links.source_code == "https://github.com/example/fish-detector"
    assert fish.citation.startswith("Doe J. (2025)")
    assert fish.doi == ""


@pytest.mark.parametrize(
    ("tags", "libraries"),
    [
        ((), ("Other",)),
        (("numpy",), ("Other",)),
        (("timm", "torch", "onnx"), ("PyTorch",)),
        (("Keras", "TensorFlow"), ("Keras", "TensorFlow")),
        (("sklearn", "XGBoost"), ("Scikit-learn", "XGBoost")),
    ],
)
def test_libraries_come_from_tags(tags: tuple[str, ...], libraries: tuple[str, ...]) -> None:
    assert entry_from_manifest(manifest(tags=tags)).libraries == libraries


@pytest.mark.parametrize("task", sorted(TASKS_OF))
def test_every_seascope_task_has_ai4_tasks(task: str) -> None:
    assert entry_from_manifest(manifest(task=task)).tasks == TASKS_OF[task]  # type: ignore[index]


@pytest.mark.parametrize(
    ("citation", "doi", "link"),
    [
        ("10.1000/xyz123", "10.1000/xyz123", None),
        ("https://dx.doi.org/10.1000/ABC", "10.1000/ABC", None),
        ("https://example.org/cite.cff", "", "https://example.org/cite.cff"),
        ("Someone (2024).", "", None),
    ],
)
def test_citations_fill_doi_or_link(citation: str, doi: str, link: str | None) -> None:
    entry = entry_from_manifest(manifest(citation=citation))
    assert (entry.doi, entry.links.citation, entry.citation) == (doi, link, citation)


def test_video_input_gives_the_video_data_type() -> None:
    entry = entry_from_manifest(manifest(input_media_types=("video/mp4", "image/png")))
    assert entry.data_types == ("Video", "Image")


def test_repeated_tags_are_kept_once() -> None:
    assert entry_from_manifest(manifest(tags=("a", "b", "a"))).tags == ("a", "b")


def test_every_installed_module_has_an_entry() -> None:
    for found in ModuleRegistry.from_entry_points().manifests():
        entry = entry_from_manifest(found)
        assert entry.id == found.name
        assert entry.tasks
