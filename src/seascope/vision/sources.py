"""Read a labelled dataset in any supported layout and refuse what training cannot use.

Formats (``dataset_format``):

- ``folders``: ``root/<class>/<image>``;
- ``csv``: a ``path,label[,split][,group]`` table (paths relative to the CSV's folder);
- ``split-lists``: planktonclas's ``classes.txt`` + ``train.txt`` (+ ``val.txt``,
  ``test.txt``) in a lists folder; images under ``image_root`` (default: the ``images``
  folder beside the lists folder);
- ``ecotaxa``: an EcoTaxa export (``.tsv``, a folder of them, or a ``.zip``);
- ``auto``: the first of the above that the path looks like.

:func:`check_for_training` reads every image once (:func:`seascope.datasets.check_dataset`)
and raises :class:`~seascope.errors.DatasetError` on what would make training fail or
lie: unreadable or missing images (unless ``skip_unreadable``), classes without
images, a single class, identical images with two labels or in two splits, and labels
with leading/trailing whitespace or control characters (an export mistake that makes
two classes look the same). Other findings come back as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from seascope.datasets import (
    IMAGE_SUFFIXES,
    DatasetManifest,
    check_dataset,
    label_problems,
    read_class_folders,
    read_csv_manifest,
    read_ecotaxa,
    read_split_lists,
)
from seascope.datasets import Split as DatasetSplit
from seascope.errors import DatasetError

__all__ = ["CheckedDataset", "DatasetFormat", "check_for_training", "detect_format", "read_dataset"]

DatasetFormat = Literal["auto", "folders", "csv", "split-lists", "ecotaxa"]
_REFUSED_LABEL_REASONS = ("leading or trailing whitespace", "tab, line break", "non-printable")
_ERROR_CODES_ALWAYS = (
    "empty_class",
    "single_class",
    "no_rows",
    "duplicate_conflicting_labels",
    "duplicate_across_splits",
)


@dataclass(frozen=True)
class CheckedDataset:
    """A dataset that passed the training checks.

    Attributes:
        manifest: The rows to train on (unreadable ones removed when skipped).
        skipped: ``path: reason`` of each image left out.
        warnings: Messages of the check's warnings.
        content_fingerprint: SHA-256 of the kept files (see ``content_fingerprint()``).
    """

    manifest: DatasetManifest
    skipped: tuple[str, ...]
    warnings: tuple[str, ...]
    content_fingerprint: str


def detect_format(path: Path) -> Literal["folders", "csv", "split-lists", "ecotaxa"]:
    """The layout ``path`` looks like.

    Raises:
        DatasetError: the path does not exist or matches no layout.
    """
    if not path.exists():
        raise DatasetError(f"dataset not found: {path}")
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return "csv"
        if suffix in {".tsv", ".zip"} or (suffix == ".txt" and "ecotaxa" in path.name.lower()):
            return "ecotaxa"
        raise DatasetError(
            f"{path}: cannot tell the dataset format from a {suffix or 'suffix-less'} file "
            "(expected .csv, an EcoTaxa .tsv/.zip, or a folder)"
        )
    if (path / "classes.txt").is_file() and (path / "train.txt").is_file():
        return "split-lists"
    if any(p.suffix.lower() == ".tsv" for p in path.iterdir() if p.is_file()):
        return "ecotaxa"
    if any(_holds_images(p) for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        return "folders"
    csv_files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    if len(csv_files) == 1:
        return "csv"
    raise DatasetError(
        f"{path}: not a recognised dataset layout (a folder per class, a CSV table, "
        "split lists with classes.txt and train.txt, or an EcoTaxa export); "
        "set dataset_format explicitly"
    )


def read_dataset(
    path: Path,
    *,
    dataset_format: DatasetFormat = "auto",
    image_root: Path | None = None,
    extract_to: Path | None = None,
) -> tuple[DatasetManifest, str]:
    """Read ``path`` as a manifest; returns it and the format used.

    Args:
        path: The dataset (folder, CSV, lists folder, EcoTaxa TSV/folder/zip).
        dataset_format: One of :data:`DatasetFormat`.
        image_root: Images folder for ``split-lists`` and ``csv``.
        extract_to: Where to unpack an EcoTaxa ``.zip``.

    Raises:
        DatasetError: unreadable or invalid dataset (messages from ``seascope.datasets``).
    """
    chosen = detect_format(path) if dataset_format == "auto" else dataset_format
    if not path.exists():
        raise DatasetError(f"dataset not found: {path}")
    if chosen == "folders":
        return read_class_folders(path), chosen
    if chosen == "csv":
        table = path if path.is_file() else _single_csv(path)
        return read_csv_manifest(table, image_root=image_root), chosen
    if chosen == "split-lists":
        images = image_root or _default_image_root(path)
        splits = [DatasetSplit.TRAIN] + [
            split
            for split in (DatasetSplit.VAL, DatasetSplit.TEST)
            if (path / f"{split.value}.txt").is_file()
        ]
        return read_split_lists(path, images, splits=splits), chosen
    if path.is_file() and path.suffix.lower() == ".zip" and extract_to is None:
        raise DatasetError(f"{path}: an EcoTaxa zip needs a folder to extract to")
    return read_ecotaxa(path, extract_to=extract_to), chosen


def check_for_training(manifest: DatasetManifest, *, skip_unreadable: bool) -> CheckedDataset:
    """Check ``manifest`` for training; drop unreadable images if ``skip_unreadable``.

    Raises:
        DatasetError: the problems listed in the module docstring, each file or label
            named in the message.
    """
    refused = [
        f"{label!r}: {', '.join(reasons)}"
        for label in manifest.classes
        if (reasons := [r for r in label_problems(label) if r.startswith(_REFUSED_LABEL_REASONS)])
    ]
    if refused:
        raise DatasetError(
            f"{len(refused)} label(s) look like export mistakes: {'; '.join(refused[:5])}. "
            "Fix them in the dataset (a stray space or control character makes a second "
            "class that looks the same); spaces inside names, slashes and accents are fine"
        )
    report = check_dataset(manifest, min_per_class=1)
    errors = {f.code: f.message for f in report.findings if f.severity == "error"}
    bad_files = {p.path: p.reason for p in report.unreadable}
    missing = [f.message for f in report.findings if f.code == "missing_image"]
    if bad_files and not skip_unreadable:
        listed = "; ".join(f"{path}: {reason}" for path, reason in list(bad_files.items())[:10])
        more = f" and {len(bad_files) - 10} more" if len(bad_files) > 10 else ""
        raise DatasetError(
            f"{len(bad_files)} image(s) cannot be read: {listed}{more}. Remove or replace "
            "them, or set skip_unreadable to train without them"
        )
    if missing:
        raise DatasetError(missing[0])
    always = [errors[code] for code in _ERROR_CODES_ALWAYS if code in errors]
    if always:
        raise DatasetError("the dataset cannot be trained on: " + "; ".join(always))
    kept = manifest
    if bad_files:
        kept = manifest.with_rows(row for row in manifest.rows if row.path not in bad_files)
        empty = [name for name, count in kept.class_counts().items() if count == 0]
        if empty or len(kept.classes) - len(empty) < 2:
            raise DatasetError(
                f"without the {len(bad_files)} unreadable image(s), class(es) "
                f"{', '.join(map(repr, empty))} have no image left"
            )
    warnings = tuple(f.message for f in report.findings if f.severity == "warning")
    fingerprint = (
        report.content_fingerprint
        if report.content_fingerprint and not bad_files
        else kept.content_fingerprint()
    )
    return CheckedDataset(
        manifest=kept,
        skipped=tuple(f"{path}: {reason}" for path, reason in bad_files.items()),
        warnings=warnings,
        content_fingerprint=fingerprint,
    )


def _holds_images(folder: Path) -> bool:
    return any(p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES for p in folder.rglob("*"))


def _single_csv(folder: Path) -> Path:
    tables = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    if len(tables) != 1:
        raise DatasetError(
            f"{folder}: expected exactly one .csv table, found {len(tables)}; give the CSV file"
        )
    return tables[0]


def _default_image_root(lists_dir: Path) -> Path:
    beside = lists_dir.parent / "images"
    return beside if beside.is_dir() else lists_dir
