"""What a results file holds: counts per class (an abundance table) and errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seascope.inference.batch_results import ResultRow

__all__ = ["BatchSummary", "ClassCount", "summarise"]

_ERROR_EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class ClassCount:
    """One line of the abundance table."""

    label: str
    count: int
    share: float
    """``count`` divided by the number of predicted inputs."""


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """The outcome of a batch run, computed from the finished results file.

    Attributes:
        output: The results file.
        rows: Rows in the file (one per input).
        predicted: Rows with ``status=ok``.
        errors: Rows with ``status=error``.
        added: Rows this run wrote.
        already_done: Rows the output already held when the run started (resumed).
        classes: Top label to count, most frequent first.
        error_examples: ``input: error`` of the first errors (at most 20).
        seconds: Wall time of the run.
    """

    output: Path
    rows: int
    predicted: int
    errors: int
    added: int = 0
    already_done: int = 0
    classes: tuple[tuple[str, int], ...] = ()
    error_examples: tuple[str, ...] = ()
    seconds: float = 0.0

    def abundance(self) -> list[ClassCount]:
        """Class, count and share of predicted inputs, most frequent first."""
        total = self.predicted or 1
        return [ClassCount(label, count, count / total) for label, count in self.classes]

    def to_document(self) -> dict[str, Any]:
        """The summary as JSON (``--summary FILE``)."""
        return {
            "output": str(self.output),
            "rows": self.rows,
            "predicted": self.predicted,
            "errors": self.errors,
            "added": self.added,
            "already_done": self.already_done,
            "seconds": round(self.seconds, 3),
            "abundance": [
                {"label": c.label, "count": c.count, "share": round(c.share, 6)}
                for c in self.abundance()
            ],
            "error_examples": list(self.error_examples),
        }


def summarise(
    rows: Iterable[ResultRow],
    *,
    output: Path,
    added: int = 0,
    already_done: int = 0,
    seconds: float = 0.0,
) -> BatchSummary:
    """Count the rows of a results file (streamed; memory grows with classes, not rows)."""
    classes: Counter[str] = Counter()
    examples: list[str] = []
    total = predicted = errors = 0
    for row in rows:
        total += 1
        if row.is_ok:
            predicted += 1
            classes[row.label] += 1
        else:
            errors += 1
            if len(examples) < _ERROR_EXAMPLES:
                examples.append(row.error if row.error.startswith(row.input) else _named(row))
    ordered = sorted(classes.items(), key=lambda item: (-item[1], item[0]))
    return BatchSummary(
        output=output,
        rows=total,
        predicted=predicted,
        errors=errors,
        added=added,
        already_done=already_done,
        classes=tuple(ordered),
        error_examples=tuple(examples),
        seconds=seconds,
    )


def _named(row: ResultRow) -> str:
    return f"{row.input}: {row.error}"
