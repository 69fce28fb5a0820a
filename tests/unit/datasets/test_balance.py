"""Class balancing: subsample above the maximum; oversample, drop or merge below the minimum."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from seascope.datasets import (
    BalanceReport,
    DatasetManifest,
    ManifestRow,
    Split,
    assign_splits,
    balance_classes,
    check_dataset,
    read_class_folders,
)
from seascope.errors import DatasetError, InvalidParameters


def dataset(counts: dict[str, int]) -> DatasetManifest:
    rows = tuple(
        ManifestRow(f"{label}/{i}.jpg", label) for label, n in counts.items() for i in range(n)
    )
    return DatasetManifest(Path("root"), rows)


def actions(report: BalanceReport) -> dict[str, tuple[str, int, int]]:
    return {c.name: (c.action, c.before, c.after) for c in report.classes}


def test_defaults_are_100_and_10000() -> None:
    result = balance_classes(dataset({"big": 10_050, "ok": 100, "small": 30}))
    assert actions(result.report) == {
        "big": ("subsampled", 10_050, 10_000),
        "ok": ("kept", 100, 100),
        "small": ("oversampled", 30, 100),
    }
    assert (result.report.min_per_class, result.report.max_per_class) == (100, 10_000)
    assert result.manifest.class_counts() == {"big": 10_000, "ok": 100, "small": 100}


def test_oversampled_copies_are_marked_and_spread_evenly() -> None:
    result = balance_classes(dataset({"a": 10, "b": 3}), min_per_class=10, max_per_class=100)
    copies = [r for r in result.manifest.rows if r.augmented]
    assert len(copies) == 7
    assert {r.label for r in copies} == {"b"}
    assert max(Counter(r.path for r in copies).values()) == 3  # 7 copies of 3 images: 3, 2, 2
    assert result.manifest.rows[:13] == dataset({"a": 10, "b": 3}).rows
    report = check_dataset(result.manifest, min_per_class=1)
    assert report.duplicates == ()


def test_subsampling_is_seeded() -> None:
    manifest = dataset({"a": 50, "b": 50})
    first = balance_classes(manifest, min_per_class=1, max_per_class=20, seed=1)
    again = balance_classes(manifest, min_per_class=1, max_per_class=20, seed=1)
    other = balance_classes(manifest, min_per_class=1, max_per_class=20, seed=2)
    assert first.manifest == again.manifest
    assert first.manifest != other.manifest
    assert first.manifest.class_counts() == {"a": 20, "b": 20}
    assert first.report.rows_after == 40


def test_drop_removes_the_class_everywhere() -> None:
    result = balance_classes(
        dataset({"a": 10, "b": 2, "c": 1}), min_per_class=5, max_per_class=50, below_min="drop"
    )
    assert result.manifest.classes == ("a",)
    assert actions(result.report)["b"] == ("dropped", 2, 0)
    assert [c.name for c in result.report.changed()] == ["b", "c"]
    with pytest.raises(DatasetError, match="dropping them leaves nothing"):
        balance_classes(dataset({"a": 1}), min_per_class=5, below_min="drop")


def test_merge_into_a_new_or_existing_class() -> None:
    manifest = dataset({"a": 10, "b": 2, "c": 1})
    result = balance_classes(manifest, min_per_class=5, below_min="merge:other")
    assert result.manifest.classes == ("a", "other")
    assert result.manifest.class_counts() == {"a": 10, "other": 3}
    changes = {c.name: c for c in result.report.classes}
    assert changes["b"].action == "merged"
    assert changes["b"].merged_into == "other"
    assert changes["other"].received_from == ("b", "c")
    assert result.report.notes == ("'other' still has 3 rows after merging",)

    into_a = balance_classes(manifest, min_per_class=5, max_per_class=11, below_min="merge:a")
    assert into_a.manifest.classes == ("a",)
    assert actions(into_a.report)["a"] == ("subsampled", 10, 11)


def test_balancing_one_split_leaves_the_others_alone() -> None:
    manifest = assign_splits(dataset({"a": 40, "b": 10}), val=0.2, test=0.2, seed=0)
    result = balance_classes(manifest, min_per_class=10, max_per_class=20, split=Split.TRAIN)
    assert result.manifest.class_counts(split=Split.TRAIN) == {"a": 20, "b": 10}
    for split in (Split.VAL, Split.TEST):
        assert result.manifest.class_counts(split=split) == manifest.class_counts(split=split)
    assert all(r.split == Split.TRAIN for r in result.manifest.rows if r.augmented)


def test_balancing_twice_changes_nothing() -> None:
    manifest = dataset({"a": 40, "b": 3})
    once = balance_classes(manifest, min_per_class=10, max_per_class=20, seed=5)
    twice = balance_classes(once.manifest, min_per_class=10, max_per_class=20, seed=5)
    assert twice.manifest == once.manifest
    assert twice.report.notes == ("removed 7 earlier oversampled copies",)


def test_oversample_needs_images() -> None:
    manifest = assign_splits(dataset({"a": 10, "b": 3}), val=0.0, test=0.35, seed=0)
    empty_in_train = manifest.with_rows(
        r for r in manifest.rows if not (r.label == "b" and r.split == Split.TRAIN)
    )
    with pytest.raises(DatasetError, match="no image to oversample: 'b'"):
        balance_classes(empty_in_train, min_per_class=5, split=Split.TRAIN)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"below_min": "repeat"}, "below_min"),
        ({"below_min": "merge:"}, "below_min"),
        ({"min_per_class": 10, "max_per_class": 5}, "min_per_class"),
        ({"min_per_class": -1}, "min_per_class"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_settings(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        balance_classes(dataset({"a": 3}), **kwargs)  # type: ignore[arg-type]
    assert field in caught.value.fields


def test_report_is_json(class_folders: Path) -> None:
    result = balance_classes(read_class_folders(class_folders), min_per_class=6)
    assert BalanceReport.model_validate_json(result.report.model_dump_json()) == result.report


def test_real_flowcam_balance(flowcam_dir: Path) -> None:
    manifest = assign_splits(read_class_folders(flowcam_dir), seed=0)
    result = balance_classes(manifest, min_per_class=12, max_per_class=12, split=Split.TRAIN)
    assert set(result.manifest.class_counts(split=Split.TRAIN).values()) == {12}
    for row in result.manifest.rows:
        assert result.manifest.path_of(row).is_file()
