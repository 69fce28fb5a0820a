"""EcoTaxa exports: a TSV with two header lines, alone, in a folder, or zipped with images.

Line 1 holds the column names (``img_file_name``, ``object_id``,
``object_annotation_category``, ``object_annotation_status``, ``sample_id`` ...), line 2
their types (``[t]`` text or ``[f]`` number). Each later line is one object; its image
path is relative to the TSV's folder. The label is ``object_annotation_category`` and the
group is ``sample_id``, so grouped splits keep each sample in one split.

Files are UTF-8 (a byte-order mark is allowed); a file that is not valid UTF-8 is read
as Latin-1, as EcoTaxa itself does.
"""

from __future__ import annotations

import codecs
import csv
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seascope.datasets.formats.relative_paths import confined_relative_path
from seascope.datasets.formats.safe_zip import DEFAULT_MAX_UNCOMPRESSED_BYTES, extract_zip
from seascope.datasets.manifest import DatasetManifest, ManifestRow, preview_names
from seascope.errors import DatasetError

__all__ = ["read_ecotaxa"]

_TYPE = re.compile(r"^\[[tf]\]$", re.IGNORECASE)
_TSV_SUFFIXES = (".tsv", ".txt")
_VALIDATED = {"validated", "v"}
_IMAGE = "img_file_name"
_CATEGORY = "object_annotation_category"
_STATUS = "object_annotation_status"
_SAMPLE = "sample_id"


@dataclass(slots=True)
class _Tally:
    """What was left out, for the message when nothing is left."""

    objects: int = 0
    unclassified: int = 0
    not_validated: int = 0


def read_ecotaxa(
    source: Path,
    *,
    extract_to: Path | None = None,
    validated_only: bool = False,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> DatasetManifest:
    """Read an EcoTaxa export (a ``.tsv``, a folder of them, or a ``.zip``).

    In a folder or zip, the TSVs read are those named ``ecotaxa*.tsv`` or ``ecotaxa*.txt``
    (EcoTaxa's own rule), or every ``.tsv`` when none is named so. Objects without a
    category (not yet classified) are left out.

    Args:
        source: The TSV file, a folder holding TSVs and images, or a ``.zip`` of them.
        extract_to: Where to extract a ``.zip`` (required for a zip). Unsafe entries
            (absolute, ``..``, links) refuse the archive before anything is written.
        validated_only: Keep only objects whose ``object_annotation_status`` is
            ``validated`` (predicted and dubious labels are left out).
        max_uncompressed_bytes: Largest total size a zip may extract to.

    Returns:
        A manifest rooted at the TSV's folder, the source folder or ``extract_to``;
        label = category, group = ``sample_id``; classes sorted.

    Raises:
        DatasetError: no TSV, missing ``img_file_name``/``object_annotation_category``
            columns, a bad type line, an unsafe or oversized zip, missing images, or no
            object left after filtering.

    Example:
        >>> manifest = read_ecotaxa(
        ...     Path("export_1234.zip"), extract_to=Path("export_1234"), validated_only=True
        ... )  # doctest: +SKIP
        >>> sorted({row.group for row in manifest.rows})  # doctest: +SKIP
        ['station_01', 'station_02']
    """
    if source.is_file() and source.suffix.lower() == ".zip":
        if extract_to is None:
            raise DatasetError(f"{source}: pass extract_to=<folder> to import a zip export")
        names = extract_zip(source, extract_to, max_bytes=max_uncompressed_bytes)
        root = extract_to
        tables = _pick_tables([root / name for name in names], source)
    elif source.is_file():
        root = source.parent
        tables = [source]
    elif source.is_dir():
        root = source
        tables = _pick_tables([p for p in source.rglob("*") if p.is_file()], source)
    else:
        raise DatasetError(f"EcoTaxa export not found: {source}")
    tally = _Tally()
    rows: list[ManifestRow] = []
    for table in tables:
        rows.extend(_read_table(table, root, validated_only=validated_only, tally=tally))
    if not rows:
        raise DatasetError(
            f"{source}: no object left to import ({tally.objects} object(s), "
            f"{tally.unclassified} without a category"
            + (f", {tally.not_validated} not validated" if validated_only else "")
            + ")"
        )
    missing = sorted({row.path for row in rows if not (root / row.path).is_file()})
    if missing:
        raise DatasetError(
            f"{source}: {len(missing)} image(s) named in img_file_name not found under "
            f"{root}: {preview_names(missing)}"
        )
    return DatasetManifest(root=root, rows=tuple(rows))


def _pick_tables(files: list[Path], source: Path) -> list[Path]:
    tables = sorted(
        p
        for p in files
        if p.suffix.lower() in _TSV_SUFFIXES and p.name.lower().startswith("ecotaxa")
    )
    if not tables:
        tables = sorted(p for p in files if p.suffix.lower() == ".tsv")
    if not tables:
        raise DatasetError(f"{source}: no EcoTaxa TSV found (expected ecotaxa*.tsv)")
    return tables


def _read_table(
    table: Path, root: Path, *, validated_only: bool, tally: _Tally
) -> list[ManifestRow]:
    folder = table.parent.relative_to(root).as_posix() if table.parent != root else ""
    rows: list[ManifestRow] = []
    with table.open(encoding=_encoding(table), newline="") as handle:
        records = csv.reader(handle, delimiter="\t", quotechar='"')
        header = [name.strip().lower() for name in next(records, [])]
        column = _columns(header, table, validated_only=validated_only)
        for number, record in _data_records(records, header, table):
            tally.objects += 1
            if not _get(record, column[_CATEGORY]):
                tally.unclassified += 1
                continue
            if validated_only and _get(record, column[_STATUS]).lower() not in _VALIDATED:
                tally.not_validated += 1
                continue
            rows.append(_row(record, column, folder, root, f"{table.name} line {number}"))
    return rows


def _columns(header: list[str], table: Path, *, validated_only: bool) -> dict[str, int]:
    required = [_IMAGE, _CATEGORY] + ([_STATUS] if validated_only else [])
    absent = [name for name in required if name not in header]
    if absent:
        raise DatasetError(
            f"{table}: missing EcoTaxa column(s) {', '.join(absent)} on the first line "
            f"(found: {', '.join(header[:8]) or 'nothing'})"
        )
    return {
        name: header.index(name) for name in (_IMAGE, _CATEGORY, _STATUS, _SAMPLE) if name in header
    }


def _data_records(
    records: Iterator[list[str]], header: list[str], table: Path
) -> Iterator[tuple[int, list[str]]]:
    """Skip the ``[t]``/``[f]`` type line (checking it) and empty lines."""
    for number, record in enumerate(records, start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if number == 2 and any(_TYPE.match(cell) for cell in cells):
            bad = [
                f"{header[i] if i < len(header) else i}={cell!r}"
                for i, cell in enumerate(cells)
                if cell and not _TYPE.match(cell)
            ]
            if bad:
                raise DatasetError(
                    f"{table} line 2: invalid type(s) {', '.join(bad[:5])} (expected [t] or [f])"
                )
            continue
        yield number, record


def _row(
    record: list[str], column: dict[str, int], folder: str, root: Path, where: str
) -> ManifestRow:
    image = _get(record, column[_IMAGE])
    if not image:
        raise DatasetError(f"{where}: empty img_file_name")
    relative = confined_relative_path(
        posixpath.join(folder, image.replace("\\", "/")) if folder else image,
        base=root,
        where=where,
    )
    return ManifestRow(
        relative,
        _get(record, column[_CATEGORY]),
        group=_get(record, column.get(_SAMPLE)) or None,
    )


def _get(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def _encoding(path: Path) -> str:
    """``utf-8-sig`` for UTF-8 text (with or without a BOM), else ``latin-1``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8-sig"
