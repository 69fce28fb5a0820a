"""CSV tables of images: header, optional columns, relative paths, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seascope.datasets import Split, read_csv_manifest
from seascope.errors import DatasetError

WriteImage = Callable[..., Path]


@pytest.fixture
def images(tmp_path: Path, write_image: WriteImage) -> Path:
    for name in ("disc/a.jpg", "disc/b.jpg", "chain/c.jpg"):
        write_image(tmp_path / "images" / name, name.split("/")[0])
    return tmp_path


def test_reads_all_columns_any_order_and_extra_ones(images: Path) -> None:
    csv = images / "labels.csv"
    csv.write_text(
        "\ufeffLabel,notes,Path,Split,group,augmented\n"
        "disc,x,images/disc/a.jpg,training,st-1,no\n"
        "disc,,images\\disc\\b.jpg,Validation,,true\n"
        "chain,,./images/chain/c.jpg,,st-2,\n"
        ",,,,,\n"
    )
    manifest = read_csv_manifest(csv)
    assert manifest.root == images
    assert manifest.classes == ("chain", "disc")
    assert [(r.path, r.label, r.split, r.group, r.augmented) for r in manifest.rows] == [
        ("images/disc/a.jpg", "disc", Split.TRAIN, "st-1", False),
        ("images/disc/b.jpg", "disc", Split.VAL, None, True),
        ("images/chain/c.jpg", "chain", None, "st-2", False),
    ]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters(images: Path, delimiter: str) -> None:
    csv = images / "labels.csv"
    csv.write_text(f"path{delimiter}label\nimages/disc/a.jpg{delimiter}disc\n")
    assert read_csv_manifest(csv).rows[0].label == "disc"


def test_image_root_and_labels_kept_as_written(images: Path) -> None:
    csv = images / "lists" / "labels.csv"
    csv.parent.mkdir()
    csv.write_text("path,label\ndisc/a.jpg, disc\n")
    manifest = read_csv_manifest(csv, image_root=images / "images")
    assert manifest.root == images / "images"
    assert manifest.rows[0].label == " disc"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("images/disc/a.jpg,disc\n", "first line must be a header"),
        ("path,label\n", "no rows below the header"),
        ("path,label\nimages/disc/a.jpg,\n", "labels.csv line 2: empty label"),
        ("path,label\n,disc\n", "line 2: empty image path"),
        ("path,label,split\nimages/disc/a.jpg,disc,holdout\n", "line 2: unknown split"),
        ("path,label,augmented\nimages/disc/a.jpg,disc,maybe\n", "augmented must be"),
        ("path,label\n../outside.jpg,disc\n", "points outside"),
        ("path,label\n/etc/passwd,disc\n", "absolute image path"),
        ("path,label\nimages/disc/zz.jpg,disc\nimages/disc/a.jpg,disc\n", "1 listed image"),
    ],
)
def test_errors_name_the_line(images: Path, body: str, message: str) -> None:
    csv = images / "labels.csv"
    csv.write_text(body)
    with pytest.raises(DatasetError, match=message):
        read_csv_manifest(csv)


def test_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="CSV file not found"):
        read_csv_manifest(tmp_path / "nope.csv")


def test_real_flowcam_labels_csv(flowcam_dir: Path) -> None:
    manifest = read_csv_manifest(flowcam_dir.parent / "labels.csv")
    assert len(manifest) == 82
    assert len(manifest.classes) == 6
    assert all(row.path.startswith("images/") for row in manifest.rows)
    classes_txt = (flowcam_dir.parent / "classes.txt").read_text().split()
    assert list(manifest.classes) == classes_txt
