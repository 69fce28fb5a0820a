"""Darwin Core occurrences for machine-identified images (OBIS imaging guidance)."""

from __future__ import annotations

import csv
from pathlib import Path

from seascope.exports import (
    DARWIN_CORE_COLUMNS,
    DarwinCoreOptions,
    common_folder,
    relative_image_name,
    write_darwin_core,
)
from seascope.inference.batch_results import ResultRow

ROWS = [
    ResultRow(
        input="s3://bucket/run7/disc/a.jpg",
        status="ok",
        label="Coscinodiscus",
        score=0.9,
        aphia_id=148899,
        module="plankton-classifier",
        module_version="2.1.0",
        timestamp="2024-05-02T13:04:05+00:00",
    ),
    ResultRow(
        input="s3://bucket/run7/chain/b.png",
        status="ok",
        label="Copepoda<Maxillopoda",
        score=0.6,
        module="plankton-classifier",
        module_version="2.1.0",
    ),
    ResultRow(input="s3://bucket/run7/x.jpg", status="error", error="corrupt"),
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == DARWIN_CORE_COLUMNS
        return list(reader)


def test_occurrences_are_machine_observations_with_worms_lsids(tmp_path: Path) -> None:
    out = tmp_path / "occurrence.csv"
    options = DarwinCoreOptions(event_date="2024-05-02", event_id="st4", dataset_id="run7")
    report = write_darwin_core(ROWS, out, options)
    first, second = _read(out)
    assert (report.written, report.skipped_errors) == (2, 1)
    assert {first["basisOfRecord"], second["basisOfRecord"]} == {"MachineObservation"}
    assert {first["identificationVerificationStatus"]} == {"PredictedByMachine"}
    assert first["scientificName"] == "Coscinodiscus"
    assert first["scientificNameID"] == "urn:lsid:marinespecies.org:taxname:148899"
    assert second["scientificName"] == "Copepoda" and second["scientificNameID"] == ""
    assert first["identificationReferences"] == "plankton-classifier 2.1.0"
    assert first["eventDate"] == "2024-05-02" and first["eventID"] == "st4"
    assert first["associatedMedia"] == "s3://bucket/run7/disc/a.jpg"
    assert first["dateIdentified"] == "2024-05-02T13:04:05+00:00"
    assert first["occurrenceID"].startswith("urn:uuid:")
    assert first["occurrenceID"] != second["occurrenceID"]
    # Stable: the same results give the same ids.
    again = tmp_path / "again.csv"
    write_darwin_core(ROWS, again, options)
    assert [r["occurrenceID"] for r in _read(again)] == [
        first["occurrenceID"],
        second["occurrenceID"],
    ]


def test_media_base_url_and_only_taxa(tmp_path: Path) -> None:
    out = tmp_path / "occurrence.csv"
    root = common_folder(row.input for row in ROWS)
    assert root == "s3://bucket/run7"
    options = DarwinCoreOptions(
        media_base_url="https://data.example.org/run7/", images_root=root, only_taxa=True
    )
    report = write_darwin_core(ROWS, out, options)
    [only] = _read(out)
    assert only["associatedMedia"] == "https://data.example.org/run7/disc/a.jpg"
    assert report.skipped_other == 1


def test_image_names() -> None:
    assert common_folder(["/a/b/c.jpg", "/a/b/d/e.jpg", "/x.zip!/y.jpg"]) == "/a/b"
    assert common_folder(["s3://one/a.jpg", "gs://two/b.jpg"]) == ""
    assert common_folder(["/a.jpg", "/b.jpg"]) == "/"
    assert relative_image_name("/a.jpg", "/") == "a.jpg"
    assert relative_image_name("/elsewhere/a.jpg", "/a/b") == "a.jpg"
