"""The manifest value object: validation, fingerprints, JSON and CSV files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seascope.datasets import (
    DatasetManifest,
    ManifestRow,
    Split,
    load_manifest,
    read_class_folders,
    read_csv_manifest,
    save_manifest,
)
from seascope.errors import DatasetError


def rows(*pairs: tuple[str, str]) -> tuple[ManifestRow, ...]:
    return tuple(ManifestRow(path, label) for path, label in pairs)


@pytest.mark.parametrize(
    "path",
    ["", "/abs/a.jpg", "../a.jpg", "a/../../b.jpg", "./a.jpg", "a//b.jpg", "a/", "."],
)
def test_row_path_must_be_normalised_and_relative(path: str) -> None:
    with pytest.raises(DatasetError, match="relative to the dataset root"):
        ManifestRow(path, "disc")


def test_row_label_must_not_be_empty() -> None:
    with pytest.raises(DatasetError, match="empty label"):
        ManifestRow("a.jpg", "")


def test_classes_default_to_sorted_labels_and_keep_given_order() -> None:
    manifest = DatasetManifest(Path("r"), rows(("b/1.jpg", "b"), ("a/1.jpg", "a")))
    assert manifest.classes == ("a", "b")
    ordered = DatasetManifest(Path("r"), manifest.rows, classes=("b", "a", "empty"))
    assert ordered.class_counts() == {"b": 1, "a": 1, "empty": 0}


def test_label_outside_class_list_and_repeated_classes_are_refused() -> None:
    with pytest.raises(DatasetError, match="not in the class list: 'b'"):
        DatasetManifest(Path("r"), rows(("b/1.jpg", "b")), classes=("a",))
    with pytest.raises(DatasetError, match="more than once: a"):
        DatasetManifest(Path("r"), rows(("a/1.jpg", "a")), classes=("a", "a"))


def test_split_parsing_accepts_common_spellings() -> None:
    assert Split.parse(" Validation ") is Split.VAL
    assert Split.parse("TRAINING") is Split.TRAIN
    with pytest.raises(DatasetError, match="unknown split 'holdout'"):
        Split.parse("holdout")


def test_select_and_counts_by_split() -> None:
    manifest = DatasetManifest(
        Path("r"),
        (
            ManifestRow("a/1.jpg", "a", Split.TRAIN),
            ManifestRow("a/1.jpg", "a", Split.TRAIN, augmented=True),
            ManifestRow("b/1.jpg", "b", Split.TEST),
        ),
    )
    assert manifest.splits() == [Split.TRAIN, Split.TEST]
    assert manifest.class_counts(split=Split.TRAIN) == {"a": 2, "b": 0}
    assert manifest.class_counts(include_augmented=False) == {"a": 1, "b": 1}
    assert len(manifest.select(Split.TEST)) == 1
    assert manifest.select(Split.TEST).classes == ("a", "b")


def test_content_fingerprint_ignores_where_the_root_is(class_folders: Path) -> None:
    from_folders = read_class_folders(class_folders)
    csv = class_folders.parent / "labels.csv"
    csv.write_text(
        "path,label\n" + "".join(f"data/{row.path},{row.label}\n" for row in from_folders.rows)
    )
    from_csv = read_csv_manifest(csv)
    assert from_csv.rows[0].path.startswith("data/")
    assert from_csv.content_fingerprint() == from_folders.content_fingerprint()

    copy = class_folders.parent / "copy"
    shutil.copytree(class_folders, copy)
    assert read_class_folders(copy).content_fingerprint() == from_folders.content_fingerprint()
    (copy / "disc" / "disc_00000.jpg").write_bytes((copy / "disc" / "disc_00001.jpg").read_bytes())
    assert read_class_folders(copy).content_fingerprint() != from_folders.content_fingerprint()


def test_content_fingerprint_reports_progress_and_missing_files(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    calls: list[tuple[int, int]] = []
    manifest.content_fingerprint(progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (12, 12)
    assert len(calls) == 12
    (class_folders / "disc" / "disc_00000.jpg").unlink()
    with pytest.raises(DatasetError, match="disc_00000.jpg: cannot read"):
        manifest.content_fingerprint()


def test_rows_fingerprint_follows_labels_and_splits() -> None:
    base = DatasetManifest(Path("r"), rows(("a/1.jpg", "a"), ("b/1.jpg", "b")))
    moved = DatasetManifest(Path("elsewhere/r"), base.rows)
    relabelled = base.with_rows(rows(("a/1.jpg", "b"), ("b/1.jpg", "b")))
    split = base.with_rows(ManifestRow(r.path, r.label, Split.TEST) for r in base.rows)
    assert base.rows_fingerprint() == moved.rows_fingerprint()
    assert base.rows_fingerprint() != relabelled.rows_fingerprint()
    assert base.rows_fingerprint() != split.rows_fingerprint()


def test_json_round_trip_keeps_everything(tmp_path: Path) -> None:
    manifest = DatasetManifest(
        tmp_path / "images",
        (
            ManifestRow("z/1.jpg", "z", Split.TRAIN, "station 1"),
            ManifestRow("z/1.jpg", "z", Split.TRAIN, "station 1", augmented=True),
            ManifestRow("a/é.jpg", "a", Split.VAL, None),
        ),
        classes=("z", "a", "unused"),
    )
    path = save_manifest(manifest, tmp_path / "sets" / "manifest.json")
    assert json.loads(path.read_text())["root"] == "../images"
    loaded = load_manifest(path)
    assert loaded == DatasetManifest(
        Path(str(tmp_path / "images")), manifest.rows, manifest.classes
    )


def test_csv_round_trip_keeps_rows(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    marked = manifest.with_rows(
        ManifestRow(r.path, r.label, Split.TRAIN, "g1", augmented=i == 0)
        for i, r in enumerate(manifest.rows)
    )
    path = save_manifest(marked, class_folders.parent / "manifest.csv")
    assert path.read_text().splitlines()[0] == "path,label,split,group,augmented"
    loaded = load_manifest(path)
    assert loaded.root == class_folders.parent
    assert [(r.path, r.split, r.group, r.augmented) for r in loaded.rows] == [
        (f"data/{r.path}", r.split, r.group, r.augmented) for r in marked.rows
    ]
    assert loaded.content_fingerprint() == manifest.content_fingerprint()


def test_csv_cannot_be_saved_below_the_root(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    with pytest.raises(DatasetError, match="must be in the dataset root"):
        save_manifest(manifest, class_folders.parent / "sub" / "manifest.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "not a seascope dataset manifest"),
        ('{"format": "other", "version": 1, "root": ".", "classes": [], "rows": []}', "format"),
        ("not json", "not a seascope dataset manifest"),
    ],
)
def test_load_rejects_files_that_are_not_manifests(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_manifest(path)


def test_load_and_save_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="manifest not found"):
        load_manifest(tmp_path / "missing.json")
    with pytest.raises(DatasetError, match=r"\.json or \.csv"):
        load_manifest(tmp_path / "m.yaml")
    manifest = DatasetManifest(tmp_path, rows(("a/1.jpg", "a")))
    with pytest.raises(DatasetError, match=r"\.json or \.csv"):
        save_manifest(manifest, tmp_path / "m.txt")
