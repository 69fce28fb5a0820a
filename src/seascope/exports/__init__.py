"""Community formats for batch results: EcoTaxa import TSV and Darwin Core occurrences.

Both read the rows of a results file (:func:`seascope.inference.read_results`) and write
one file atomically. Rows with ``status=error`` are left out and counted.
"""

from seascope.exports.darwin_core import DARWIN_CORE_COLUMNS, DarwinCoreOptions, write_darwin_core
from seascope.exports.ecotaxa import ECOTAXA_COLUMNS, EcoTaxaOptions, write_ecotaxa_tsv
from seascope.exports.image_names import common_folder, relative_image_name
from seascope.exports.report import ExportReport

__all__ = [
    "DARWIN_CORE_COLUMNS",
    "ECOTAXA_COLUMNS",
    "DarwinCoreOptions",
    "EcoTaxaOptions",
    "ExportReport",
    "common_folder",
    "relative_image_name",
    "write_darwin_core",
    "write_ecotaxa_tsv",
]
