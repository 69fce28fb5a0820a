"""Batch results as Darwin Core occurrences (CSV) of machine-identified particles.

Follows the OBIS guidance for imaging data: ``basisOfRecord=MachineObservation``,
``identificationVerificationStatus=PredictedByMachine``, the model in
``identificationReferences``, the image in ``associatedMedia`` and, where the module
knows the taxon's AphiaID, ``scientificNameID`` as a WoRMS LSID
(``urn:lsid:marinespecies.org:taxname:<AphiaID>``). ``occurrenceID`` is a UUIDv5 of the
dataset id and the input, so exporting the same results twice gives the same ids.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from seascope.exports.image_names import relative_image_name
from seascope.exports.report import ExportReport, atomic_text_file
from seascope.inference.batch_results import ResultRow

__all__ = [
    "DARWIN_CORE_COLUMNS",
    "WORMS_LSID_PREFIX",
    "DarwinCoreOptions",
    "scientific_name",
    "write_darwin_core",
]

WORMS_LSID_PREFIX = "urn:lsid:marinespecies.org:taxname:"

DARWIN_CORE_COLUMNS: tuple[str, ...] = (
    "occurrenceID",
    "basisOfRecord",
    "occurrenceStatus",
    "datasetID",
    "eventID",
    "eventDate",
    "scientificName",
    "scientificNameID",
    "identificationVerificationStatus",
    "identifiedBy",
    "dateIdentified",
    "identificationReferences",
    "identificationRemarks",
    "associatedMedia",
)


@dataclass(frozen=True, slots=True)
class DarwinCoreOptions:
    """Facts about the sample that the results file does not hold.

    Attributes:
        event_date: ``eventDate`` of every occurrence (ISO 8601: the sampling date).
        event_id: ``eventID`` (the sample or cast).
        dataset_id: ``datasetID``; also the namespace of the ``occurrenceID`` UUIDs.
        media_base_url: Base of ``associatedMedia``: base + the image's relative name.
            Without it, the input itself (path or URL) is used.
        images_root: What image names are made relative to (with ``media_base_url``).
        only_taxa: Leave out rows whose label has no AphiaID (detritus, bubbles ...).
    """

    event_date: str = ""
    event_id: str = ""
    dataset_id: str = ""
    media_base_url: str = ""
    images_root: str = ""
    only_taxa: bool = False


def write_darwin_core(
    rows: Iterable[ResultRow], out: Path, options: DarwinCoreOptions | None = None
) -> ExportReport:
    """Write the ``ok`` rows of a results file as a Darwin Core occurrence CSV.

    Raises:
        ConfigError: the folder of ``out`` does not exist.

    Example:
        >>> rows = read_results(Path("run7.csv"))  # doctest: +SKIP
        >>> write_darwin_core(rows, Path("occurrence.csv"),  # doctest: +SKIP
        ...     DarwinCoreOptions(event_date="2024-05-02", event_id="station-4"))
    """
    chosen = options or DarwinCoreOptions()
    written = errors = other = 0
    with atomic_text_file(out) as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(DARWIN_CORE_COLUMNS)
        for row in rows:
            if not row.is_ok:
                errors += 1
                continue
            if not row.label or (chosen.only_taxa and row.aphia_id is None):
                other += 1
                continue
            writer.writerow(_occurrence(row, chosen))
            written += 1
    return ExportReport(out, written, skipped_errors=errors, skipped_other=other)


def scientific_name(label: str) -> str:
    """The taxon name in a label; EcoTaxa's ``Name<Parent`` keeps ``Name``.

    Example:
        >>> scientific_name("Copepoda<Maxillopoda")
        'Copepoda'
    """
    return label.split("<", 1)[0].strip()


def _occurrence(row: ResultRow, options: DarwinCoreOptions) -> list[str]:
    namespace = f"seascope:{options.dataset_id}:"
    occurrence_id = uuid.uuid5(uuid.NAMESPACE_URL, namespace + row.input).urn
    if options.media_base_url:
        name = relative_image_name(row.input, options.images_root)
        media = options.media_base_url.rstrip("/") + "/" + name
    else:
        media = row.input
    remarks = f"top score {row.score:.4f}" if row.score is not None else ""
    return [
        occurrence_id,
        "MachineObservation",
        "present",
        options.dataset_id,
        options.event_id,
        options.event_date,
        scientific_name(row.label),
        f"{WORMS_LSID_PREFIX}{row.aphia_id}" if row.aphia_id is not None else "",
        "PredictedByMachine",
        "seascope",
        row.timestamp,
        f"{row.module} {row.module_version}".strip(),
        remarks,
        media,
    ]
