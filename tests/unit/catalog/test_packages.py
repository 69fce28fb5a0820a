"""Published model packages: the shelf, and what the catalog shows of them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seascope.catalog import (
    Catalog,
    CatalogEntryNotFound,
    ModelPackageExists,
    ModelPackageInvalid,
    ModelPackageNotFound,
    ModelPackageRef,
    PackageShelf,
)
from seascope.errors import InvalidInput
from seascope.modules import ModuleRegistry
from tests.unit.catalog.conftest import PHYTO
from tests.unit.catalog.model_packages import write_model_package


@pytest.fixture
def shelf(tmp_path: Path) -> PackageShelf:
    return PackageShelf(tmp_path / "packages")


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_publish_copies_the_package_and_summarises_its_card(
    shelf: PackageShelf, tmp_path: Path
) -> None:
    source = write_model_package(tmp_path / "job" / "model-package")

    ref = shelf.publish(source, module="baseline", version="1.0")

    destination = shelf.folder / "baseline" / "1.0"
    assert files_under(destination) == files_under(source)
    assert (destination / "weights.safetensors").read_bytes() == (
        source / "weights.safetensors"
    ).read_bytes()
    assert ref == ModelPackageRef(
        name="classifier",
        version="1.0",
        uri="packages/baseline/1.0",
        created="2026-01-10T09:00:00+00:00",
        backbone="resnet18",
        class_count=3,
        metrics={
            "val_macro_f1": 0.91,
            "val_accuracy": 0.93,
            "test_macro_f1": 0.91,
            "test_accuracy": 0.88,
        },
        dataset_fingerprint="sha256:feedface",
    )
    assert [p.name for p in (shelf.folder / "baseline").iterdir()] == ["1.0"]  # no temp left


def test_the_version_defaults_to_the_cards_then_to_a_timestamp(
    shelf: PackageShelf, tmp_path: Path
) -> None:
    versioned = write_model_package(tmp_path / "a", version="2.1.0")
    unversioned = write_model_package(tmp_path / "b")

    assert shelf.publish(versioned, module="baseline").version == "2.1.0"
    assert re.fullmatch(r"\d{8}-\d{6}", shelf.publish(unversioned, module="baseline").version)


def test_listing_is_newest_first_and_skips_temporary_folders(
    shelf: PackageShelf, tmp_path: Path
) -> None:
    for version, created in (
        ("b-old", "2025-03-01T08:00:00+00:00"),
        ("a-new", "2026-02-01T08:00:00+00:00"),
        ("c-mid", "2025-09-01T08:00:00"),  # no time zone: read as UTC
    ):
        source = write_model_package(tmp_path / version, created=created)
        shelf.publish(source, module="baseline", version=version)
    (shelf.folder / "baseline" / ".half.tmp-1234").mkdir()

    assert [ref.version for ref in shelf.list("baseline")] == ["a-new", "c-mid", "b-old"]
    assert shelf.list("fish-detector") == []
    assert shelf.list("../etc") == []


def test_an_existing_version_is_never_replaced(shelf: PackageShelf, tmp_path: Path) -> None:
    first = write_model_package(tmp_path / "first", val_f1=0.5)
    second = write_model_package(tmp_path / "second", val_f1=0.99)
    shelf.publish(first, module="baseline", version="1.0")

    with pytest.raises(ModelPackageExists, match=r"already has a package.*--version"):
        shelf.publish(second, module="baseline", version="1.0")

    assert shelf.get("baseline", "1.0").metrics["val_macro_f1"] == 0.5
    assert [p.name for p in (shelf.folder / "baseline").iterdir()] == ["1.0"]


@pytest.mark.parametrize(
    ("card_text", "message"),
    [
        (None, r"not a model package \(no model-card.json\)"),
        ("{not json", r"not a readable model card"),
        ('["a", "list"]', r"not a readable model card"),
        ('{"classes": 3}', r"not a readable model card .*classes"),
    ],
    ids=["no-card", "not-json", "not-an-object", "wrong-field-type"],
)
def test_a_folder_without_a_readable_card_is_refused_and_nothing_is_written(
    shelf: PackageShelf, tmp_path: Path, card_text: str | None, message: str
) -> None:
    source = tmp_path / "folder"
    source.mkdir()
    (source / "weights.safetensors").write_bytes(b"w")
    if card_text is not None:
        (source / "model-card.json").write_text(card_text)

    with pytest.raises(ModelPackageInvalid, match=message):
        shelf.publish(source, module="baseline", version="1.0")

    assert not shelf.folder.exists()


def test_a_package_whose_files_changed_is_refused(shelf: PackageShelf, tmp_path: Path) -> None:
    source = write_model_package(tmp_path / "pkg")
    (source / "model.onnx").write_bytes(b"tampered")

    with pytest.raises(ModelPackageInvalid, match=r"model.onnx: the file changed"):
        shelf.publish(source, module="baseline", version="1.0")

    assert list((shelf.folder / "baseline").iterdir()) == []


@pytest.mark.parametrize(
    ("module", "version"), [("baseline", "../escape"), ("baseline", ".hidden"), ("Bad/Name", "1")]
)
def test_unsafe_names_are_refused(
    shelf: PackageShelf, tmp_path: Path, module: str, version: str
) -> None:
    source = write_model_package(tmp_path / "pkg")

    with pytest.raises(InvalidInput, match="not a"):
        shelf.publish(source, module=module, version=version)
    with pytest.raises(ModelPackageNotFound):
        shelf.card(module, version)


def test_an_unusable_version_in_the_card_asks_for_one(shelf: PackageShelf, tmp_path: Path) -> None:
    source = write_model_package(tmp_path / "pkg", version="v 1/2")

    with pytest.raises(InvalidInput, match=r"from the model card; choose one with --version"):
        shelf.publish(source, module="baseline")


def test_the_card_is_served_as_published(shelf: PackageShelf, tmp_path: Path) -> None:
    source = write_model_package(tmp_path / "pkg")
    shelf.publish(source, module="baseline", version="1.0")

    card = shelf.card("baseline", "1.0")

    assert card == json.loads((source / "model-card.json").read_text())
    with pytest.raises(ModelPackageNotFound, match=r"no model package '2.0'.*published: 1.0"):
        shelf.card("baseline", "2.0")


def test_an_unreadable_published_card_is_a_problem_without_server_paths(
    shelf: PackageShelf, tmp_path: Path
) -> None:
    shelf.publish(write_model_package(tmp_path / "good"), module="baseline", version="good")
    shelf.publish(write_model_package(tmp_path / "bad"), module="baseline", version="bad")
    (shelf.folder / "baseline" / "bad" / "model-card.json").write_text("{broken")

    assert [ref.version for ref in shelf.list("baseline")] == ["good"]
    (problem,) = shelf.problems()
    assert problem.source == "packages/baseline/bad"
    assert str(tmp_path) not in problem.message


def test_the_catalog_lists_packages_of_installed_entries_on_each_read(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    catalog = Catalog.open(
        registry=registry, folder=tmp_path / "catalog", packages=tmp_path / "packages"
    )
    catalog.import_file(PHYTO)
    assert catalog.get("baseline").model_packages == ()

    # Published by another process after the catalog was opened (a CLI beside a server).
    PackageShelf(tmp_path / "packages").publish(
        write_model_package(tmp_path / "pkg"), module="baseline", version="1.0"
    )

    entry = catalog.get("baseline")
    assert [(p.version, p.class_count) for p in entry.model_packages] == [("1.0", 3)]
    by_id = {e.id: e for e in catalog.list()}
    assert by_id["baseline"].model_packages == entry.model_packages
    assert by_id["fish-detector"].model_packages == ()
    assert by_id["phyto-plankton-classification"].model_packages == ()
    assert catalog.search(text="centroid")[0].model_packages == entry.model_packages
    assert catalog.packages("baseline") == list(entry.model_packages)
    assert catalog.package_card("baseline", "1.0")["backbone"] == "resnet18"


def test_package_cards_of_unknown_entries_and_versions_are_not_found(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    catalog = Catalog.open(
        registry=registry, folder=tmp_path / "catalog", packages=tmp_path / "packages"
    )
    catalog.import_file(PHYTO)

    with pytest.raises(CatalogEntryNotFound):
        catalog.package_card("nothing", "1.0")
    with pytest.raises(ModelPackageNotFound, match="none published"):
        catalog.package_card("baseline", "1.0")
    with pytest.raises(ModelPackageNotFound, match="no published model packages"):
        catalog.package_card("phyto-plankton-classification", "1.0")


def test_without_a_packages_folder_nothing_is_listed(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    PackageShelf(tmp_path / "packages").publish(
        write_model_package(tmp_path / "pkg"), module="baseline", version="1.0"
    )
    catalog = Catalog.open(registry=registry, folder=tmp_path / "catalog")

    assert catalog.packages_folder is None
    assert catalog.get("baseline").model_packages == ()
    with pytest.raises(ModelPackageNotFound):
        catalog.package_card("baseline", "1.0")


def test_ai4_metadata_export_is_unchanged_by_packages(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    plain = Catalog.open(registry=registry, folder=tmp_path / "catalog")
    shelved = Catalog.open(
        registry=registry, folder=tmp_path / "catalog", packages=tmp_path / "packages"
    )
    PackageShelf(tmp_path / "packages").publish(
        write_model_package(tmp_path / "pkg"), module="baseline", version="1.0"
    )

    assert shelved.export("baseline") == plain.export("baseline")


def test_older_package_references_still_load() -> None:
    ref = ModelPackageRef.model_validate({"name": "old", "version": "1", "uri": "s3://b/k"})

    assert (ref.created, ref.class_count, ref.metrics) == ("", None, {})


def test_publishing_and_listing_packages_do_not_import_torch(tmp_path: Path) -> None:
    write_model_package(tmp_path / "pkg")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from seascope.catalog import PackageShelf\n"
        f"shelf = PackageShelf(Path({str(tmp_path / 'packages')!r}))\n"
        f"shelf.publish(Path({str(tmp_path / 'pkg')!r}), module='classifier', version='1.0')\n"
        "assert [r.version for r in shelf.list('classifier')] == ['1.0']\n"
        "shelf.card('classifier', '1.0')\n"
        "heavy = [m for m in ('torch', 'torchvision', 'timm', 'onnxruntime') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )

    assert result.returncode == 0, result.stderr
