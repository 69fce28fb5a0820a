"""Entries from ai4-metadata documents and back: import → export → validate → import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seascope.catalog import (
    SCHEMA_VERSION,
    Ai4MetadataInvalid,
    CatalogEntry,
    EntryLinks,
    ai4_metadata_from_entry,
    check_ai4_metadata,
    dump_ai4_metadata,
    entry_from_ai4_metadata,
    entry_from_manifest,
    entry_id_for,
    parse_ai4_metadata,
    read_ai4_metadata,
)
from tests.unit.catalog.conftest import AI4_FIXTURES, PHYTO, manifests


def phyto_entry() -> CatalogEntry:
    return entry_from_ai4_metadata(read_ai4_metadata(PHYTO), source=PHYTO.name)


def test_the_phytoplankton_example_becomes_an_imported_entry() -> None:
    entry = phyto_entry()
    assert entry.id == "phyto-plankton-classification"
    assert entry.source == "imported"
    assert entry.module is None
    assert entry.title == "Phytoplankton species classifier (VLIZ)"
    assert entry.tasks == ("Computer Vision", "Classification")
    assert entry.libraries == ("TensorFlow", "Keras")
    assert entry.categories == ("AI4 pre trained", "AI4 trainable", "AI4 inference")
    assert entry.data_types == ("Image",)
    assert entry.tags == ("deep learning", "vo.imagine-ai.eu")
    assert entry.links.docker_image == "ai4oshub/phyto-plankton-classification"
    assert entry.links.weights == "https://zenodo.org/records/15269453"
    assert entry.dates is not None and entry.dates.updated == "2024-08-22"
    assert entry.resources.training is not None
    assert entry.resources.training.gpu_memory_mb == 8000
    assert entry.resources.inference is not None
    assert entry.resources.inference.memory_mb == 1000
    assert entry.model_packages == ()
    assert entry.extra == {}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_import_export_validate_import_gives_the_same_entry(fmt: str) -> None:
    entry = phyto_entry()
    exported = dump_ai4_metadata(ai4_metadata_from_entry(entry), fmt)  # type: ignore[arg-type]
    document = parse_ai4_metadata(exported.encode(), fmt=fmt)  # type: ignore[arg-type]
    assert document["metadata_version"] == SCHEMA_VERSION
    assert check_ai4_metadata(document) == []
    assert entry_from_ai4_metadata(document) == entry


def test_export_keeps_every_field_of_the_original_file() -> None:
    original = read_ai4_metadata(PHYTO)
    exported = ai4_metadata_from_entry(phyto_entry())
    assert exported == {**original, "id": "phyto-plankton-classification"}


def test_unknown_keys_are_kept_through_the_round_trip() -> None:
    document = read_ai4_metadata(AI4_FIXTURES / "sample-extra-keys.json")
    entry = entry_from_ai4_metadata(document)
    assert entry.id == "coral-reef-segmenter"
    assert entry.license == "MIT"
    assert entry.extra == {
        "maintainer": {"name": "Reef lab", "email": "reef@example.org"},
        "notes": ["kept as is"],
    }
    assert entry.links.model_extra == {"ai4_template": "ai4-template/2.1.4"}
    assert entry.resources.inference is not None
    assert entry.resources.inference.model_extra == {"memory": "4GB"}
    exported = ai4_metadata_from_entry(entry)
    assert check_ai4_metadata(exported) == []
    # Everything comes back; only the schema version and the id are (re)written.
    assert exported == {**document, "metadata_version": "2.3.0", "id": "coral-reef-segmenter"}
    assert entry_from_ai4_metadata(exported) == entry


def test_seascope_keys_with_an_unexpected_shape_stay_extra() -> None:
    document = {**read_ai4_metadata(PHYTO), "license": {"spdx": "MIT"}, "authors": "VLIZ"}
    entry = entry_from_ai4_metadata(document)
    assert entry.license == ""
    assert entry.authors == ()
    assert entry.extra == {"license": {"spdx": "MIT"}, "authors": "VLIZ"}
    assert ai4_metadata_from_entry(entry)["authors"] == "VLIZ"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"id": "my-model", "links": {"source_code": "https://x.org/other"}}, "my-model"),
        ({"id": "Not Valid!", "links": {"source_code": "https://x.org/a/repo"}}, "repo"),
        ({"links": {"source_code": "https://github.com/org/Phyto-X.git/"}}, "phyto-x"),
        ({"links": {"source_code": "https://github.com/org/", "docker_image": "o/img:1"}}, "org"),
        ({"links": {"source_code": "urn:", "docker_image": "ai4oshub/fish:latest"}}, "fish"),
        ({"links": {"source_code": "urn:seascope:module:Baseline"}}, "baseline"),
        ({"links": {"source_code": "https://example.org:8080"}}, "example.org-8080"),
        ({"links": {"source_code": "/"}, "title": "Coral Reef (v2)"}, "coral-reef-v2"),
        ({"links": {"source_code": "/"}, "title": "!!!"}, "unnamed"),
    ],
)
def test_entry_ids_come_from_the_document(document: dict[str, Any], expected: str) -> None:
    assert entry_id_for(document) == expected


def test_an_unusable_explicit_id_is_refused_by_path() -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        entry_from_ai4_metadata(read_ai4_metadata(PHYTO), entry_id="Bad Id")
    assert list(error.value.fields) == ["$.id"]


def test_an_invalid_document_lists_all_its_problems() -> None:
    path = AI4_FIXTURES / "missing-required.yml"
    with pytest.raises(Ai4MetadataInvalid) as error:
        entry_from_ai4_metadata(read_ai4_metadata(path), source=path.name)
    assert error.value.source == "missing-required.yml"
    assert sorted(error.value.fields) == ["$.links.source_code", "$.summary", "$.tags"]
    assert error.value.message.startswith("missing-required.yml: invalid ai4-metadata (3 problems)")


@pytest.mark.parametrize("manifest", manifests(), ids=lambda m: m.name)
def test_installed_module_entries_export_to_valid_metadata(manifest: Any) -> None:
    entry = entry_from_manifest(manifest)
    document = ai4_metadata_from_entry(entry)
    assert check_ai4_metadata(document) == []
    assert document["id"] == manifest.name
    assert document["version"] == manifest.version
    back = entry_from_ai4_metadata(document)
    # An import is "imported" and not served here; everything else survives.
    expected = entry.model_copy(
        update={"source": "imported", "module": None, "seascope_task": None}
    )
    assert back == expected


def test_entries_built_in_code_export_valid_metadata_even_with_repeats(tmp_path: Path) -> None:
    entry = CatalogEntry(
        id="handmade",
        title="Hand made",
        summary="Built in code.",
        tags=("a", "a", "b"),
        links=EntryLinks(source_code="https://example.org/handmade"),
        source="imported",
        extra={"keywords": ["v1"], "kept": True},
    )
    document = ai4_metadata_from_entry(entry)
    assert check_ai4_metadata(document) == []
    assert document["tags"] == ["a", "b"]
    assert document["tasks"] == ["Other"]
    assert document["libraries"] == ["Other"]
    assert "keywords" not in document
    assert document["kept"] is True


def test_authors_and_version_are_read_back() -> None:
    document = {**read_ai4_metadata(PHYTO), "authors": ["A. Lab", "B. Sea"], "version": "2.1"}
    entry = entry_from_ai4_metadata(document)
    assert (entry.authors, entry.version) == (("A. Lab", "B. Sea"), "2.1")
    assert ai4_metadata_from_entry(entry)["authors"] == ["A. Lab", "B. Sea"]


def test_the_message_shows_five_problems_and_counts_the_rest() -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        entry_from_ai4_metadata({}, source="empty.yml")
    assert len(error.value.problems) == 9
    assert error.value.message.startswith("empty.yml: invalid ai4-metadata (9 problems): ")
    assert error.value.message.endswith("; and 4 more")
    assert len(error.value.fields) == 9
