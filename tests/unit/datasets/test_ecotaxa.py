"""EcoTaxa exports: TSV with two header lines, folders of them, and zips with images."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from seascope.datasets import assign_splits, read_ecotaxa
from seascope.errors import DatasetError

WriteImage = Callable[..., Path]

COLUMNS = (
    "img_file_name",
    "object_id",
    "object_annotation_category",
    "object_annotation_status",
    "sample_id",
    "object_depth_min",
)
TYPES = ("[t]", "[t]", "[t]", "[t]", "[t]", "[f]")
OBJECTS = (
    ("images/a.jpg", "o1", "Copepoda<Maxillopoda", "validated", "st1", "5"),
    ("images/b.jpg", "o2", "Copepoda<Maxillopoda", "predicted", "st2", "5"),
    ("images/c.jpg", "o3", "detritus", "validated", "st2", "10"),
    ("images/d.jpg", "o4", "detritus", "dubious", "st3", "10"),
    ("images/e.jpg", "o5", "", "", "st3", "12"),
)


def tsv_text(
    rows: tuple[tuple[str, ...], ...] = OBJECTS,
    *,
    columns: tuple[str, ...] = COLUMNS,
    types: tuple[str, ...] | None = TYPES,
) -> str:
    lines = ["\t".join(name.upper() if i == 0 else name for i, name in enumerate(columns))]
    if types is not None:
        lines.append("\t".join(types))
    lines.extend("\t".join(row) for row in rows)
    return "\n".join(lines) + "\n"


@pytest.fixture
def export(tmp_path: Path, write_image: WriteImage) -> Path:
    folder = tmp_path / "export"
    for i, name in enumerate("abcde"):
        write_image(folder / "images" / f"{name}.jpg", "disc", seed=i)
    (folder / "ecotaxa_export.tsv").write_text(tsv_text(), encoding="utf-8")
    return folder


def test_tsv_labels_groups_and_unclassified_rows(export: Path) -> None:
    manifest = read_ecotaxa(export / "ecotaxa_export.tsv")
    assert manifest.root == export
    assert manifest.classes == ("Copepoda<Maxillopoda", "detritus")
    assert [(r.path, r.label, r.group) for r in manifest.rows] == [
        ("images/a.jpg", "Copepoda<Maxillopoda", "st1"),
        ("images/b.jpg", "Copepoda<Maxillopoda", "st2"),
        ("images/c.jpg", "detritus", "st2"),
        ("images/d.jpg", "detritus", "st3"),
    ]


def test_validated_only(export: Path) -> None:
    manifest = read_ecotaxa(export / "ecotaxa_export.tsv", validated_only=True)
    assert [r.path for r in manifest.rows] == ["images/a.jpg", "images/c.jpg"]


def test_groups_feed_grouped_splits(export: Path) -> None:
    manifest = read_ecotaxa(export / "ecotaxa_export.tsv")
    split = assign_splits(manifest, val=0.5, test=0.0, grouped=True, seed=0)
    for group in ("st1", "st2", "st3"):
        assert len({r.split for r in split.rows if r.group == group}) == 1


def test_type_line_is_optional(export: Path) -> None:
    (export / "ecotaxa_export.tsv").write_text(tsv_text(types=None))
    assert len(read_ecotaxa(export / "ecotaxa_export.tsv")) == 4


def test_invalid_type_line(export: Path) -> None:
    types = ("[t]", "[t]", "[x]", "[t]", "[t]", "[f]")
    (export / "ecotaxa_export.tsv").write_text(tsv_text(types=types))
    with pytest.raises(DatasetError, match=r"line 2: invalid type\(s\) object_annotation_category"):
        read_ecotaxa(export / "ecotaxa_export.tsv")


def test_latin1_file_is_read(export: Path) -> None:
    rows = (("images/a.jpg", "o1", "Noctiluca scintillans é", "validated", "st1", "1"),)
    (export / "ecotaxa_export.tsv").write_bytes(tsv_text(rows).encode("latin-1"))
    assert read_ecotaxa(export / "ecotaxa_export.tsv").classes == ("Noctiluca scintillans é",)


@pytest.mark.parametrize(
    ("columns", "validated_only", "message"),
    [
        (
            ("object_id", "object_annotation_category"),
            False,
            "missing EcoTaxa column.*img_file_name",
        ),
        (("img_file_name", "object_id"), False, "object_annotation_category"),
        (("img_file_name", "object_annotation_category"), True, "object_annotation_status"),
    ],
)
def test_missing_columns(
    export: Path, columns: tuple[str, ...], validated_only: bool, message: str
) -> None:
    (export / "ecotaxa_export.tsv").write_text(
        tsv_text((("images/a.jpg", "x"),), columns=columns, types=None)
    )
    with pytest.raises(DatasetError, match=message):
        read_ecotaxa(export / "ecotaxa_export.tsv", validated_only=validated_only)


def test_nothing_left_explains_why(export: Path) -> None:
    rows = (("images/a.jpg", "o1", "detritus", "predicted", "st1", "1"),)
    (export / "ecotaxa_export.tsv").write_text(tsv_text(rows))
    with pytest.raises(DatasetError, match=r"1 object\(s\), 0 without a category, 1 not validated"):
        read_ecotaxa(export / "ecotaxa_export.tsv", validated_only=True)


def test_missing_image_and_unsafe_path(export: Path) -> None:
    rows = (("images/zz.jpg", "o1", "detritus", "validated", "st1", "1"),)
    (export / "ecotaxa_export.tsv").write_text(tsv_text(rows))
    with pytest.raises(DatasetError, match=r"1 image\(s\) named in img_file_name not found"):
        read_ecotaxa(export / "ecotaxa_export.tsv")
    rows = (("../../etc/passwd", "o1", "detritus", "validated", "st1", "1"),)
    (export / "ecotaxa_export.tsv").write_text(tsv_text(rows))
    with pytest.raises(DatasetError, match="line 3: image path .* points outside"):
        read_ecotaxa(export / "ecotaxa_export.tsv")


def test_folder_with_tsvs_in_subfolders(tmp_path: Path, write_image: WriteImage) -> None:
    for sample in ("s1", "s2"):
        write_image(tmp_path / sample / "img" / "x.jpg", "disc")
        rows = (("img/x.jpg", "o1", f"class-{sample}", "validated", sample, "1"),)
        (tmp_path / sample / f"ecotaxa_{sample}.tsv").write_text(tsv_text(rows))
    (tmp_path / "notes.tsv").write_text("ignored: an ecotaxa*.tsv exists\n")
    manifest = read_ecotaxa(tmp_path)
    assert [(r.path, r.label) for r in manifest.rows] == [
        ("s1/img/x.jpg", "class-s1"),
        ("s2/img/x.jpg", "class-s2"),
    ]
    with pytest.raises(DatasetError, match="no EcoTaxa TSV found"):
        read_ecotaxa(tmp_path / "s1" / "img")
    with pytest.raises(DatasetError, match="EcoTaxa export not found"):
        read_ecotaxa(tmp_path / "missing")


def zip_export(export: Path, archive: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                bundle.write(path, f"export/{path.relative_to(export).as_posix()}")
        for name, data in (extra or {}).items():
            bundle.writestr(name, data)
    return archive


def test_zip_export(export: Path, tmp_path: Path) -> None:
    archive = zip_export(export, tmp_path / "export.zip")
    manifest = read_ecotaxa(archive, extract_to=tmp_path / "out", validated_only=True)
    assert manifest.root == tmp_path / "out"
    assert [r.path for r in manifest.rows] == ["export/images/a.jpg", "export/images/c.jpg"]
    assert (tmp_path / "out" / "export" / "images" / "a.jpg").read_bytes() == (
        export / "images" / "a.jpg"
    ).read_bytes()


def test_zip_needs_a_destination(export: Path, tmp_path: Path) -> None:
    archive = zip_export(export, tmp_path / "export.zip")
    with pytest.raises(DatasetError, match="pass extract_to"):
        read_ecotaxa(archive)


def test_zip_slip_entry_refuses_the_archive_before_writing(export: Path, tmp_path: Path) -> None:
    archive = zip_export(export, tmp_path / "export.zip", {"../evil.jpg": b"boom"})
    with pytest.raises(DatasetError, match=r"'\.\./evil\.jpg' with '\.\.' \(zip-slip\)"):
        read_ecotaxa(archive, extract_to=tmp_path / "out")
    assert not (tmp_path / "evil.jpg").exists()
    assert not any((tmp_path / "out").rglob("*.jpg")) if (tmp_path / "out").exists() else True


def test_zip_size_cap(export: Path, tmp_path: Path) -> None:
    archive = zip_export(export, tmp_path / "export.zip", {"export/big.bin": bytes(200_000)})
    with pytest.raises(DatasetError, match="uncompressed is above the limit"):
        read_ecotaxa(archive, extract_to=tmp_path / "out", max_uncompressed_bytes=100_000)
    assert not (tmp_path / "out" / "export").exists()


def test_not_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK but not really" + bytes(100))
    with pytest.raises(DatasetError, match="not a readable zip archive"):
        read_ecotaxa(archive, extract_to=tmp_path / "out")


def test_zip_in_memory_names_are_checked(tmp_path: Path) -> None:
    """A zip written by hand with a Windows-style escape is refused too."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("ecotaxa.tsv", tsv_text())
        bundle.writestr("images\\..\\..\\evil.jpg", b"x")
    archive = tmp_path / "export.zip"
    archive.write_bytes(buffer.getvalue())
    with pytest.raises(DatasetError, match="zip-slip"):
        read_ecotaxa(archive, extract_to=tmp_path / "out")


def test_rows_left_out_are_not_checked_and_empty_image_names_fail(export: Path) -> None:
    rows = (
        ("images/a.jpg", "o1", "detritus", "validated", "st1", "1"),
        ("../../not-checked.jpg", "o2", "detritus", "predicted", "st1", "1"),
        ("", "o3", "", "", "st1", "1"),
    )
    (export / "ecotaxa_export.tsv").write_text(tsv_text(rows))
    manifest = read_ecotaxa(export / "ecotaxa_export.tsv", validated_only=True)
    assert [r.path for r in manifest.rows] == ["images/a.jpg"]
    rows = (("", "o1", "detritus", "validated", "st1", "1"),)
    (export / "ecotaxa_export.tsv").write_text(tsv_text(rows))
    with pytest.raises(DatasetError, match="line 3: empty img_file_name"):
        read_ecotaxa(export / "ecotaxa_export.tsv")
