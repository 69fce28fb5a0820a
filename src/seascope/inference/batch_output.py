"""The output of a batch run while it is written: atomic, appended per chunk, resumable.

Rows go to ``<out>.partial``; each chunk is appended with one write, flushed and
fsync'ed. When the run ends the partial file is renamed to ``<out>`` (for Parquet: its
rows are converted into ``<out>``), so ``<out>`` is always a complete file.

A run that finds ``<out>.partial`` continues it (a killed run); one that finds only
``<out>`` starts from a copy of it (a finished run over a folder that has grown). In
both cases the inputs already there are skipped, so every input appears exactly once.
A kill can leave half a line at the end of the partial file; :meth:`ResultsFile.open`
cuts the file after its last newline (every row is one line).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from seascope.errors import ConfigError
from seascope.inference.batch_results import (
    RESULT_COLUMNS,
    ResultFormat,
    ResultRow,
    csv_cells,
    format_of,
    one_line,
    read_results,
)
from seascope.inference.key_table import KeyTable
from seascope.inference.optional_imports import import_optional

__all__ = ["DoneInputs", "ResultsFile", "key_hash"]

_PARQUET_BATCH = 4096


def key_hash(text: str) -> int:
    """A 64-bit hash of an input key or content hash (8 bytes keep the resume state small).

    Two different inputs colliding needs about 4 billion inputs for a one-in-a-billion
    chance; a collision would only skip one input.
    """
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass
class DoneInputs:
    """The inputs already in the output.

    Attributes:
        content: Key hash to content hash (``0`` when the row has no ``sha256``).
        rows: Rows in the partial file when the run started.
        superseded: Key hashes with more than one row (a changed file predicted again,
            ``--hash`` only); :meth:`ResultsFile.finish` keeps the last row of each.
    """

    content: KeyTable = field(default_factory=KeyTable)
    rows: int = 0
    superseded: set[int] = field(default_factory=set)

    def add(self, key: str, sha256: str) -> None:
        """Remember that ``key`` now has a row (with content hash ``sha256``, if any)."""
        hashed = key_hash(one_line(key))
        if not self.content.put(hashed, key_hash(sha256) if sha256 else 0):
            self.superseded.add(hashed)

    def has(self, key: str) -> bool:
        """Whether ``key`` has a row."""
        return key_hash(one_line(key)) in self.content

    def has_content(self, key: str, sha256: str) -> bool:
        """Whether ``key`` has a row made from exactly this content."""
        return self.content.get(key_hash(one_line(key))) == key_hash(sha256)


class ResultsFile:
    """Write the results of one run to ``out`` atomically.

    Args:
        out: The final results file (``.csv``, ``.jsonl`` or ``.parquet``).

    Example:
        >>> results = ResultsFile(Path("results.csv"))  # doctest: +SKIP
        >>> done = results.open(fresh=False, module="reference", version="1.0.0")
        >>> results.append(rows); results.finish()
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.format = format_of(out)
        self.partial = out.with_name(out.name + ".partial")
        # Parquet cannot be appended to: its partial file is JSON Lines.
        self.line_format = (
            ResultFormat.CSV if self.format is ResultFormat.CSV else ResultFormat.JSONL
        )
        self._file: TextIO | None = None

    def open(self, *, fresh: bool, module: str, version: str) -> DoneInputs:
        """Open the partial file, resuming what is there unless ``fresh``.

        Raises:
            ConfigError: Parquet without pyarrow, the output's parent folder is missing,
                or the existing output holds another module's results (or is not a
                seascope results file).
        """
        if self.format is ResultFormat.PARQUET:
            import_optional("pyarrow.parquet", extra="parquet", purpose="writing Parquet")
        if not self.out.parent.is_dir():
            raise ConfigError(f"--out {self.out}: folder {self.out.parent} does not exist")
        if fresh:
            self.partial.unlink(missing_ok=True)
        elif not self.partial.exists() and self.out.exists():
            self._copy_final()
        done = DoneInputs()
        if self.partial.exists():
            self._repair_tail()
            done = self._scan(module, version)
        else:
            self._write_header()
        self._file = self.partial.open("a", encoding="utf-8", newline="")
        return done

    def append(self, rows: Sequence[ResultRow]) -> None:
        """Append ``rows`` and make them durable (one write, flush, fsync)."""
        if self._file is None:
            raise RuntimeError("ResultsFile.append before open")
        if not rows:
            return
        self._file.write(self._lines(rows))
        self._file.flush()
        os.fsync(self._file.fileno())

    def finish(self, superseded: Iterable[int] = ()) -> None:
        """Close the partial file and put it in place of ``out`` (atomically).

        Args:
            superseded: Key hashes with several rows; only the last row of each is kept.
        """
        self.close()
        stale = set(superseded)
        if stale:
            self._drop_stale_rows(stale)
        if self.format is ResultFormat.PARQUET:
            self._convert_to_parquet()
            self.partial.unlink()
        else:
            os.replace(self.partial, self.out)
        _sync_folder(self.out.parent)

    def close(self) -> None:
        """Close the partial file without finishing (an interrupted run resumes it)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def rows(self) -> Iterable[ResultRow]:
        """The rows written so far (reads the partial file)."""
        return read_results(self.partial, self.line_format)

    def _lines(self, rows: Sequence[ResultRow]) -> str:
        if self.line_format is ResultFormat.CSV:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows(csv_cells(row) for row in rows)
            return buffer.getvalue()
        return "".join(json.dumps(row.to_record(), ensure_ascii=False) + "\n" for row in rows)

    def _write_header(self) -> None:
        with self.partial.open("w", encoding="utf-8", newline="") as file:
            if self.line_format is ResultFormat.CSV:
                file.write(",".join(RESULT_COLUMNS) + "\n")
            file.flush()
            os.fsync(file.fileno())

    def _copy_final(self) -> None:
        if self.format is ResultFormat.PARQUET:
            self._write_header()
            with self.partial.open("a", encoding="utf-8", newline="") as file:
                batch: list[ResultRow] = []
                for row in read_results(self.out):
                    batch.append(row)
                    if len(batch) >= _PARQUET_BATCH:
                        file.write(self._lines(batch))
                        batch.clear()
                file.write(self._lines(batch))
        else:
            shutil.copyfile(self.out, self.partial)

    def _repair_tail(self) -> None:
        """Cut a line left half-written by a kill; rewrite a torn CSV header."""
        with self.partial.open("rb+") as file:
            size = file.seek(0, os.SEEK_END)
            position = size
            while position > 0:
                step = min(65536, position)
                file.seek(position - step)
                block = file.read(step)
                newline = block.rfind(b"\n")
                if newline >= 0:
                    position = position - step + newline + 1
                    break
                position -= step
            if position != size:
                file.truncate(position)
        if position == 0:
            self._write_header()

    def _scan(self, module: str, version: str) -> DoneInputs:
        if self.line_format is ResultFormat.CSV:
            with self.partial.open(encoding="utf-8", newline="") as file:
                header = next(csv.reader(file), [])
            if tuple(header) != RESULT_COLUMNS:
                raise ConfigError(
                    f"{self._shown()}: not a results file of this seascope version "
                    f"(columns {', '.join(header) or 'none'}); use --fresh or another --out"
                )
        done = DoneInputs()
        for row in read_results(self.partial, self.line_format):
            if row.module != module or row.module_version != version:
                raise ConfigError(
                    f"{self._shown()} holds results of module {row.module} "
                    f"{row.module_version}, not {module} {version}; use --fresh to replace "
                    "them, or another --out"
                )
            done.add(row.input, row.sha256)
            done.rows += 1
        return done

    def _shown(self) -> Path:
        return self.partial if self.partial.exists() else self.out

    def _drop_stale_rows(self, stale: set[int]) -> None:
        last: dict[int, int] = {}
        for index, row in enumerate(self.rows()):
            hashed = key_hash(row.input)
            if hashed in stale:
                last[hashed] = index
        rewritten = self.partial.with_name(self.partial.name + ".tmp")
        with rewritten.open("w", encoding="utf-8", newline="") as file:
            if self.line_format is ResultFormat.CSV:
                file.write(",".join(RESULT_COLUMNS) + "\n")
            for index, row in enumerate(self.rows()):
                if last.get(key_hash(row.input), index) == index:
                    file.write(self._lines([row]))
            file.flush()
            os.fsync(file.fileno())
        os.replace(rewritten, self.partial)

    def _convert_to_parquet(self) -> None:
        arrow = import_optional("pyarrow", extra="parquet", purpose="writing Parquet")
        parquet = import_optional("pyarrow.parquet", extra="parquet", purpose="writing Parquet")
        schema = arrow.schema(
            [
                ("input", arrow.string()),
                ("status", arrow.string()),
                ("error", arrow.string()),
                ("label", arrow.string()),
                ("score", arrow.float64()),
                ("aphia_id", arrow.int64()),
                ("top_labels", arrow.list_(arrow.string())),
                ("top_scores", arrow.list_(arrow.float64())),
                ("module", arrow.string()),
                ("module_version", arrow.string()),
                ("timestamp", arrow.string()),
                ("sha256", arrow.string()),
            ]
        )
        temporary = self.out.with_name(self.out.name + ".tmp")
        with contextlib.closing(parquet.ParquetWriter(temporary, schema)) as writer:
            batch: list[dict[str, object]] = []
            for row in self.rows():
                batch.append(row.to_record())
                if len(batch) >= _PARQUET_BATCH:
                    writer.write_table(arrow.Table.from_pylist(batch, schema=schema))
                    batch.clear()
            if batch:
                writer.write_table(arrow.Table.from_pylist(batch, schema=schema))
        with temporary.open("rb+") as file:
            os.fsync(file.fileno())
        os.replace(temporary, self.out)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
