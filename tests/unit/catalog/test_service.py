"""The Catalog service: installed plus imported entries, persisted in a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seascope.catalog import (
    Ai4MetadataInvalid,
    Catalog,
    CatalogEntryNotFound,
    parse_ai4_metadata,
    read_ai4_metadata,
)
from seascope.errors import InvalidInput, ModuleNotFound, PayloadTooLarge
from seascope.modules import ModuleRegistry
from tests.unit.catalog.conftest import AI4_FIXTURES, PHYTO


def test_installed_modules_are_listed_first(catalog: Catalog) -> None:
    catalog.import_file(PHYTO)
    listed = catalog.list()
    assert [(e.id, e.source) for e in listed] == [
        ("baseline", "installed"),
        ("fish-detector", "installed"),
        ("phyto-plankton-classification", "imported"),
    ]


def test_an_import_is_stored_as_one_json_file_and_seen_by_a_new_catalog(
    catalog: Catalog, registry: ModuleRegistry
) -> None:
    entry = catalog.import_file(PHYTO)
    stored = catalog.folder / "phyto-plankton-classification.json"
    assert json.loads(stored.read_text())["data-type"] == ["Image"]
    assert [p.name for p in catalog.folder.iterdir()] == [stored.name]  # no temporary left
    other_process = Catalog.open(registry=registry, folder=catalog.folder)
    assert other_process.get(entry.id) == entry


def test_importing_again_replaces_the_entry(catalog: Catalog, tmp_path: Path) -> None:
    catalog.import_file(PHYTO)
    changed = tmp_path / "phyto.yml"
    changed.write_text(PHYTO.read_text().replace("95 classes", "96 classes"))
    catalog.import_file(changed)
    entry = catalog.get("phyto-plankton-classification")
    assert entry.summary.endswith("96 classes.")
    assert len(catalog.list()) == 3


def test_import_under_another_id(catalog: Catalog) -> None:
    entry = catalog.import_file(PHYTO, entry_id="vliz-phyto")
    assert catalog.get("vliz-phyto") == entry


def test_import_bytes_picks_the_format_from_the_name(catalog: Catalog) -> None:
    data = json.dumps(read_ai4_metadata(PHYTO)).encode()
    entry = catalog.import_bytes(data, filename="phyto.json")
    assert entry.id == "phyto-plankton-classification"
    assert catalog.import_bytes(PHYTO.read_bytes(), fmt="yaml", entry_id="again").id == "again"


@pytest.mark.parametrize(
    "name", ["missing-required.yml", "wrong-enum.yml", "v1-keys.yml", "not-yaml.yml"]
)
def test_invalid_files_are_refused_and_nothing_is_stored(catalog: Catalog, name: str) -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        catalog.import_file(AI4_FIXTURES / name)
    assert error.value.fields
    assert not catalog.folder.exists()


def test_a_huge_file_is_refused(catalog: Catalog) -> None:
    with pytest.raises(PayloadTooLarge):
        catalog.import_bytes(b"x" * (2 * 1024 * 1024))


def test_an_installed_module_id_cannot_be_taken(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput, match="'baseline' is taken by an installed module"):
        catalog.import_file(PHYTO, entry_id="baseline")


@pytest.mark.parametrize("reserved", ["import", "modules", "tools"])
def test_reserved_ids_cannot_be_taken(catalog: Catalog, reserved: str) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        catalog.import_file(PHYTO, entry_id=reserved)


def test_get_unknown_is_a_module_not_found_with_suggestions(catalog: Catalog) -> None:
    with pytest.raises(CatalogEntryNotFound, match="did you mean 'baseline'") as error:
        catalog.get("baseline2")
    assert isinstance(error.value, ModuleNotFound)
    with pytest.raises(CatalogEntryNotFound):
        catalog.get("../../etc/passwd")


def test_remove_deletes_imported_entries_only(catalog: Catalog) -> None:
    catalog.import_file(PHYTO)
    removed = catalog.remove("phyto-plankton-classification")
    assert removed.id == "phyto-plankton-classification"
    assert list(catalog.folder.iterdir()) == []
    with pytest.raises(CatalogEntryNotFound):
        catalog.remove("phyto-plankton-classification")
    with pytest.raises(InvalidInput, match="installed module 'baseline'"):
        catalog.remove("baseline")


def test_search_by_keywords(catalog: Catalog) -> None:
    catalog.import_file(PHYTO)
    assert [e.id for e in catalog.search(task="Classification")] == [
        "baseline",
        "phyto-plankton-classification",
    ]
    assert [e.id for e in catalog.search(text="flowcam")] == [
        "baseline",
        "phyto-plankton-classification",
    ]
    assert [e.id for e in catalog.search(library="keras")] == ["phyto-plankton-classification"]
    assert [e.id for e in catalog.search(tags_any=["vo.*"])] == ["phyto-plankton-classification"]
    assert [e.id for e in catalog.search(not_tags_any=["vo.*"], source="installed")] == [
        "baseline",
        "fish-detector",
    ]
    assert catalog.search(data_type="Audio") == []


def test_export_text_is_valid_metadata(catalog: Catalog) -> None:
    catalog.import_file(PHYTO)
    for entry_id in ("baseline", "phyto-plankton-classification"):
        for fmt in ("yaml", "json"):
            text = catalog.export_text(entry_id, fmt)  # type: ignore[arg-type]
            document = parse_ai4_metadata(text.encode(), fmt=fmt)  # type: ignore[arg-type]
            assert document == catalog.export(entry_id)


def test_broken_stored_files_become_problems(catalog: Catalog) -> None:
    catalog.import_file(PHYTO)
    (catalog.folder / "broken.json").write_text("{not json")
    (catalog.folder / "renamed.json").write_text(
        (catalog.folder / "phyto-plankton-classification.json").read_text()
    )
    assert [e.id for e in catalog.list()][-1] == "phyto-plankton-classification"
    problems = {Path(p.source).name: p.message for p in catalog.problems()}
    assert problems["broken.json"].startswith("not a catalog entry")
    assert problems["renamed.json"] == "holds entry 'phyto-plankton-classification', not 'renamed'"


def test_module_problems_are_reported(tmp_path: Path) -> None:
    from seascope.modules import ModuleProblem

    registry = ModuleRegistry([], [ModuleProblem("broken (pkg 1.0)", "ImportError: nope")])
    catalog = Catalog.open(registry=registry, folder=tmp_path)
    assert [(p.source, p.message) for p in catalog.problems()] == [
        ("broken (pkg 1.0)", "ImportError: nope")
    ]


def test_an_imported_entry_shadowed_by_a_new_module_is_hidden(
    catalog: Catalog, registry: ModuleRegistry
) -> None:
    catalog.import_file(PHYTO, entry_id="later-installed")
    from tests.unit.catalog.conftest import manifests

    newer = manifests()[0].model_copy(update={"name": "later-installed"})
    catalog = Catalog.open(
        registry=ModuleRegistry([*registry.manifests(), newer]), folder=catalog.folder
    )
    assert [e.source for e in catalog.list() if e.id == "later-installed"] == ["installed"]
