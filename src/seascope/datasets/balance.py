"""Class balancing: cap large classes, and repeat, drop or merge small ones.

Plankton data sets are extremely imbalanced (a few detritus or diatom classes with
tens of thousands of images, many taxa with a handful). The platform default keeps
each class between 100 and 10,000 images: larger classes are subsampled (seeded), and
for smaller ones the user picks what to do:

- ``oversample``: repeat its images until it has ``min_per_class`` rows; the copies are
  marked ``augmented`` so that training augments them and checks ignore them;
- ``drop``: remove the class (from every split and from the class list);
- ``merge:<ClassName>``: relabel its images as ``<ClassName>`` (an existing class, or a
  new one such as ``other``), everywhere.

Balancing starts from the original images: oversampled copies already in the manifest
are removed first, so balancing twice with the same settings changes nothing.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from seascope.datasets.checks import DEFAULT_MAX_PER_CLASS, DEFAULT_MIN_PER_CLASS
from seascope.datasets.manifest import DatasetManifest, ManifestRow, Split, preview_names
from seascope.errors import DatasetError, InvalidParameters

__all__ = ["BalanceReport", "BalanceResult", "ClassChange", "balance_classes"]

Action = Literal["kept", "subsampled", "oversampled", "dropped", "merged"]
_Scope = Callable[[ManifestRow], bool]


class ClassChange(BaseModel):
    """What balancing did to one class.

    Attributes:
        name: The class.
        before: Its original images in the balanced rows.
        after: Its rows afterwards (copies included).
        action: ``kept``, ``subsampled``, ``oversampled``, ``dropped`` or ``merged``
            (relabelled as ``merged_into``).
        merged_into: The class that received its images.
        received_from: Classes merged into this one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    before: int
    after: int
    action: Action
    merged_into: str | None = None
    received_from: tuple[str, ...] = ()


class BalanceReport(BaseModel):
    """The settings and the per-class changes of one balancing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_per_class: int
    max_per_class: int
    below_min: str
    split: Split | None
    seed: int
    rows_before: int
    rows_after: int
    classes: tuple[ClassChange, ...]
    notes: tuple[str, ...] = ()

    def changed(self) -> list[ClassChange]:
        """The classes whose action is not ``kept``."""
        return [change for change in self.classes if change.action != "kept"]


@dataclass(frozen=True, slots=True)
class BalanceResult:
    """The balanced manifest and what changed."""

    manifest: DatasetManifest
    report: BalanceReport


def balance_classes(
    manifest: DatasetManifest,
    *,
    min_per_class: int = DEFAULT_MIN_PER_CLASS,
    max_per_class: int = DEFAULT_MAX_PER_CLASS,
    below_min: str = "oversample",
    seed: int = 0,
    split: Split | None = None,
) -> BalanceResult:
    """Bring every class to between ``min_per_class`` and ``max_per_class`` rows.

    Args:
        manifest: The dataset.
        min_per_class: Classes with fewer original images are handled by ``below_min``.
        max_per_class: Classes with more are subsampled to this many (seeded).
        below_min: ``oversample``, ``drop`` or ``merge:<ClassName>``.
        seed: Seed for subsampling and oversampling.
        split: Count and resample only the rows of this split (usually
            ``Split.TRAIN``, so that validation and test keep the natural
            distribution); dropping and merging still apply to every split so that
            the class list stays the same. Default: all rows.

    Returns:
        The balanced manifest (kept rows in their order, then the copies) and a report.

    Raises:
        InvalidParameters: a bad ``below_min``, ``min_per_class > max_per_class``, or a
            negative seed.
        DatasetError: ``oversample`` meets a class with no image to repeat, or every
            class would be dropped.

    Example:
        >>> result = balance_classes(manifest, below_min="merge:other", split=Split.TRAIN)
        ... # doctest: +SKIP
        >>> [c.name for c in result.report.changed()]  # doctest: +SKIP
        ['Tripos', 'other']
    """
    policy, target = _parse_policy(below_min)
    if not 0 <= min_per_class <= max_per_class or max_per_class < 1:
        raise InvalidParameters(
            "invalid class limits",
            {"min_per_class": [f"need 0 <= min ({min_per_class}) <= max ({max_per_class})"]},
        )
    if seed < 0:
        raise InvalidParameters("invalid seed", {"seed": ["must be >= 0"]})

    def in_scope(row: ManifestRow) -> bool:
        return split is None or row.split == split

    rows = [row for row in manifest.rows if not (row.augmented and in_scope(row))]
    before = Counter(row.label for row in rows if in_scope(row))
    small = [name for name in manifest.classes if before[name] < min_per_class and name != target]
    notes: list[str] = []
    if len(rows) < len(manifest.rows):
        notes.append(f"removed {len(manifest.rows) - len(rows)} earlier oversampled copies")
    classes = list(manifest.classes)
    merged_into: dict[str, str] = {}
    if policy == "drop":
        dropped = set(small)
        rows = [row for row in rows if row.label not in dropped]
        classes = [name for name in classes if name not in dropped]
        if not classes:
            raise DatasetError(
                f"every class has fewer than {min_per_class} images; dropping them leaves nothing"
            )
    elif policy == "merge" and small:
        merged_into = dict.fromkeys(small, target)
        rows = [replace(row, label=target) if row.label in merged_into else row for row in rows]
        classes = [name for name in classes if name not in merged_into]
        if target not in classes:
            classes.append(target)
    rows = _subsample(rows, classes, in_scope, max_per_class, seed)
    copies: list[ManifestRow] = []
    if policy == "oversample":
        copies = _oversample(rows, small, in_scope, min_per_class, seed)
    balanced = manifest.with_rows([*rows, *copies], classes=classes)
    after = balanced.class_counts(split=split)
    if merged_into and after.get(target, 0) < min_per_class:
        notes.append(f"{target!r} still has {after.get(target, 0)} rows after merging")
    report = BalanceReport(
        min_per_class=min_per_class,
        max_per_class=max_per_class,
        below_min=below_min,
        split=split,
        seed=seed,
        rows_before=len(manifest.rows),
        rows_after=len(balanced.rows),
        classes=tuple(_changes(manifest.classes, classes, before, after, merged_into, small)),
        notes=tuple(notes),
    )
    return BalanceResult(manifest=balanced, report=report)


def _parse_policy(text: str) -> tuple[Literal["oversample", "drop", "merge"], str]:
    if text == "oversample":
        return "oversample", ""
    if text == "drop":
        return "drop", ""
    if text.startswith("merge:") and text[len("merge:") :].strip():
        return "merge", text[len("merge:") :]
    raise InvalidParameters(
        f"invalid below_min {text!r}",
        {"below_min": ["expected 'oversample', 'drop' or 'merge:<ClassName>'"]},
    )


def _subsample(
    rows: list[ManifestRow],
    classes: list[str],
    in_scope: _Scope,
    max_per_class: int,
    seed: int,
) -> list[ManifestRow]:
    positions: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if in_scope(row):
            positions.setdefault(row.label, []).append(index)
    removed: set[int] = set()
    for name in classes:
        found = positions.get(name, [])
        if len(found) > max_per_class:
            rng = _class_rng(seed, "subsample", name)
            keep = set(rng.choice(len(found), size=max_per_class, replace=False).tolist())
            removed.update(found[i] for i in range(len(found)) if i not in keep)
    return [row for index, row in enumerate(rows) if index not in removed]


def _oversample(
    rows: list[ManifestRow],
    small: list[str],
    in_scope: _Scope,
    min_per_class: int,
    seed: int,
) -> list[ManifestRow]:
    copies: list[ManifestRow] = []
    empty: list[str] = []
    for name in small:
        originals = [row for row in rows if row.label == name and in_scope(row)]
        if not originals:
            empty.append(name)
            continue
        missing = min_per_class - len(originals)
        rng = _class_rng(seed, "oversample", name)
        # Whole shuffled passes, so every image is repeated as evenly as possible.
        order: list[int] = []
        while len(order) < missing:
            order.extend(rng.permutation(len(originals)).tolist())
        copies.extend(replace(originals[i], augmented=True) for i in order[:missing])
    if empty:
        raise DatasetError(
            f"{len(empty)} class(es) have no image to oversample: {preview_names(empty)} "
            "(use below_min='drop' or 'merge:<ClassName>')"
        )
    return copies


def _class_rng(seed: int, step: str, name: str) -> np.random.Generator:
    """One random stream per class and step: a class's result does not depend on the
    other classes, so balancing twice, or with a class added, changes nothing else."""
    return np.random.default_rng([seed, zlib.crc32(step.encode()), zlib.crc32(name.encode())])


def _changes(
    old_classes: tuple[str, ...],
    new_classes: list[str],
    before: Counter[str],
    after: dict[str, int],
    merged_into: dict[str, str],
    small: list[str],
) -> list[ClassChange]:
    received: dict[str, list[str]] = {}
    for source, target in merged_into.items():
        received.setdefault(target, []).append(source)
    changes: list[ClassChange] = []
    for name in [*old_classes, *(n for n in new_classes if n not in old_classes)]:
        count_after = after.get(name, 0)
        action: Action
        if name in merged_into:
            action = "merged"
        elif name not in new_classes:
            action = "dropped"
        elif count_after < before[name] + sum(before[s] for s in received.get(name, [])):
            action = "subsampled"
        elif name in small and count_after > before[name]:
            action = "oversampled"
        else:
            action = "kept"
        changes.append(
            ClassChange(
                name=name,
                before=before[name],
                after=count_after,
                action=action,
                merged_into=merged_into.get(name),
                received_from=tuple(received.get(name, [])),
            )
        )
    return changes
