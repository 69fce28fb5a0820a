"""Check a dataset before training: unreadable images, duplicates, class counts, sizes, labels.

Images are decoded with :func:`seascope.imaging.decode_image`, so an image the check
accepts is one the serving path accepts too. Files are read one at a time, so memory
stays bounded by the largest image whatever the dataset's size.
"""

from __future__ import annotations

import hashlib
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from seascope.datasets.check_report import (
    ClassSummary,
    DatasetReport,
    DuplicateGroup,
    Finding,
    ImageProblem,
    LabelProblem,
    Severity,
    SizeStats,
)
from seascope.datasets.manifest import (
    DatasetManifest,
    ManifestRow,
    ProgressCallback,
    fingerprint_file_hashes,
    preview_names,
)
from seascope.errors import InvalidInput
from seascope.imaging import DEFAULT_MAX_PIXELS, decode_image

__all__ = ["DEFAULT_MAX_PER_CLASS", "DEFAULT_MIN_PER_CLASS", "check_dataset", "label_problems"]

DEFAULT_MIN_PER_CLASS = 100
"""Fewest images per class before a class is flagged (and balanced by default)."""

DEFAULT_MAX_PER_CLASS = 10_000
"""Most images per class before a class is flagged (and subsampled by default)."""


@dataclass(slots=True)
class _Scan:
    """What reading the files gave, kept compact (two ints per readable image)."""

    digests: dict[str, bytes] = field(default_factory=dict)
    unreadable: list[ImageProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    widths: array[int] = field(default_factory=lambda: array("I"))
    heights: array[int] = field(default_factory=lambda: array("I"))
    greyscale: int = 0


def check_dataset(
    manifest: DatasetManifest,
    *,
    min_per_class: int = DEFAULT_MIN_PER_CLASS,
    max_per_class: int = DEFAULT_MAX_PER_CLASS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: ProgressCallback | None = None,
) -> DatasetReport:
    """Read every image once and report what would hurt training.

    Errors: missing or unreadable images, identical images in two splits or with two
    labels, classes without images, fewer than two classes. Warnings: other duplicate
    images, classes outside ``[min_per_class, max_per_class]``, a class absent from a
    split, labels with whitespace, slashes or non-printable characters.

    Args:
        manifest: The dataset.
        min_per_class: Classes with fewer images are flagged.
        max_per_class: Classes with more images are flagged.
        max_pixels: Largest image accepted, as in serving.
        progress: Called as ``progress(done, total)`` after each file.

    Returns:
        The report; ``report.ok`` is false when a finding is an error.

    Example:
        >>> from seascope.datasets import read_class_folders
        >>> report = check_dataset(read_class_folders(Path("data")))  # doctest: +SKIP
        >>> report.ok, [f.code for f in report.findings]  # doctest: +SKIP
        (True, ['class_below_min'])
    """
    scan = _scan_files(manifest, max_pixels=max_pixels, progress=progress)
    classes = _class_summaries(manifest, min_per_class, max_per_class)
    duplicates = _duplicate_groups(manifest.rows, scan.digests)
    odd_labels = [
        LabelProblem(label=name, reasons=tuple(reasons))
        for name in manifest.classes
        if (reasons := label_problems(name))
    ]
    findings = [
        *_file_findings(scan),
        *_duplicate_findings(duplicates),
        *_class_findings(manifest, classes, min_per_class, max_per_class),
        *(
            [Finding(severity="warning", code="odd_label", message=_odd_message(odd_labels))]
            if odd_labels
            else []
        ),
    ]
    readable = len(scan.widths)
    fingerprint = (
        None
        if scan.missing or len(scan.digests) < len(manifest.distinct_paths())
        else fingerprint_file_hashes({p: d.hex() for p, d in scan.digests.items()})
    )
    return DatasetReport(
        root=str(manifest.root),
        rows=len(manifest.rows),
        files=len(manifest.distinct_paths()),
        readable=readable,
        min_per_class=min_per_class,
        max_per_class=max_per_class,
        classes=tuple(classes),
        unreadable=tuple(scan.unreadable),
        duplicates=tuple(duplicates),
        width=_stats(scan.widths),
        height=_stats(scan.heights),
        greyscale=scan.greyscale,
        colour=readable - scan.greyscale,
        odd_labels=tuple(odd_labels),
        findings=tuple(findings),
        content_fingerprint=fingerprint,
    )


def label_problems(label: str) -> list[str]:
    """Why a class name is awkward, or an empty list.

    Single inner spaces are fine (``Chaetoceros danicus``); leading or trailing
    whitespace, tabs, line breaks, repeated spaces, slashes and non-printable characters
    are not.

    Example:
        >>> label_problems("Tripos ")
        ['leading or trailing whitespace']
        >>> label_problems("a/b")
        ['slash (cannot be a folder name)']
    """
    reasons: list[str] = []
    if label != label.strip():
        reasons.append("leading or trailing whitespace")
    inner = label.strip()
    if any(ch.isspace() and ch != " " for ch in inner) or "  " in inner:
        reasons.append("tab, line break or repeated spaces")
    if "/" in label or "\\" in label:
        reasons.append("slash (cannot be a folder name)")
    hidden = sorted(
        {f"U+{ord(ch):04X}" for ch in label if unicodedata.category(ch).startswith("C")}
        - {"U+0009", "U+000A", "U+000D"}
    )
    if hidden:
        reasons.append(f"non-printable character(s) {', '.join(hidden)}")
    return reasons


def _scan_files(
    manifest: DatasetManifest, *, max_pixels: int, progress: ProgressCallback | None
) -> _Scan:
    scan = _Scan()
    paths = manifest.distinct_paths()
    for done, path in enumerate(paths, start=1):
        file = manifest.root / path
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            scan.missing.append(path)
        except OSError as exc:
            scan.unreadable.append(ImageProblem(path=path, reason=f"cannot read the file: {exc}"))
        else:
            scan.digests[path] = hashlib.sha256(data).digest()
            try:
                image = decode_image(data, path, max_pixels=max_pixels)
            except InvalidInput as exc:
                scan.unreadable.append(ImageProblem(path=path, reason=exc.message))
            else:
                scan.widths.append(image.width)
                scan.heights.append(image.height)
                scan.greyscale += int(image.is_greyscale)
            del data
        if progress is not None:
            progress(done, len(paths))
    return scan


def _class_summaries(
    manifest: DatasetManifest, min_per_class: int, max_per_class: int
) -> list[ClassSummary]:
    images: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    per_split: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in manifest.rows:
        if row.augmented:
            copies[row.label] += 1
            continue
        images[row.label] += 1
        if row.split is not None:
            per_split[row.label][row.split.value] += 1
    splits = [split.value for split in manifest.splits()]
    return [
        ClassSummary(
            name=name,
            images=images[name],
            augmented=copies[name],
            per_split={split: per_split[name][split] for split in splits},
            below_min=images[name] < min_per_class,
            above_max=images[name] > max_per_class,
        )
        for name in manifest.classes
    ]


def _duplicate_groups(
    rows: Iterable[ManifestRow], digests: dict[str, bytes]
) -> list[DuplicateGroup]:
    by_digest: defaultdict[bytes, list[ManifestRow]] = defaultdict(list)
    for row in rows:
        digest = digests.get(row.path)
        if digest is not None and not row.augmented:
            by_digest[digest].append(row)
    groups: list[DuplicateGroup] = []
    for digest, members in by_digest.items():
        if len(members) < 2:
            continue
        splits = sorted({row.split.value for row in members if row.split is not None})
        labels = sorted({row.label for row in members})
        groups.append(
            DuplicateGroup(
                sha256=digest.hex(),
                paths=tuple(sorted({row.path for row in members})),
                labels=tuple(labels),
                splits=tuple(splits),
                cross_split=len(splits) > 1,
                conflicting_labels=len(labels) > 1,
            )
        )
    return sorted(groups, key=lambda group: group.paths)


def _file_findings(scan: _Scan) -> list[Finding]:
    findings: list[Finding] = []
    if scan.missing:
        findings.append(
            Finding(
                severity="error",
                code="missing_image",
                message=f"{len(scan.missing)} image file(s) missing: {preview_names(scan.missing)}",
            )
        )
    if scan.unreadable:
        first = scan.unreadable[0]
        findings.append(
            Finding(
                severity="error",
                code="unreadable_image",
                message=f"{len(scan.unreadable)} image(s) cannot be decoded, e.g. {first.reason}",
            )
        )
    return findings


def _duplicate_findings(groups: list[DuplicateGroup]) -> list[Finding]:
    kinds: list[tuple[str, Severity, list[DuplicateGroup], str]] = [
        (
            "duplicate_across_splits",
            "error",
            [g for g in groups if g.cross_split],
            "identical image(s) in more than one split",
        ),
        (
            "duplicate_conflicting_labels",
            "error",
            [g for g in groups if g.conflicting_labels],
            "identical image(s) with different labels",
        ),
        (
            "duplicate_images",
            "warning",
            [g for g in groups if not g.cross_split and not g.conflicting_labels],
            "identical image(s) listed more than once",
        ),
    ]
    return [
        Finding(
            severity=severity,
            code=code,
            message=f"{len(chosen)} set(s) of {text}: "
            + preview_names([" = ".join(g.paths) for g in chosen], limit=3),
        )
        for code, severity, chosen, text in kinds
        if chosen
    ]


def _class_findings(
    manifest: DatasetManifest,
    classes: list[ClassSummary],
    min_per_class: int,
    max_per_class: int,
) -> list[Finding]:
    findings: list[Finding] = []
    if not manifest.rows:
        return [Finding(severity="error", code="no_rows", message="the dataset has no images")]
    empty = [c.name for c in classes if c.images == 0]
    if empty:
        findings.append(
            Finding(
                severity="error",
                code="empty_class",
                message=f"{len(empty)} class(es) without images: {preview_names(empty)}",
            )
        )
    filled = [c for c in classes if c.images > 0]
    if len(filled) < 2:
        findings.append(
            Finding(
                severity="error",
                code="single_class",
                message=f"{len(filled)} class with images; a classifier needs at least 2",
            )
        )
    small = [f"{c.name} ({c.images})" for c in filled if c.below_min]
    if small:
        findings.append(
            Finding(
                severity="warning",
                code="class_below_min",
                message=f"{len(small)} class(es) with fewer than {min_per_class} images: "
                f"{preview_names(small)}",
            )
        )
    large = [f"{c.name} ({c.images})" for c in classes if c.above_max]
    if large:
        findings.append(
            Finding(
                severity="warning",
                code="class_above_max",
                message=f"{len(large)} class(es) with more than {max_per_class} images: "
                f"{preview_names(large)}",
            )
        )
    for split in manifest.splits():
        absent = [c.name for c in filled if c.per_split.get(split.value, 0) == 0]
        if absent:
            findings.append(
                Finding(
                    severity="warning",
                    code="class_missing_from_split",
                    message=f"{len(absent)} class(es) have no image in {split.value}: "
                    f"{preview_names(absent)}",
                )
            )
    return findings


def _odd_message(problems: list[LabelProblem]) -> str:
    shown = "; ".join(f"{p.label!r}: {', '.join(p.reasons)}" for p in problems[:3])
    more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
    return f"{len(problems)} label(s) with odd characters: {shown}{more}"


def _stats(values: array[int]) -> SizeStats | None:
    if not values:
        return None
    pixels = np.frombuffer(values, dtype=np.uint32)
    return SizeStats(min=int(pixels.min()), median=float(np.median(pixels)), max=int(pixels.max()))
