"""The model catalog: installed modules and imported AI4OS ai4-metadata v2 entries.

Installed entries also list the trained model packages published for their module
(:class:`PackageShelf`, ``<home>/packages/<module>/<version>``).

Build a :class:`Catalog` from a module registry and a folder, then list, search, import
and export. Importing this package is cheap: PyYAML and jsonschema load only when a
file is read or checked, and no web or ML framework is ever imported.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from seascope.modules import ModuleRegistry
    >>> catalog = Catalog.open(
    ...     registry=ModuleRegistry.from_entry_points(),
    ...     folder=Path(tempfile.mkdtemp()) / "catalog",
    ... )
    >>> "reference" in [entry.id for entry in catalog.search(task="Classification")]
    True
"""

from seascope.catalog.ai4_files import (
    MAX_METADATA_BYTES,
    MetadataFormat,
    dump_ai4_metadata,
    parse_ai4_metadata,
    read_ai4_metadata,
)
from seascope.catalog.ai4_metadata import (
    ai4_metadata_from_entry,
    entry_from_ai4_metadata,
    entry_id_for,
)
from seascope.catalog.ai4_schema import (
    FORBIDDEN_V1_KEYS,
    SCHEMA_VERSION,
    check_ai4_metadata,
    load_schema,
)
from seascope.catalog.entry import (
    CatalogEntry,
    EntryDates,
    EntryLinks,
    EntrySource,
    ModelPackageRef,
    ResourceNeeds,
    Resources,
)
from seascope.catalog.errors import (
    Ai4MetadataInvalid,
    CatalogEntryNotFound,
    MetadataProblem,
    ModelPackageExists,
    ModelPackageInvalid,
    ModelPackageNotFound,
)
from seascope.catalog.installed import entry_from_manifest
from seascope.catalog.packages import (
    PackageCard,
    PackageProblem,
    PackageShelf,
    metric_summary,
    read_package_card,
)
from seascope.catalog.search import CatalogQuery
from seascope.catalog.service import RESERVED_IDS, Catalog, CatalogProblem
from seascope.catalog.vocabulary import (
    AI4_CATEGORIES,
    AI4_DATA_TYPES,
    AI4_LIBRARIES,
    AI4_TASKS,
    Ai4Category,
    Ai4DataType,
    Ai4Library,
    Ai4Task,
)

__all__ = [
    "AI4_CATEGORIES",
    "AI4_DATA_TYPES",
    "AI4_LIBRARIES",
    "AI4_TASKS",
    "FORBIDDEN_V1_KEYS",
    "MAX_METADATA_BYTES",
    "RESERVED_IDS",
    "SCHEMA_VERSION",
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
    "MetadataFormat",
    "MetadataProblem",
    "ModelPackageExists",
    "ModelPackageInvalid",
    "ModelPackageNotFound",
    "ModelPackageRef",
    "PackageCard",
    "PackageProblem",
    "PackageShelf",
    "ResourceNeeds",
    "Resources",
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
