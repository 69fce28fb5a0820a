"""The watcher: predict each new file of a folder or bucket exactly once (the OSCAR pattern).

Each pass lists the watched location; a file version (name + content hash) that the
state file (:class:`~seascope.inference.watch_state.WatchState`) has not seen is read,
decoded and predicted in chunks through the one predict path, and one JSON document per
file is written to the output location (``<name>.json``). Only then is it marked done,
so a crash between the two costs a rewrite of the same output, never a lost file.

A failed file is retried after ``retry_delay`` seconds, doubling each time, at most
``max_attempts`` times; then it is given up and its output says why (``status=error``).
A file replaced by new content is a new version and is processed again.

Example:
    >>> watcher = Watcher(predictor=p, source=open_source("in", ...),  # doctest: +SKIP
    ...     destination=open_destination("out"), state=WatchState(Path("out/.w.sqlite")))
    >>> watcher.run_once()  # doctest: +SKIP
    PassReport(processed=12, failed=0, gave_up=0, waiting=0)
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from seascope.errors import InvalidInput
from seascope.imaging import decode_image
from seascope.inference.batch_chunks import InputOutcome, LoadedInput, predict_loaded
from seascope.inference.event_documents import outcomes_document
from seascope.inference.predictor import Predictor
from seascope.inference.watch_locations import Destination, Source, WatchedFile
from seascope.inference.watch_state import WatchState

__all__ = ["PassReport", "WatchOptions", "Watcher", "output_name"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """How the watcher polls and retries.

    Attributes:
        interval: Seconds between passes.
        chunk_size: Files predicted per ``predict`` call.
        max_attempts: Attempts on a failing file before giving up.
        retry_delay: Seconds before the first retry; doubled after each failure.
        min_age: Leave files modified less than this many seconds ago for a later pass
            (a file still being copied); remote files have no age and are always taken.
    """

    interval: float = 5.0
    chunk_size: int = 16
    max_attempts: int = 3
    retry_delay: float = 30.0
    min_age: float = 0.0


@dataclass(frozen=True, slots=True)
class PassReport:
    """What one pass did.

    Attributes:
        processed: Files predicted and written.
        failed: Files that failed and will be retried.
        gave_up: Files that failed their last attempt.
        waiting: Failed files whose next attempt is not due yet, and files too young.
    """

    processed: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0

    def __add__(self, other: PassReport) -> PassReport:
        return PassReport(
            self.processed + other.processed,
            self.failed + other.failed,
            self.gave_up + other.gave_up,
            self.waiting + other.waiting,
        )


def output_name(name: str) -> str:
    """The output document of input ``name``: ``name`` plus ``.json`` (never collides)."""
    return f"{name}.json"


@dataclass(frozen=True, slots=True)
class _Candidate:
    file: WatchedFile
    sha256: str
    data: bytes


class Watcher:
    """Process new files of ``source`` into ``destination``, once each.

    Args:
        predictor: The module's predictor.
        source: The watched location.
        destination: Where outputs go.
        state: The record of what was done.
        params: Prediction parameters (validated now).
        options: Polling and retry options.
        clock: Wall clock in epoch seconds (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        predictor: Predictor,
        source: Source,
        destination: Destination,
        state: WatchState,
        params: dict[str, Any] | BaseModel | None = None,
        options: WatchOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.predictor = predictor
        self.source = source
        self.destination = destination
        self.state = state
        self.params = predictor.parse_params(params)
        self.options = options or WatchOptions()
        self._clock = clock

    def run_once(self, stop: threading.Event | None = None) -> PassReport:
        """One pass over the source; returns what it did.

        Args:
            stop: Set to stop after the current chunk.
        """
        report = PassReport()
        chunk: list[_Candidate] = []
        for item in self._candidates():
            if isinstance(item, PassReport):
                report += item
                continue
            chunk.append(item)
            if len(chunk) >= self.options.chunk_size:
                report += self._process(chunk)
                chunk = []
                if stop is not None and stop.is_set():
                    return report
        if chunk:
            report += self._process(chunk)
        return report

    def run(
        self,
        stop: threading.Event,
        *,
        wake: threading.Event | None = None,
        on_pass: Callable[[PassReport], None] | None = None,
    ) -> None:
        """Pass after pass until ``stop`` is set.

        Args:
            stop: Ends the loop (set it from a signal handler).
            wake: Set by a file-system observer to start the next pass early.
            on_pass: Called with each pass's report.
        """
        while not stop.is_set():
            report = self.run_once(stop)
            if on_pass is not None:
                on_pass(report)
            if wake is None:
                stop.wait(self.options.interval)
                continue
            deadline = time.monotonic() + self.options.interval
            while not stop.is_set() and not wake.is_set() and time.monotonic() < deadline:
                wake.wait(min(0.2, self.options.interval))
            wake.clear()

    def _candidates(self) -> Iterator[_Candidate | PassReport]:
        now = self._clock()
        for file in self.source.files():
            if self.options.min_age and file.age is not None and file.age < self.options.min_age:
                yield PassReport(waiting=1)
                continue
            sha256 = self.state.cached_hash(file.name, file.version)
            data: bytes | None = None
            if sha256 is None:
                try:
                    data = file.read()
                except InvalidInput as exc:
                    _log.warning("watch: %s", exc.message)
                    continue
                sha256 = hashlib.sha256(data).hexdigest()
                self.state.cache_hash(file.name, file.version, sha256)
            record = self.state.record(file.name, sha256)
            if record is not None and record.status in ("done", "gave_up"):
                continue
            if record is not None and record.next_attempt_at > now:
                yield PassReport(waiting=1)
                continue
            if data is None:
                try:
                    data = file.read()
                except InvalidInput as exc:
                    _log.warning("watch: %s", exc.message)
                    continue
            yield _Candidate(file, sha256, data)

    def _process(self, chunk: list[_Candidate]) -> PassReport:
        loaded = [self._decode(candidate) for candidate in chunk]
        outcomes = predict_loaded(self.predictor, loaded, self.params)
        report = PassReport()
        for candidate, outcome in zip(chunk, outcomes, strict=True):
            report += self._finish(candidate, outcome)
        return report

    def _decode(self, candidate: _Candidate) -> LoadedInput:
        name = candidate.file.name
        try:
            image = decode_image(candidate.data, name, max_pixels=self.predictor.max_image_pixels)
        except InvalidInput as exc:
            return LoadedInput(name, sha256=candidate.sha256, error=exc.message)
        return LoadedInput(name, sha256=candidate.sha256, image=image)

    def _finish(self, candidate: _Candidate, outcome: InputOutcome) -> PassReport:
        name, sha256 = candidate.file.name, candidate.sha256
        document = outcomes_document(
            self.predictor.manifest, source=name, outcomes=[outcome], sha256=sha256
        )
        if outcome.prediction is not None:
            try:
                location = self.destination.write(output_name(name), _encoded(document))
            except OSError as exc:
                return self._failed(name, sha256, f"{name}: cannot write the output ({exc})")
            self.state.mark_done(name, sha256, output=location)
            return PassReport(processed=1)
        return self._failed(name, sha256, outcome.error, document=document)

    def _failed(
        self, name: str, sha256: str, error: str, *, document: dict[str, Any] | None = None
    ) -> PassReport:
        attempts = self.state.attempts(name, sha256) + 1
        if attempts < self.options.max_attempts:
            delay = self.options.retry_delay * 2 ** (attempts - 1)
            self.state.mark_failed(name, sha256, error=error, retry_at=self._clock() + delay)
            _log.warning("watch: %s (attempt %d, retry in %.0f s)", error, attempts, delay)
            return PassReport(failed=1)
        location = ""
        if document is not None:
            # The last word on this file, so that whoever reads the outputs sees it failed.
            try:
                location = self.destination.write(output_name(name), _encoded(document))
            except OSError as exc:
                _log.warning("watch: cannot write the error output of %s: %s", name, exc)
        self.state.mark_failed(name, sha256, error=error, retry_at=None, output=location)
        _log.warning("watch: giving up on %s after %d attempts: %s", name, attempts, error)
        return PassReport(gave_up=1)


def _encoded(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
