"""The results file of a batch run: one row per input, as CSV, JSON Lines or Parquet.

Columns (:data:`RESULT_COLUMNS`)::

    input           the input's key: a path, ``archive.zip!/entry`` or a URL
    status          ``ok`` or ``error``
    error           why the input could not be predicted (empty when ``ok``)
    label           the top class
    score           its score in [0, 1]
    aphia_id        the top class's WoRMS AphiaID, when the module knows it
    top_labels      the top-k labels (a JSON array in CSV)
    top_scores      their scores (a JSON array in CSV)
    module          module name
    module_version  module version
    timestamp       when the row was written (UTC, ISO 8601)
    sha256          the input's content hash (only with ``--hash``)

Every row is written on one line (line breaks inside messages become spaces), which is
what lets an interrupted run repair its partial file by cutting after the last newline.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from seascope.errors import ConfigError, DatasetError
from seascope.inference.optional_imports import import_optional
from seascope.types import Prediction

__all__ = [
    "RESULT_COLUMNS",
    "ResultFormat",
    "ResultRow",
    "csv_cells",
    "error_row",
    "format_of",
    "one_line",
    "prediction_row",
    "read_results",
    "row_from_cells",
    "row_from_record",
]

RESULT_COLUMNS: tuple[str, ...] = (
    "input",
    "status",
    "error",
    "label",
    "score",
    "aphia_id",
    "top_labels",
    "top_scores",
    "module",
    "module_version",
    "timestamp",
    "sha256",
)


class ResultFormat(StrEnum):
    """File formats of batch results, chosen by the output's suffix."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


_SUFFIXES = {
    ".csv": ResultFormat.CSV,
    ".jsonl": ResultFormat.JSONL,
    ".ndjson": ResultFormat.JSONL,
    ".parquet": ResultFormat.PARQUET,
    ".pq": ResultFormat.PARQUET,
}


def format_of(path: Path) -> ResultFormat:
    """The results format of ``path`` from its suffix (``.csv``, ``.jsonl``, ``.parquet``).

    Raises:
        ConfigError: another suffix.
    """
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ConfigError(
            f"{path}: unknown results format; use a .csv, .jsonl (.ndjson) or .parquet file"
        )
    return found


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One row of a results file (see the module docstring for the columns)."""

    input: str
    status: str
    error: str = ""
    label: str = ""
    score: float | None = None
    aphia_id: int | None = None
    top_labels: tuple[str, ...] = ()
    top_scores: tuple[float, ...] = ()
    module: str = ""
    module_version: str = ""
    timestamp: str = ""
    sha256: str = ""

    @property
    def is_ok(self) -> bool:
        """Whether the input was predicted."""
        return self.status == "ok"

    def to_record(self) -> dict[str, Any]:
        """The row as a JSON object (lists stay lists)."""
        return {
            "input": self.input,
            "status": self.status,
            "error": self.error,
            "label": self.label,
            "score": self.score,
            "aphia_id": self.aphia_id,
            "top_labels": list(self.top_labels),
            "top_scores": list(self.top_scores),
            "module": self.module,
            "module_version": self.module_version,
            "timestamp": self.timestamp,
            "sha256": self.sha256,
        }


def one_line(text: str) -> str:
    """``text`` with line breaks turned into spaces (rows never span lines)."""
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def prediction_row(
    prediction: Prediction, *, key: str, module: str, version: str, timestamp: str, sha256: str
) -> ResultRow:
    """The ``ok`` row of one prediction."""
    top = prediction.top
    return ResultRow(
        input=one_line(key),
        status="ok",
        label=one_line(top.label) if top else "",
        score=round(top.score, 6) if top else None,
        aphia_id=top.aphia_id if top else None,
        top_labels=tuple(one_line(c.label) for c in prediction.classes),
        top_scores=tuple(round(c.score, 6) for c in prediction.classes),
        module=module,
        module_version=version,
        timestamp=timestamp,
        sha256=sha256,
    )


def error_row(
    key: str, message: str, *, module: str, version: str, timestamp: str, sha256: str = ""
) -> ResultRow:
    """The ``error`` row of an input that could not be predicted."""
    return ResultRow(
        input=one_line(key),
        status="error",
        error=one_line(message),
        module=module,
        module_version=version,
        timestamp=timestamp,
        sha256=sha256,
    )


def csv_cells(row: ResultRow) -> list[str]:
    """The row's CSV cells, in :data:`RESULT_COLUMNS` order."""
    return [
        row.input,
        row.status,
        row.error,
        row.label,
        "" if row.score is None else repr(row.score),
        "" if row.aphia_id is None else str(row.aphia_id),
        json.dumps(list(row.top_labels), ensure_ascii=False),
        json.dumps(list(row.top_scores)),
        row.module,
        row.module_version,
        row.timestamp,
        row.sha256,
    ]


def row_from_cells(cells: Mapping[str, str]) -> ResultRow:
    """A row from a CSV record (``csv.DictReader``).

    Raises:
        DatasetError: a cell cannot be parsed.
    """
    try:
        return ResultRow(
            input=cells["input"],
            status=cells["status"],
            error=cells.get("error") or "",
            label=cells.get("label") or "",
            score=float(cells["score"]) if cells.get("score") else None,
            aphia_id=int(cells["aphia_id"]) if cells.get("aphia_id") else None,
            top_labels=tuple(json.loads(cells.get("top_labels") or "[]")),
            top_scores=tuple(float(s) for s in json.loads(cells.get("top_scores") or "[]")),
            module=cells.get("module") or "",
            module_version=cells.get("module_version") or "",
            timestamp=cells.get("timestamp") or "",
            sha256=cells.get("sha256") or "",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"not a seascope results row ({type(exc).__name__}: {exc})") from exc


def row_from_record(record: Mapping[str, Any]) -> ResultRow:
    """A row from a JSON object or a Parquet record.

    Raises:
        DatasetError: a field has the wrong type.
    """
    try:
        score = record.get("score")
        aphia_id = record.get("aphia_id")
        return ResultRow(
            input=str(record["input"]),
            status=str(record["status"]),
            error=str(record.get("error") or ""),
            label=str(record.get("label") or ""),
            score=float(score) if score is not None else None,
            aphia_id=int(aphia_id) if aphia_id is not None else None,
            top_labels=tuple(str(label) for label in record.get("top_labels") or ()),
            top_scores=tuple(float(s) for s in record.get("top_scores") or ()),
            module=str(record.get("module") or ""),
            module_version=str(record.get("module_version") or ""),
            timestamp=str(record.get("timestamp") or ""),
            sha256=str(record.get("sha256") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"not a seascope results row ({type(exc).__name__}: {exc})") from exc


def read_results(path: Path, result_format: ResultFormat | None = None) -> Iterator[ResultRow]:
    """Stream the rows of a results file written by a batch run.

    Args:
        path: A ``.csv``, ``.jsonl`` or ``.parquet`` results file.
        result_format: Read as this format (default: from the suffix).

    Raises:
        DatasetError: the file is missing or not a seascope results file.
        ConfigError: unknown suffix, or Parquet without pyarrow.
    """
    chosen = result_format or format_of(path)
    if not path.is_file():
        raise DatasetError(f"results file not found: {path}")
    if chosen is ResultFormat.PARQUET:
        yield from _read_parquet(path)
        return
    with path.open(encoding="utf-8", newline="") as file:
        if chosen is ResultFormat.CSV:
            reader = csv.DictReader(file)
            if reader.fieldnames is None or "input" not in reader.fieldnames:
                raise DatasetError(f"{path}: not a seascope results CSV (no 'input' column)")
            for number, cells in enumerate(reader, start=2):
                yield _parsed(path, number, cells)
        else:
            for number, line in enumerate(file, start=1):
                if line.strip():
                    yield _parsed(path, number, line)


def _parsed(path: Path, number: int, source: str | Mapping[str, str]) -> ResultRow:
    try:
        if isinstance(source, str):
            return row_from_record(_json_object(source))
        return row_from_cells(source)
    except DatasetError as exc:
        raise DatasetError(f"{path}, line {number}: {exc.message}") from exc


def _json_object(line: str) -> Mapping[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise DatasetError(f"not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise DatasetError("not a JSON object")
    return value


def _read_parquet(path: Path) -> Iterator[ResultRow]:
    parquet = import_optional("pyarrow.parquet", extra="parquet", purpose="reading Parquet")
    try:
        table_file = parquet.ParquetFile(path)
        for batch in table_file.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                yield row_from_record(record)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not a readable Parquet file ({exc})") from exc
