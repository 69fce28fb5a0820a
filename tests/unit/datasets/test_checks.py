"""The dataset check finds what would hurt training, reading each file once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from seascope.datasets import (
    DatasetManifest,
    DatasetReport,
    ManifestRow,
    Split,
    check_dataset,
    label_problems,
    read_class_folders,
    render_report,
)

WriteImage = Callable[..., Path]


def relabel(manifest: DatasetManifest, **splits: Split) -> DatasetManifest:
    """Give rows a split by file name: ``relabel(m, **{"disc_00000.jpg": Split.TEST})``."""
    return manifest.with_rows(
        ManifestRow(r.path, r.label, splits.get(Path(r.path).name, Split.TRAIN))
        for r in manifest.rows
    )


def test_clean_dataset(tmp_path: Path, write_image: WriteImage) -> None:
    for i in range(3):
        write_image(tmp_path / "disc" / f"{i}.png", "disc", seed=i, greyscale=True)
        write_image(tmp_path / "chain" / f"{i}.png", "chain", seed=i)
    manifest = read_class_folders(tmp_path)
    report = check_dataset(manifest, min_per_class=3, max_per_class=3)
    assert report.ok
    assert report.findings == ()
    assert (report.rows, report.files, report.readable) == (6, 6, 6)
    assert (report.greyscale, report.colour) == (3, 3)
    assert report.width is not None
    assert report.height is not None
    assert (report.width.min, report.width.median, report.width.max) == (48, 48.0, 48)
    assert [(c.name, c.images, c.below_min) for c in report.classes] == [
        ("chain", 3, False),
        ("disc", 3, False),
    ]
    assert report.content_fingerprint == manifest.content_fingerprint()


def test_unreadable_truncated_empty_and_missing_files(class_folders: Path) -> None:
    disc = class_folders / "disc"
    (disc / "random.jpg").write_bytes(b"this is not an image at all")
    (disc / "empty.jpg").write_bytes(b"")
    data = (disc / "disc_00000.jpg").read_bytes()
    (disc / "truncated.jpg").write_bytes(data[: len(data) // 2])
    manifest = read_class_folders(class_folders)
    (disc / "disc_00003.jpg").unlink()

    report = check_dataset(manifest, min_per_class=1)
    reasons = {problem.path: problem.reason for problem in report.unreadable}
    assert set(reasons) == {"disc/random.jpg", "disc/empty.jpg", "disc/truncated.jpg"}
    assert "not an image" in reasons["disc/random.jpg"]
    assert "empty" in reasons["disc/empty.jpg"]
    assert "truncated or corrupt" in reasons["disc/truncated.jpg"]
    assert {"unreadable_image", "missing_image"} <= report.codes()
    assert not report.ok
    assert report.readable == 15 - 4
    assert report.content_fingerprint is None


def test_duplicates_across_splits_with_other_labels_and_plain(class_folders: Path) -> None:
    shutil.copy(class_folders / "disc" / "disc_00000.jpg", class_folders / "disc" / "copy.jpg")
    shutil.copy(class_folders / "chain" / "chain_00000.jpg", class_folders / "disc" / "wrong.jpg")
    shutil.copy(class_folders / "spiny" / "spiny_00000.jpg", class_folders / "spiny" / "leak.jpg")
    manifest = relabel(read_class_folders(class_folders), **{"leak.jpg": Split.TEST})

    report = check_dataset(manifest, min_per_class=1)
    groups = {group.paths: group for group in report.duplicates}
    assert set(groups) == {
        ("disc/copy.jpg", "disc/disc_00000.jpg"),
        ("chain/chain_00000.jpg", "disc/wrong.jpg"),
        ("spiny/leak.jpg", "spiny/spiny_00000.jpg"),
    }
    leak = groups[("spiny/leak.jpg", "spiny/spiny_00000.jpg")]
    assert leak.cross_split
    assert leak.splits == ("test", "train")
    assert groups[("chain/chain_00000.jpg", "disc/wrong.jpg")].conflicting_labels
    errors = {f.code for f in report.errors}
    assert errors == {"duplicate_across_splits", "duplicate_conflicting_labels"}
    assert {f.code for f in report.warnings} == {"duplicate_images", "class_missing_from_split"}


def test_same_path_in_two_splits_is_a_leak(class_folders: Path) -> None:
    manifest = relabel(read_class_folders(class_folders))
    row = manifest.rows[0]
    leaky = manifest.with_rows([*manifest.rows, ManifestRow(row.path, row.label, Split.TEST)])
    report = check_dataset(leaky, min_per_class=1)
    assert report.duplicates[0].paths == (row.path,)
    assert "duplicate_across_splits" in report.codes()


def test_oversampled_copies_are_not_duplicates(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    row = manifest.rows[0]
    copies = [ManifestRow(row.path, row.label, augmented=True) for _ in range(3)]
    report = check_dataset(manifest.with_rows([*manifest.rows, *copies]), min_per_class=1)
    assert report.duplicates == ()
    assert report.classes[0].augmented == 3
    assert report.ok


def test_empty_and_single_class(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    with_empty = manifest.with_rows(manifest.rows, classes=[*manifest.classes, "empty"])
    assert {f.code for f in check_dataset(with_empty, min_per_class=1).errors} == {"empty_class"}

    single = manifest.with_rows((r for r in manifest.rows if r.label == "disc"), classes=["disc"])
    report = check_dataset(single, min_per_class=1)
    assert {f.code for f in report.errors} == {"single_class"}

    empty = manifest.with_rows([])
    assert "no_rows" in check_dataset(empty).codes()


def test_class_thresholds_and_classes_missing_from_a_split(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    report = check_dataset(manifest, min_per_class=5, max_per_class=10)
    assert {f.code for f in report.findings} == {"class_below_min"}
    assert all(c.below_min for c in report.classes)
    report = check_dataset(manifest, min_per_class=1, max_per_class=3)
    assert {f.code for f in report.findings} == {"class_above_max"}

    split = relabel(manifest, **{"disc_00000.jpg": Split.VAL})
    report = check_dataset(split, min_per_class=1)
    assert report.classes[1].per_split == {"train": 3, "val": 1}
    missing = [f.message for f in report.findings if f.code == "class_missing_from_split"]
    assert missing == ["2 class(es) have no image in val: 'chain', 'spiny'"]


@pytest.mark.parametrize(
    ("label", "reasons"),
    [
        ("Chaetoceros danicus", []),
        ("Copepoda<Maxillopoda", []),
        ("Tripos ", ["leading or trailing whitespace"]),
        ("Tri\tpos", ["tab, line break or repeated spaces"]),
        ("Tri  pos", ["tab, line break or repeated spaces"]),
        ("Ceratium/Tripos", ["slash (cannot be a folder name)"]),
        ("a\\b", ["slash (cannot be a folder name)"]),
        ("bell\x07", ["non-printable character(s) U+0007"]),
        ("zero\u200bwidth", ["non-printable character(s) U+200B"]),
    ],
)
def test_label_problems(label: str, reasons: list[str]) -> None:
    assert label_problems(label) == reasons


def test_odd_labels_are_flagged(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    odd = {"disc": "disc ", "chain": "a/b", "spiny": "[bold]spiny"}
    renamed = manifest.with_rows(
        (ManifestRow(r.path, odd[r.label]) for r in manifest.rows), classes=list(odd.values())
    )
    report = check_dataset(renamed, min_per_class=1)
    assert [p.label for p in report.odd_labels] == ["disc ", "a/b"]
    assert report.ok
    assert [f.code for f in report.warnings] == ["odd_label"]


def test_progress_is_reported_per_file(class_folders: Path) -> None:
    calls: list[tuple[int, int]] = []
    manifest = read_class_folders(class_folders)
    doubled = manifest.with_rows([*manifest.rows, *manifest.rows])
    check_dataset(doubled, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 12) for i in range(1, 13)]


def test_report_is_json_and_renders(class_folders: Path) -> None:
    manifest = read_class_folders(class_folders)
    (class_folders / "disc" / "bad.jpg").write_bytes(b"nope")
    rows = [*manifest.rows, ManifestRow("disc/bad.jpg", "[bold]odd ")]
    report = check_dataset(
        manifest.with_rows(rows, classes=[*manifest.classes, "[bold]odd "]), min_per_class=4
    )
    assert DatasetReport.model_validate_json(report.model_dump_json()) == report

    console = Console(record=True, width=200)
    console.print(render_report(report))
    text = console.export_text()
    assert "[bold]odd" in text
    assert "unreadable_image" in text
    assert "class_below_min" in text
    assert "disc" in text


def test_real_flowcam_sample(flowcam_dir: Path) -> None:
    manifest = read_class_folders(flowcam_dir)
    report = check_dataset(manifest, min_per_class=10)
    assert report.ok, report.findings
    assert report.readable == 82
    assert report.greyscale + report.colour == 82
    assert report.greyscale > 0
    assert report.colour > 0
    assert {c.name: c.images for c in report.classes}["Tripos"] == 10
    default = check_dataset(manifest)
    assert [f.code for f in default.findings] == ["class_below_min"]
