"""EcoTaxa import TSV: two header lines, status 'predicted', names relative to the TSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from seascope.errors import ConfigError
from seascope.exports import ECOTAXA_COLUMNS, EcoTaxaOptions, write_ecotaxa_tsv
from seascope.inference.batch_results import ResultRow

ROWS = [
    ResultRow(
        input="/data/run7/disc/a.jpg",
        status="ok",
        label="Coscinodiscus",
        score=0.91234567,
        aphia_id=148899,
        module="reference",
        module_version="1.0.0",
        timestamp="2024-05-02T13:04:05+00:00",
    ),
    ResultRow(
        input="/data/run7/chain/b.png",
        status="ok",
        label="Copepoda<Maxillopoda",
        score=0.5,
        module="reference",
        module_version="1.0.0",
        timestamp="2024-05-02T13:04:06+00:00",
    ),
    ResultRow(input="/data/run7/empty.jpg", status="error", error="empty"),
    ResultRow(input="/data/run7.zip!/crops/c.jpg", status="ok", label="disc", score=0.7),
]


def _read(path: Path) -> list[list[str]]:
    # EcoTaxa reads latin-1 unless the file starts with a UTF-8 byte-order mark.
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter="\t"))


def test_the_tsv_has_names_then_types_then_one_predicted_object_per_ok_row(
    tmp_path: Path,
) -> None:
    out = tmp_path / "ecotaxa_run7.tsv"
    report = write_ecotaxa_tsv(ROWS, out, EcoTaxaOptions(images_root="/data/run7"))
    names, types, *objects = _read(out)
    assert names == [name for name, _ in ECOTAXA_COLUMNS]
    assert names[:4] == [
        "img_file_name",
        "object_id",
        "object_annotation_category",
        "object_annotation_status",
    ]
    assert set(types) <= {"[t]", "[f]"} and types[names.index("object_score")] == "[f]"
    assert (report.written, report.skipped_errors) == (3, 1)
    records = [dict(zip(names, values, strict=True)) for values in objects]
    assert [r["img_file_name"] for r in records] == ["disc/a.jpg", "chain/b.png", "crops/c.jpg"]
    assert [r["object_id"] for r in records] == ["disc_a", "chain_b", "crops_c"]
    assert {r["object_annotation_status"] for r in records} == {"predicted"}
    assert records[0]["object_annotation_category"] == "Coscinodiscus"
    assert records[1]["object_annotation_category"] == "Copepoda<Maxillopoda"
    assert records[0]["object_score"] == "0.912346"
    assert (records[0]["object_annotation_date"], records[0]["object_annotation_time"]) == (
        "20240502",
        "130405",
    )


def test_sample_id_adds_a_column(tmp_path: Path) -> None:
    out = tmp_path / "ecotaxa.tsv"
    write_ecotaxa_tsv(ROWS[:1], out, EcoTaxaOptions(sample_id="st4_2024-05-02"))
    names, types, values = _read(out)
    assert names[-1] == "sample_id" and types[-1] == "[t]" and values[-1] == "st4_2024-05-02"
    assert values[0] == "a.jpg"  # no root: the base name


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        write_ecotaxa_tsv(ROWS, tmp_path / "missing" / "ecotaxa.tsv")
