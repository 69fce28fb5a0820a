"""The catalog package's public surface, and that importing it stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import seascope.catalog

HEAVY = ("torch", "torchvision", "timm", "tensorflow", "mlflow", "fastapi", "starlette")
LOADED_ON_USE = ("yaml", "jsonschema")


def test_the_public_surface_is_pinned() -> None:
    assert sorted(seascope.catalog.__all__) == [
        "AI4_CATEGORIES",
        "AI4_DATA_TYPES",
        "AI4_LIBRARIES",
        "AI4_TASKS",
        "Ai4Category",
        "Ai4DataType",
        "Ai4Library",
        "Ai4MetadataInvalid",
        "Ai4Task",
        "Catalog",
        "CatalogEntry",
        "CatalogEntryNotFound",
        "CatalogProblem",
        "CatalogQuery",
        "EntryDates",
        "EntryLinks",
        "EntrySource",
        "FORBIDDEN_V1_KEYS",
        "MAX_METADATA_BYTES",
        "MetadataFormat",
        "MetadataProblem",
        "ModelPackageExists",
        "ModelPackageInvalid",
        "ModelPackageNotFound",
        "ModelPackageRef",
        "PackageCard",
        "PackageProblem",
        "PackageShelf",
        "RESERVED_IDS",
        "ResourceNeeds",
        "Resources",
        "SCHEMA_VERSION",
        "ai4_metadata_from_entry",
        "check_ai4_metadata",
        "dump_ai4_metadata",
        "entry_from_ai4_metadata",
        "entry_from_manifest",
        "entry_id_for",
        "load_schema",
        "metric_summary",
        "parse_ai4_metadata",
        "read_ai4_metadata",
        "read_package_card",
    ]
    for name in seascope.catalog.__all__:
        assert hasattr(seascope.catalog, name), name


def test_importing_the_catalog_loads_no_web_ml_yaml_or_jsonschema() -> None:
    roots = HEAVY + LOADED_ON_USE
    code = (
        "import json, sys, seascope.catalog\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(completed.stdout) == []
