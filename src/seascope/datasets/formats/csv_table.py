"""A CSV table of images: ``path,label[,split][,group][,augmented]`` with a header line.

Paths are relative to the CSV's folder (or to ``image_root``) and may not leave it. The
delimiter may be ``,``, ``;`` or a tab (it is read from the header). Extra columns are
ignored, so a spreadsheet with more metadata can be used as it is::

    path,label,split,group
    images/Tripos/a.jpg,Tripos,train,station-12
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from seascope.datasets.formats.relative_paths import confined_relative_path
from seascope.datasets.manifest import DatasetManifest, ManifestRow, Split, preview_names
from seascope.errors import DatasetError

__all__ = ["CSV_COLUMNS", "read_csv_manifest", "write_csv_manifest"]

CSV_COLUMNS = ("path", "label", "split", "group", "augmented")
"""The columns seascope reads and writes; ``path`` and ``label`` are required."""

_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"", "0", "false", "no", "n"}


def read_csv_manifest(path: Path, *, image_root: Path | None = None) -> DatasetManifest:
    """Read a CSV table of labelled images.

    Args:
        path: The CSV file (UTF-8, with or without a byte-order mark).
        image_root: The folder image paths are relative to (default: the CSV's folder).

    Returns:
        A manifest rooted at ``image_root``; classes are the sorted labels.

    Raises:
        DatasetError: the file is missing, has no ``path``/``label`` header, a line has an
            empty label, an unknown split or a path outside the image root, or listed
            images do not exist.

    Example:
        >>> manifest = read_csv_manifest(Path("flowcam/labels.csv"))  # doctest: +SKIP
        >>> manifest.rows[0].path  # doctest: +SKIP
        'images/Actinoptychus/ecotaxa_Actinoptychus_0A28.jpg'
    """
    if not path.is_file():
        raise DatasetError(f"CSV file not found: {path}")
    root = image_root if image_root is not None else path.parent
    rows: list[ManifestRow] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
        delimiter = _delimiter(header_line, path)
        header = [
            name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))
        ]
        column = {name: header.index(name) for name in CSV_COLUMNS if name in header}
        for number, record in enumerate(csv.reader(handle, delimiter=delimiter), start=2):
            if not any(cell.strip() for cell in record):
                continue
            rows.append(_row(record, column, root, f"{path.name} line {number}"))
    if not rows:
        raise DatasetError(f"{path}: no rows below the header")
    missing = sorted({row.path for row in rows if not (root / row.path).is_file()})
    if missing:
        raise DatasetError(
            f"{path}: {len(missing)} listed image(s) not found under {root}: "
            f"{preview_names(missing)}"
        )
    return DatasetManifest(root=root, rows=tuple(rows))


def write_csv_manifest(manifest: DatasetManifest, path: Path) -> Path:
    """Write the manifest's rows as a CSV that :func:`read_csv_manifest` reads back.

    The CSV must sit in the manifest root or a folder above it (paths are written
    relative to the CSV). Only ``path`` and ``label`` and the optional columns that have
    values are written. The class order is not kept (it becomes the sorted labels);
    use JSON (:func:`~seascope.datasets.save_manifest`) to keep it.

    Raises:
        DatasetError: the CSV would sit below or beside the root, not above it.
    """
    prefix = os.path.relpath(os.path.abspath(manifest.root), os.path.abspath(path.parent))
    if prefix == ".." or prefix.startswith(".." + os.sep) or os.path.isabs(prefix):
        raise DatasetError(
            f"{path}: a CSV manifest must be in the dataset root {manifest.root} or above it; "
            "save it as .json to put it elsewhere"
        )
    lead = "" if prefix == "." else Path(prefix).as_posix() + "/"
    columns = ["path", "label"]
    if any(row.split for row in manifest.rows):
        columns.append("split")
    if any(row.group is not None for row in manifest.rows):
        columns.append("group")
    if any(row.augmented for row in manifest.rows):
        columns.append("augmented")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in manifest.rows:
            values = {
                "path": lead + row.path,
                "label": row.label,
                "split": row.split.value if row.split else "",
                "group": row.group or "",
                "augmented": "true" if row.augmented else "false",
            }
            writer.writerow([values[name] for name in columns])
    return path


def _delimiter(header_line: str, path: Path) -> str:
    for delimiter in (",", ";", "\t"):
        names = {name.strip().lower() for name in header_line.split(delimiter)}
        if {"path", "label"} <= names:
            return delimiter
    raise DatasetError(
        f"{path}: the first line must be a header naming the columns 'path' and 'label' "
        f"(optional: split, group, augmented); found {header_line.strip()[:80]!r}"
    )


def _cell(record: list[str], column: dict[str, int], name: str, *, strip: bool = True) -> str:
    index = column.get(name)
    value = record[index] if index is not None and index < len(record) else ""
    return value.strip() if strip else value


def _row(record: list[str], column: dict[str, int], root: Path, where: str) -> ManifestRow:
    # Labels are kept as written: the dataset check flags stray whitespace instead of
    # silently merging "Tripos" and "Tripos ".
    label = _cell(record, column, "label", strip=False)
    if not label.strip():
        raise DatasetError(f"{where}: empty label")
    relative = confined_relative_path(_cell(record, column, "path"), base=root, where=where)
    split_text = _cell(record, column, "split")
    try:
        split = Split.parse(split_text) if split_text else None
    except DatasetError as exc:
        raise DatasetError(f"{where}: {exc.message}") from exc
    augmented_text = _cell(record, column, "augmented").lower()
    if augmented_text not in _TRUE | _FALSE:
        raise DatasetError(f"{where}: augmented must be true or false, not {augmented_text!r}")
    return ManifestRow(
        path=relative,
        label=label,
        split=split,
        group=_cell(record, column, "group") or None,
        augmented=augmented_text in _TRUE,
    )
