"""Save and load a :class:`~seascope.datasets.DatasetManifest` as ``.json`` or ``.csv``.

JSON keeps everything: the root (relative to the JSON file when it can), the class order
and every row. CSV keeps the rows only (see
:func:`~seascope.datasets.formats.write_csv_manifest`), for people who edit them in a
spreadsheet.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from seascope.datasets.formats.csv_table import read_csv_manifest, write_csv_manifest
from seascope.datasets.manifest import DatasetManifest, ManifestRow, Split
from seascope.errors import DatasetError

__all__ = ["MANIFEST_FORMAT", "load_manifest", "save_manifest"]

MANIFEST_FORMAT = "seascope.dataset-manifest"
"""The ``format`` field of a JSON manifest."""


class _RowFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    label: str
    split: Split | None = None
    group: str | None = None
    augmented: bool = False


class _ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["seascope.dataset-manifest"]
    version: Literal[1]
    root: str
    classes: list[str]
    rows: list[_RowFile]


def save_manifest(manifest: DatasetManifest, path: Path) -> Path:
    """Write ``manifest`` to ``path``; the suffix (``.json`` or ``.csv``) picks the format.

    Returns:
        ``path``.

    Raises:
        DatasetError: another suffix, or a CSV that cannot sit where asked (see
            :func:`~seascope.datasets.formats.write_csv_manifest`).

    Example:
        >>> save_manifest(manifest, Path("data/manifest.json"))  # doctest: +SKIP
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv_manifest(manifest, path)
    if suffix != ".json":
        raise DatasetError(f"{path}: a manifest is saved as .json or .csv, not {suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "root": _relative_root(manifest.root, path.parent),
        "classes": list(manifest.classes),
        "rows": [
            {
                "path": row.path,
                "label": row.label,
                "split": row.split.value if row.split else None,
                "group": row.group,
                "augmented": row.augmented,
            }
            for row in manifest.rows
        ],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def load_manifest(path: Path, *, image_root: Path | None = None) -> DatasetManifest:
    """Read a manifest written by :func:`save_manifest` (or any CSV table of images).

    Args:
        path: A ``.json`` or ``.csv`` file.
        image_root: For CSV only: the folder image paths are relative to (default: the
            CSV's folder).

    Raises:
        DatasetError: missing file, unknown suffix, or content that is not a manifest.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_manifest(path, image_root=image_root)
    if suffix != ".json":
        raise DatasetError(f"{path}: a manifest is a .json or .csv file, not {suffix!r}")
    if not path.is_file():
        raise DatasetError(f"manifest not found: {path}")
    try:
        document = _ManifestFile.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DatasetError(
            f"{path}: not a seascope dataset manifest ({where}: {first['msg']}; "
            f"{exc.error_count()} problem(s))"
        ) from exc
    root = Path(os.path.normpath(path.parent / document.root))
    rows = tuple(
        ManifestRow(row.path, row.label, row.split, row.group, row.augmented)
        for row in document.rows
    )
    return DatasetManifest(root=root, rows=rows, classes=tuple(document.classes))


def _relative_root(root: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(root), os.path.abspath(folder))).as_posix()
    except ValueError:  # another drive on Windows
        return str(Path(root).absolute())
