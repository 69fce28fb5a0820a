"""Dataset importers and exporters: class folders, split lists, CSV tables, EcoTaxa exports.

Every importer returns a :class:`~seascope.datasets.DatasetManifest`.
"""

from seascope.datasets.formats.class_folders import read_class_folders
from seascope.datasets.formats.csv_table import CSV_COLUMNS, read_csv_manifest, write_csv_manifest
from seascope.datasets.formats.ecotaxa import read_ecotaxa
from seascope.datasets.formats.safe_zip import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    extract_zip,
)
from seascope.datasets.formats.split_lists import read_split_lists, write_split_lists

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "extract_zip",
    "read_class_folders",
    "read_csv_manifest",
    "read_ecotaxa",
    "read_split_lists",
    "write_csv_manifest",
    "write_split_lists",
]
