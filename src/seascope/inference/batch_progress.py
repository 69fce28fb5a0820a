"""Progress of a batch run on stderr: a rich bar on a terminal, log lines otherwise.

A bar in a log file or a CI job is noise (one redraw per line), so when the stream is not
a TTY a line with counts, rate and ETA is written every ``interval`` seconds instead.
The total may arrive late (it is counted in a background thread while the run goes on);
until then there is no ETA.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol, TextIO

__all__ = ["LogProgress", "NullProgress", "ProgressReporter", "RichProgress", "progress_reporter"]


class ProgressReporter(Protocol):
    """Receives the progress of a run."""

    def set_total(self, total: int) -> None:
        """The number of inputs this run will handle (may be called from another thread)."""

    def advance(self, count: int, *, errors: int) -> None:
        """``count`` more inputs are done, ``errors`` of them with an error."""

    def close(self) -> None:
        """The run ended (or stopped)."""


class NullProgress:
    """Reports nothing (``--no-progress``)."""

    def set_total(self, total: int) -> None:
        """Ignored."""

    def advance(self, count: int, *, errors: int) -> None:
        """Ignored."""

    def close(self) -> None:
        """Ignored."""


class LogProgress:
    """A line every ``interval`` seconds, and one at the end.

    Args:
        stream: Where lines go (stderr).
        interval: Seconds between lines.
        clock: Monotonic clock (tests pass a fake one).
    """

    def __init__(
        self, stream: TextIO, *, interval: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._started = clock()
        self._last = self._started
        self._done = 0
        self._errors = 0
        self._total: int | None = None

    def set_total(self, total: int) -> None:
        """Remember the total (an int assignment: safe from the counting thread)."""
        self._total = total

    def advance(self, count: int, *, errors: int) -> None:
        """Count; write a line when ``interval`` has passed."""
        self._done += count
        self._errors += errors
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._write(now)

    def close(self) -> None:
        """Write the final line."""
        self._write(self._clock())

    def line(self, now: float) -> str:
        """The progress line at time ``now``."""
        elapsed = max(now - self._started, 1e-9)
        rate = self._done / elapsed
        total = self._total
        parts = [f"{self._done}" + (f"/{total}" if total is not None else "") + " inputs"]
        if total:
            parts[0] += f" ({100.0 * min(self._done / total, 1.0):.1f}%)"
        parts.append(f"{self._errors} errors")
        parts.append(f"{rate:.1f} inputs/s")
        if total is not None and rate > 0:
            remaining = max(total - self._done, 0) / rate
            parts.append(f"ETA {timedelta(seconds=round(remaining))}")
        return "batch: " + ", ".join(parts)

    def _write(self, now: float) -> None:
        self._stream.write(self.line(now) + "\n")
        self._stream.flush()


class RichProgress:
    """A rich progress bar with count, rate and ETA."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]predicting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[errors]} errors"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self._task = self._progress.add_task("predict", total=None, rate="", errors=0)
        self._errors = 0
        self._lock = threading.Lock()
        self._progress.start()

    def set_total(self, total: int) -> None:
        """Set the bar's total (rich's update is thread-safe)."""
        self._progress.update(self._task, total=total)

    def advance(self, count: int, *, errors: int) -> None:
        """Move the bar."""
        with self._lock:
            self._errors += errors
            self._progress.update(self._task, advance=count, errors=self._errors)
            speed = self._speed()
            if speed:
                self._progress.update(self._task, rate=f"{speed:.1f} inputs/s")

    def close(self) -> None:
        """Stop redrawing (the last state stays on screen)."""
        self._progress.stop()

    def _speed(self) -> float | None:
        task: Any = self._progress.tasks[0]
        speed = task.speed
        return float(speed) if speed else None


def progress_reporter(stream: TextIO, *, enabled: bool, interval: float) -> ProgressReporter:
    """The reporter for ``stream``: a bar on a TTY, lines elsewhere, nothing if disabled."""
    if not enabled:
        return NullProgress()
    is_terminal = getattr(stream, "isatty", None)
    if callable(is_terminal) and is_terminal():
        return RichProgress(stream)
    return LogProgress(stream, interval=interval)
