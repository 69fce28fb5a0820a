"""Stratified, seeded train/val/test splits and k-fold cross-validation folds.

Both work on *units*: an image, or with ``grouped=True`` a whole group (sample, cast,
station) so that images of one sample never straddle two splits, which would leak near
duplicates into the test set. Rows that share a path always form one unit, so an
oversampled copy stays with its original.

The allocation is a greedy iterative stratification:

1. every class is first given one unit in every split (rarest classes first, smallest
   units first), so that each split sees each class;
2. the remaining units, largest first and in seeded random order among equals, go to the
   split where they bring the per-class counts closest to their targets
   (``fraction * class total``), ties going to the least filled split.

For single images this gives exact per-class counts (largest-remainder rounding); for
groups it gives the closest the group sizes allow. The same seed always gives the same
result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from seascope.datasets.manifest import DatasetManifest, ManifestRow, Split, preview_names
from seascope.errors import DatasetError, InvalidParameters

__all__ = ["assign_folds", "assign_splits", "k_fold_manifests"]

_SPLITS = (Split.TRAIN, Split.VAL, Split.TEST)


def assign_splits(
    manifest: DatasetManifest,
    *,
    val: float = 0.1,
    test: float = 0.1,
    seed: int = 0,
    grouped: bool = False,
) -> DatasetManifest:
    """Give every row a split; train gets ``1 - val - test`` of each class.

    Existing splits are replaced. A split with fraction 0 gets no rows.

    Args:
        manifest: The dataset.
        val: Fraction of each class for validation.
        test: Fraction of each class for testing.
        seed: Seed of the random order; the same seed gives the same splits.
        grouped: Keep each ``group`` (sample) within one split; every row needs a group.

    Returns:
        The manifest with the splits set, rows in their original order.

    Raises:
        InvalidParameters: fractions outside ``[0, 1)``, ``val + test >= 1``, or a
            negative seed.
        DatasetError: a class has fewer images (or groups) than splits to fill, a grouped
            split meets rows without a group, or grouping makes a class miss a split.

    Example:
        >>> split = assign_splits(manifest, val=0.1, test=0.1, seed=42)  # doctest: +SKIP
        >>> split.class_counts(split=Split.TEST)  # doctest: +SKIP
        {'chain': 3, 'disc': 3}
    """
    bad = {
        name: ["must be in [0, 1)"]
        for name, value in (("val", val), ("test", test))
        if not 0.0 <= value < 1.0
    }
    if not bad and val + test >= 1.0:
        bad["test"] = [f"val + test = {val + test:g} leaves nothing for train"]
    if bad:
        raise InvalidParameters("invalid split fractions", bad)
    bins = _allocate_rows(
        manifest, [1.0 - val - test, val, test], seed=seed, grouped=grouped, names=_SPLITS
    )
    return manifest.with_rows(
        replace(row, split=_SPLITS[b]) for row, b in zip(manifest.rows, bins, strict=True)
    )


def assign_folds(
    manifest: DatasetManifest, *, k: int = 5, seed: int = 0, grouped: bool = False
) -> tuple[int, ...]:
    """The cross-validation fold (``0..k-1``) of every row, stratified by class.

    Every row is in exactly one fold; with ``grouped=True`` a group is in one fold.

    Raises:
        InvalidParameters: ``k`` below 2.
        DatasetError: a class has fewer than ``k`` images (or groups), or rows without a
            group in a grouped split.

    Example:
        >>> folds = assign_folds(manifest, k=5, seed=0)  # doctest: +SKIP
        >>> sorted(set(folds))  # doctest: +SKIP
        [0, 1, 2, 3, 4]
    """
    if k < 2:
        raise InvalidParameters("invalid number of folds", {"k": ["must be at least 2"]})
    names = tuple(f"fold {i}" for i in range(k))
    return tuple(_allocate_rows(manifest, [1.0 / k] * k, seed=seed, grouped=grouped, names=names))


def k_fold_manifests(
    manifest: DatasetManifest,
    *,
    k: int = 5,
    seed: int = 0,
    grouped: bool = False,
    held_out: Split = Split.TEST,
) -> list[DatasetManifest]:
    """One manifest per fold: the fold's rows in ``held_out``, all others in train.

    Raises:
        InvalidParameters: ``k`` below 2 or ``held_out`` is train.
        DatasetError: as :func:`assign_folds`.

    Example:
        >>> for fold in k_fold_manifests(manifest, k=5):  # doctest: +SKIP
        ...     train(fold.select(Split.TRAIN)); evaluate(fold.select(Split.TEST))
    """
    if held_out == Split.TRAIN:
        raise InvalidParameters("invalid held-out split", {"held_out": ["must be val or test"]})
    folds = assign_folds(manifest, k=k, seed=seed, grouped=grouped)
    return [
        manifest.with_rows(
            replace(row, split=held_out if fold == index else Split.TRAIN)
            for row, fold in zip(manifest.rows, folds, strict=True)
        )
        for index in range(k)
    ]


def _allocate_rows(
    manifest: DatasetManifest,
    fractions: list[float],
    *,
    seed: int,
    grouped: bool,
    names: Sequence[str],
) -> list[int]:
    """The bin of every row."""
    if seed < 0:
        raise InvalidParameters("invalid seed", {"seed": ["must be >= 0"]})
    if not manifest.rows:
        raise DatasetError("cannot split an empty dataset")
    unit_of_row, units = _units(manifest.rows, manifest.classes, grouped=grouped)
    allocation = _Allocation(
        units,
        fractions,
        n_classes=len(manifest.classes),
        rng=np.random.default_rng(seed),
    )
    kind = "group(s)" if grouped else "image(s)"
    allocation.check_enough(manifest.classes, kind=kind, names=names)
    bins = allocation.run()
    allocation.check_every_class_placed(manifest.classes, kind=kind, names=names)
    return [bins[unit] for unit in unit_of_row]


def _units(
    rows: Sequence[ManifestRow], classes: Sequence[str], *, grouped: bool
) -> tuple[list[int], list[Counter[int]]]:
    """Join rows that share a path (and a group) into units; count classes per unit."""
    if grouped:
        lacking = [row.path for row in rows if row.group is None]
        if lacking:
            raise DatasetError(
                f"a grouped split needs a group for every row; {len(lacking)} row(s) have "
                f"none: {preview_names(lacking)}"
            )
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        keys = [("path", row.path)] + ([("group", row.group or "")] if grouped else [])
        for key in keys:
            j = first.setdefault(key, i)
            if j != i:
                parent[find(i)] = find(j)
    class_index = {name: i for i, name in enumerate(classes)}
    unit_id: dict[int, int] = {}
    unit_of_row: list[int] = []
    units: list[Counter[int]] = []
    for i, row in enumerate(rows):
        root = find(i)
        if root not in unit_id:
            unit_id[root] = len(units)
            units.append(Counter())
        unit_of_row.append(unit_id[root])
        units[unit_id[root]][class_index[row.label]] += 1
    return unit_of_row, units


class _Allocation:
    """Greedy iterative stratification of units into bins with target fractions."""

    def __init__(
        self,
        units: list[Counter[int]],
        fractions: list[float],
        *,
        n_classes: int,
        rng: np.random.Generator,
    ) -> None:
        self.units = units
        self.bins = [b for b, fraction in enumerate(fractions) if fraction > 0]
        totals = [0] * n_classes
        for unit in units:
            for c, n in unit.items():
                totals[c] += n
        self.totals = totals
        self.target = [[fraction * total for total in totals] for fraction in fractions]
        self.bin_target = [fraction * sum(totals) for fraction in fractions]
        self.current = [[0] * n_classes for _ in fractions]
        self.bin_size = [0] * len(fractions)
        self.assignment = [-1] * len(units)
        self.size = [sum(unit.values()) for unit in units]
        self.rank = [0] * len(units)
        for position, unit in enumerate(rng.permutation(len(units)).tolist()):
            self.rank[unit] = position
        self.units_with = Counter(c for unit in units for c in unit)

    def check_enough(self, classes: Sequence[str], *, kind: str, names: Sequence[str]) -> None:
        need = len(self.bins)
        short = [f"{classes[c]} ({n})" for c, n in sorted(self.units_with.items()) if n < need]
        if short:
            wanted = ", ".join(names[b] for b in self.bins)
            raise DatasetError(
                f"{len(short)} class(es) have fewer than {need} {kind}, one for each of "
                f"{wanted}: {preview_names(short)}. Merge or drop them (balance_classes) "
                "or ask for fewer splits"
            )

    def run(self) -> list[int]:
        by_class: dict[int, list[int]] = {}
        for u in sorted(range(len(self.units)), key=lambda u: (self.size[u], self.rank[u])):
            for c in self.units[u]:
                by_class.setdefault(c, []).append(u)
        for c in sorted(by_class, key=lambda c: (self.units_with[c], c)):
            for b in self.bins:
                if self.current[b][c] > 0:
                    continue
                free = next((u for u in by_class[c] if self.assignment[u] < 0), None)
                if free is None:
                    break
                self._place(free, b)
        order = sorted(range(len(self.units)), key=lambda u: (-self.size[u], self.rank[u]))
        for u in order:
            if self.assignment[u] < 0:
                self._place(u, min(self.bins, key=partial(self._key, u)))
        return self.assignment

    def check_every_class_placed(
        self, classes: Sequence[str], *, kind: str, names: Sequence[str]
    ) -> None:
        missing = [
            f"{classes[c]} not in {names[b]}"
            for c in sorted(self.units_with)
            for b in self.bins
            if self.current[b][c] == 0
        ]
        if missing:
            raise DatasetError(
                f"could not put every class in every split with whole {kind}: "
                f"{preview_names(missing)}. Those classes sit in too few groups; merge or "
                "drop them, or split without grouping"
            )

    def _key(self, u: int, b: int) -> tuple[float, float, int]:
        current, target = self.current[b], self.target[b]
        cost = 0.0
        for c, n in self.units[u].items():
            cost += abs(current[c] + n - target[c]) - abs(current[c] - target[c])
        return (cost, self.bin_size[b] / self.bin_target[b], b)

    def _place(self, u: int, b: int) -> None:
        self.assignment[u] = b
        self.bin_size[b] += self.size[u]
        for c, n in self.units[u].items():
            self.current[b][c] += n
