"""What an export wrote, and what it left out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from seascope.errors import ConfigError

__all__ = ["ExportReport", "atomic_text_file"]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """The outcome of an export.

    Attributes:
        out: The file written.
        written: Data rows written.
        skipped_errors: Results rows with ``status=error`` (left out).
        skipped_other: Rows left out for another reason (no label; no AphiaID with
            ``only_taxa``).
    """

    out: Path
    written: int
    skipped_errors: int = 0
    skipped_other: int = 0


@contextmanager
def atomic_text_file(out: Path, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write ``out`` through a temporary file renamed into place when the block succeeds.

    Raises:
        ConfigError: the folder of ``out`` does not exist.
    """
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: folder {out.parent} does not exist")
    temporary = out.with_name(out.name + ".tmp")
    try:
        with temporary.open("w", encoding=encoding, newline="") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
