"""Stratified, seeded splits and k-fold folds, by image or by group."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from seascope.datasets import (
    DatasetManifest,
    ManifestRow,
    Split,
    assign_folds,
    assign_splits,
    k_fold_manifests,
    read_class_folders,
)
from seascope.errors import DatasetError, InvalidParameters


def dataset(counts: dict[str, int], *, groups: int | None = None) -> DatasetManifest:
    """``counts`` images per class; with ``groups``, image ``i`` of every class is in
    group ``g{i % groups}`` so that groups mix classes and differ in size."""
    rows = [
        ManifestRow(f"{label}/{i}.jpg", label, group=None if groups is None else f"g{i % groups}")
        for label, n in counts.items()
        for i in range(n)
    ]
    return DatasetManifest(Path("root"), tuple(rows))


def per_split(manifest: DatasetManifest) -> dict[str, tuple[int, ...]]:
    table = {s: manifest.class_counts(split=s) for s in Split}
    return {name: tuple(table[s][name] for s in Split) for name in manifest.classes}


def test_ungrouped_counts_are_exact_per_class() -> None:
    manifest = dataset({"a": 10, "b": 20, "c": 33, "d": 3})
    split = assign_splits(manifest, val=0.1, test=0.2, seed=1)
    assert per_split(split) == {
        "a": (7, 1, 2),
        "b": (14, 2, 4),
        "c": (23, 3, 7),
        "d": (1, 1, 1),  # tiny class: one image in each split
    }
    assert [r.path for r in split.rows] == [r.path for r in manifest.rows]


def test_same_seed_same_split_other_seed_other_split() -> None:
    manifest = dataset({"a": 40, "b": 25})
    first = assign_splits(manifest, seed=7)
    assert assign_splits(manifest, seed=7) == first
    assert assign_splits(manifest, seed=8) != first
    assert per_split(assign_splits(manifest, seed=8)) == per_split(first)


def test_existing_splits_are_replaced_and_zero_fractions_are_empty() -> None:
    manifest = dataset({"a": 10, "b": 10})
    split = assign_splits(manifest, val=0.3, test=0.0)
    assert split.splits() == [Split.TRAIN, Split.VAL]
    again = assign_splits(split, val=0.0, test=0.0)
    assert {r.split for r in again.rows} == {Split.TRAIN}


def test_class_too_small_for_the_splits() -> None:
    manifest = dataset({"a": 10, "rare": 2})
    with pytest.raises(
        DatasetError, match=r"fewer than 3 image\(s\).*train, val, test: 'rare \(2\)'"
    ):
        assign_splits(manifest)
    assert per_split(assign_splits(manifest, test=0.0))["rare"] == (1, 1, 0)


@pytest.mark.parametrize(
    ("val", "test", "field"),
    [(-0.1, 0.1, "val"), (0.1, 1.0, "test"), (0.5, 0.5, "test"), (1.2, 0.0, "val")],
)
def test_invalid_fractions(val: float, test: float, field: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        assign_splits(dataset({"a": 10}), val=val, test=test)
    assert field in caught.value.fields


def test_empty_dataset_and_negative_seed() -> None:
    with pytest.raises(DatasetError, match="empty dataset"):
        assign_splits(DatasetManifest(Path("r"), ()))
    with pytest.raises(InvalidParameters, match="seed"):
        assign_folds(dataset({"a": 10}), seed=-1)


def test_grouped_split_keeps_groups_whole_and_fractions_close() -> None:
    manifest = dataset({"a": 300, "b": 200, "c": 120}, groups=40)
    split = assign_splits(manifest, val=0.15, test=0.15, seed=3, grouped=True)
    by_group: defaultdict[str | None, set[Split | None]] = defaultdict(set)
    for row in split.rows:
        by_group[row.group].add(row.split)
    assert all(len(splits) == 1 for splits in by_group.values())
    sizes = Counter(row.split for row in split.rows)
    assert abs(sizes[Split.TEST] / len(split) - 0.15) < 0.05
    assert abs(sizes[Split.VAL] / len(split) - 0.15) < 0.05
    assert all(min(counts) > 0 for counts in per_split(split).values())
    assert assign_splits(manifest, val=0.15, test=0.15, seed=3, grouped=True) == split


def test_grouped_split_errors() -> None:
    with pytest.raises(DatasetError, match=r"needs a group for every row; 10 row\(s\)"):
        assign_splits(dataset({"a": 5, "b": 5}), grouped=True)
    with pytest.raises(DatasetError, match=r"fewer than 3 group\(s\)"):
        assign_splits(dataset({"a": 20, "b": 20}, groups=2), grouped=True)


def test_grouped_split_that_cannot_place_a_class() -> None:
    groups = {
        "a": ["S", "R"],
        "b": ["S", "R"],
        "s3": ["S"] * 5,
        "c": ["T", "R"],
        "t2": ["T"] * 5,
        "t3": ["T"] * 5,
    }
    rows = tuple(
        ManifestRow(f"{group}/{i}.jpg", label, group=group)
        for group, labels in groups.items()
        for i, label in enumerate(labels)
    )
    manifest = DatasetManifest(Path("r"), rows, classes=("S", "T", "R"))
    with pytest.raises(
        DatasetError, match="could not put every class in every split.*'R not in test'"
    ):
        assign_splits(manifest, grouped=True)


def test_oversampled_copies_stay_with_their_original() -> None:
    manifest = dataset({"a": 10, "b": 10})
    copies = [ManifestRow(r.path, r.label, augmented=True) for r in manifest.rows[:5]]
    split = assign_splits(manifest.with_rows([*manifest.rows, *copies]), seed=2)
    where = defaultdict(set)
    for row in split.rows:
        where[row.path].add(row.split)
    assert all(len(splits) == 1 for splits in where.values())


def test_k_fold_puts_every_row_in_exactly_one_test_fold() -> None:
    manifest = dataset({"a": 10, "b": 23, "c": 5})
    folds = assign_folds(manifest, k=5, seed=0)
    assert len(folds) == len(manifest)
    assert Counter((r.label, f) for r, f in zip(manifest.rows, folds, strict=True))[("a", 0)] == 2
    manifests = k_fold_manifests(manifest, k=5, seed=0)
    held_out: Counter[str] = Counter()
    for index, fold in enumerate(manifests):
        test_rows = [r for r in fold.rows if r.split == Split.TEST]
        assert {r.path for r in test_rows} == {
            r.path for r, f in zip(manifest.rows, folds, strict=True) if f == index
        }
        assert all(count > 0 for count in fold.class_counts(split=Split.TEST).values())
        assert {r.split for r in fold.rows} == {Split.TRAIN, Split.TEST}
        held_out.update(r.path for r in test_rows)
    assert held_out == Counter(r.path for r in manifest.rows)
    assert set(held_out.values()) == {1}
    assert assign_folds(manifest, k=5, seed=0) == folds


def test_grouped_k_fold_keeps_groups_in_one_fold() -> None:
    manifest = dataset({"a": 100, "b": 60}, groups=17)
    folds = assign_folds(manifest, k=5, seed=4, grouped=True)
    fold_of_group: defaultdict[str | None, set[int]] = defaultdict(set)
    for row, fold in zip(manifest.rows, folds, strict=True):
        fold_of_group[row.group].add(fold)
    assert all(len(found) == 1 for found in fold_of_group.values())
    assert set(folds) == set(range(5))
    manifests = k_fold_manifests(manifest, k=5, seed=4, grouped=True, held_out=Split.VAL)
    assert manifests[0].splits() == [Split.TRAIN, Split.VAL]


def test_k_fold_errors() -> None:
    with pytest.raises(InvalidParameters, match="number of folds"):
        assign_folds(dataset({"a": 10}), k=1)
    with pytest.raises(DatasetError, match=r"fewer than 5 image\(s\).*'b \(4\)'"):
        assign_folds(dataset({"a": 10, "b": 4}), k=5)
    with pytest.raises(InvalidParameters, match="held-out"):
        k_fold_manifests(dataset({"a": 10}), held_out=Split.TRAIN)


def test_real_flowcam_split(flowcam_dir: Path) -> None:
    manifest = read_class_folders(flowcam_dir)
    split = assign_splits(manifest, val=0.1, test=0.1, seed=42)
    counts = per_split(split)
    assert counts["Tripos"] == (8, 1, 1)
    assert all(min(c) >= 1 for c in counts.values())
    assert sum(sum(c) for c in counts.values()) == 82
    assert assign_splits(manifest, val=0.1, test=0.1, seed=42) == split
