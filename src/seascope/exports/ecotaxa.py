"""Batch results as an EcoTaxa import TSV (``object_annotation_status=predicted``).

EcoTaxa reads a tab-separated file whose **first line** names the columns and whose
**second line** gives their types (``[t]`` text, ``[f]`` number); it must be called
``ecotaxa*.tsv`` and sit with the images (folder or zip), ``img_file_name`` being each
image's path relative to it. The file is written as UTF-8 with a byte-order mark, since
EcoTaxa reads a TSV without one as latin-1.

Columns: ``img_file_name``, ``object_id`` (the image name without suffix, ``/`` as
``_``), ``object_annotation_category`` (the top label), ``object_annotation_status``
(``predicted``), ``object_annotation_date`` / ``_time`` (when it was predicted),
``object_score`` (the top score, a custom numeric field) and, when given, ``sample_id``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from seascope.exports.image_names import relative_image_name
from seascope.exports.report import ExportReport, atomic_text_file
from seascope.inference.batch_results import ResultRow

__all__ = ["ECOTAXA_COLUMNS", "EcoTaxaOptions", "write_ecotaxa_tsv"]

ECOTAXA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("img_file_name", "[t]"),
    ("object_id", "[t]"),
    ("object_annotation_category", "[t]"),
    ("object_annotation_status", "[t]"),
    ("object_annotation_date", "[t]"),
    ("object_annotation_time", "[t]"),
    ("object_score", "[f]"),
)
"""Column names and their EcoTaxa types (``sample_id [t]`` is added when given)."""


@dataclass(frozen=True, slots=True)
class EcoTaxaOptions:
    """How rows become EcoTaxa objects.

    Attributes:
        images_root: Folder (or URL) the TSV will sit in, next to the images; image
            names are made relative to it (see :func:`relative_image_name`).
        sample_id: A ``sample_id`` for every object (EcoTaxa groups objects by sample).
    """

    images_root: str = ""
    sample_id: str = ""


def write_ecotaxa_tsv(
    rows: Iterable[ResultRow], out: Path, options: EcoTaxaOptions | None = None
) -> ExportReport:
    """Write the ``ok`` rows of a results file as an EcoTaxa import TSV.

    Args:
        rows: Rows of a results file.
        out: The TSV to write (name it ``ecotaxa_<something>.tsv``).
        options: Image root and sample id.

    Raises:
        ConfigError: the folder of ``out`` does not exist.

    Example:
        >>> write_ecotaxa_tsv(read_results(Path("run7.csv")),  # doctest: +SKIP
        ...     Path("run7/ecotaxa_run7.tsv"), EcoTaxaOptions(images_root="run7"))
    """
    chosen = options or EcoTaxaOptions()
    columns = list(ECOTAXA_COLUMNS)
    if chosen.sample_id:
        columns.append(("sample_id", "[t]"))
    written = errors = other = 0
    with atomic_text_file(out, encoding="utf-8-sig") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow([name for name, _ in columns])
        writer.writerow([kind for _, kind in columns])
        for row in rows:
            if not row.is_ok:
                errors += 1
                continue
            if not row.label:
                other += 1
                continue
            name = relative_image_name(row.input, chosen.images_root)
            date, time = _date_and_time(row.timestamp)
            cells = [
                name,
                str(PurePosixPath(name).with_suffix("")).replace("/", "_"),
                row.label,
                "predicted",
                date,
                time,
                "" if row.score is None else f"{row.score:.6f}",
            ]
            if chosen.sample_id:
                cells.append(chosen.sample_id)
            writer.writerow(cells)
            written += 1
    return ExportReport(out, written, skipped_errors=errors, skipped_other=other)


def _date_and_time(timestamp: str) -> tuple[str, str]:
    """EcoTaxa's ``YYYYMMDD`` and ``HHMMSS`` from an ISO timestamp (empty if unparsable)."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return "", ""
    return moment.strftime("%Y%m%d"), moment.strftime("%H%M%S")
