"""Batch runs: predict every input behind some specs into one results file.

Memory stays bounded whatever the number of inputs: inputs come from a generator, are
grouped in chunks of ``chunk_size``, read and decoded by a small thread pool at most
``READ_AHEAD`` chunks ahead of the model, and each chunk's rows are appended to the
output before the next chunk is predicted. What grows with the run is only the resume
state (8 bytes of hash and a dict slot per input).

Example:
    >>> summary = run_batch(  # doctest: +SKIP
    ...     predictor=host.predictor("reference"),
    ...     specs=["/data/flowcam/run7", "samples.zip"],
    ...     out=Path("run7.csv"),
    ... )
    >>> summary.abundance()[0]  # doctest: +SKIP
    ClassCount(label='disc', count=5120, share=0.41)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from seascope.errors import ConfigError, ModuleFailed
from seascope.inference.batch_chunks import InputOutcome, LoadedInput, load_input, predict_loaded
from seascope.inference.batch_inputs import count_inputs, iter_inputs
from seascope.inference.batch_output import DoneInputs, ResultsFile, key_hash
from seascope.inference.batch_progress import NullProgress, ProgressReporter
from seascope.inference.batch_results import (
    ResultRow,
    error_row,
    one_line,
    prediction_row,
    read_results,
)
from seascope.inference.batch_summary import BatchSummary, summarise
from seascope.inference.input_refs import DEFAULT_MAX_INPUT_BYTES, InputRef
from seascope.inference.key_table import KeyTable
from seascope.inference.predictor import Predictor

__all__ = ["READ_AHEAD", "BatchOptions", "outcome_rows", "run_batch"]

READ_AHEAD = 2
"""Chunks read and decoded ahead of the one being predicted."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How a batch run reads, predicts and writes.

    Attributes:
        chunk_size: Images per ``predict`` call and per durable append.
        threads: Threads reading and decoding ahead of the model.
        predict_workers: Chunks predicted at once, each in its own thread (results are
            still written in input order). On the CPU, one worker per core with one
            engine thread each beats one call using every core (no synchronisation
            inside the model; see docs/benchmarks.md).
        with_hash: Record each input's SHA-256; a rerun predicts again an input whose
            content changed (its old row is replaced).
        fresh: Ignore (and replace) an existing output instead of resuming it.
        all_files: Take every file found in folders, globs and archives, not only
            image suffixes.
        max_input_bytes: Largest file read.
        count_total: Count the inputs in a background thread to show a total and ETA.
    """

    chunk_size: int = 64
    threads: int = 4
    predict_workers: int = 1
    with_hash: bool = False
    fresh: bool = False
    all_files: bool = False
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    count_total: bool = True

    def __post_init__(self) -> None:
        if self.chunk_size < 1 or self.threads < 1 or self.predict_workers < 1:
            raise ConfigError("chunk size, threads and predict workers must be at least 1")


def run_batch(
    *,
    predictor: Predictor,
    specs: Sequence[str],
    out: Path,
    params: Mapping[str, Any] | BaseModel | None = None,
    options: BatchOptions | None = None,
    progress: ProgressReporter | None = None,
) -> BatchSummary:
    """Predict every input of ``specs`` into ``out``; resumes what ``out`` already holds.

    Args:
        predictor: The module's predictor.
        specs: Files, folders, globs, zip archives or fsspec URLs.
        out: The results file (``.csv``, ``.jsonl`` or ``.parquet``).
        params: Prediction parameters (validated once, before anything is read).
        options: Chunking, threads, resume and input options.
        progress: Where progress goes (default: nowhere).

    Returns:
        The summary of the finished results file.

    Raises:
        InvalidParameters: bad ``params``.
        ConfigError: unusable ``out`` (see :meth:`ResultsFile.open`) or specs.
        ModuleFailed: the module failed on every image of the first chunk (it is broken,
            not the data); the partial file is kept for a rerun.
    """
    chosen = options or BatchOptions()
    reporter = progress or NullProgress()
    parsed = predictor.parse_params(params)
    manifest = predictor.manifest
    started = time.monotonic()
    results = ResultsFile(out)
    done = results.open(fresh=chosen.fresh, module=manifest.name, version=manifest.version)
    already = done.rows
    stop_counting = threading.Event()
    if chosen.count_total:
        # With hashes every input is read again (to compare contents), so all count.
        skipped = 0 if chosen.with_hash else already
        _start_counter(specs, chosen.all_files, skipped, reporter, stop_counting)
    run = _Run(predictor=predictor, params=parsed, results=results, done=done, options=chosen)
    try:
        refs = iter_inputs(
            specs,
            wanted=run.wanted,
            all_files=chosen.all_files,
            max_bytes=chosen.max_input_bytes,
        )
        run.process(refs, reporter)
    except BaseException:
        results.close()
        raise
    finally:
        stop_counting.set()
        reporter.close()
    results.finish(done.superseded)
    return summarise(
        read_results(out),
        output=out,
        added=run.added,
        already_done=already,
        seconds=time.monotonic() - started,
    )


def outcome_rows(
    outcomes: Iterable[InputOutcome], *, module: str, version: str, timestamp: str
) -> list[ResultRow]:
    """Result rows of predicted (or failed) inputs."""
    rows: list[ResultRow] = []
    for outcome in outcomes:
        if outcome.prediction is not None:
            rows.append(
                prediction_row(
                    outcome.prediction,
                    key=outcome.key,
                    module=module,
                    version=version,
                    timestamp=timestamp,
                    sha256=outcome.sha256,
                )
            )
        else:
            rows.append(
                error_row(
                    outcome.key,
                    outcome.error,
                    module=module,
                    version=version,
                    timestamp=timestamp,
                    sha256=outcome.sha256,
                )
            )
    return rows


class _Run:
    """The state of one run between chunks."""

    def __init__(
        self,
        *,
        predictor: Predictor,
        params: BaseModel,
        results: ResultsFile,
        done: DoneInputs,
        options: BatchOptions,
    ) -> None:
        self.predictor = predictor
        self.params = params
        self.results = results
        self.done = done
        self.options = options
        self.added = 0
        self.skipped = 0
        self.predicted = 0
        # With hashes, an input already in the output must still be read (its content
        # may have changed), so duplicates within this run are tracked separately.
        self._seen = KeyTable(with_values=False)
        # The run's own files may sit in an input folder (and be taken with all_files).
        own = (results.out, results.partial)
        self._own_names = {path.name for path in own}
        self._own_paths = {path.resolve() for path in own}

    def wanted(self, key: str) -> bool:
        """Whether ``key`` must be read: new to this run, not done already, not ours."""
        if key.rsplit("/", 1)[-1] in self._own_names and Path(key).resolve() in self._own_paths:
            return False
        hashed = key_hash(one_line(key))
        if self.options.with_hash:
            return self._seen.put(hashed)
        # Marking it done now also drops a second copy of the same input in this run.
        return self.done.content.put(hashed)

    def process(self, refs: Iterator[InputRef], progress: ProgressReporter) -> None:
        max_pixels = self.predictor.max_image_pixels
        with_hash = self.options.with_hash

        def load(ref: InputRef) -> LoadedInput:
            return load_input(ref, max_pixels=max_pixels, with_hash=with_hash)

        workers = self.options.predict_workers
        pool = ThreadPoolExecutor(self.options.threads, thread_name_prefix="seascope-decode")
        predicting = ThreadPoolExecutor(workers, thread_name_prefix="seascope-predict")
        pending: deque[tuple[int, Future[list[InputOutcome]]]] = deque()
        try:
            chunks = _chunks(refs, self.options.chunk_size)
            for futures in _read_ahead(chunks, lambda ref: pool.submit(load, ref), workers):
                loaded = [future.result() for future in futures]
                todo = self._not_done(loaded)
                call = predicting.submit(predict_loaded, self.predictor, todo, self.params)
                pending.append((len(loaded), call))
                if len(pending) >= workers:
                    self._write(*pending.popleft(), progress)
            while pending:
                self._write(*pending.popleft(), progress)
        finally:
            predicting.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)

    def _write(
        self, read: int, call: Future[list[InputOutcome]], progress: ProgressReporter
    ) -> None:
        """Append one chunk's rows (in input order) once its predictions are done."""
        outcomes = call.result()
        self._check_module(outcomes)
        manifest = self.predictor.manifest
        timestamp = datetime.now(UTC).isoformat(timespec="seconds")
        rows = outcome_rows(
            outcomes, module=manifest.name, version=manifest.version, timestamp=timestamp
        )
        self.results.append(rows)
        if self.options.with_hash:
            for row in rows:
                self.done.add(row.input, row.sha256)
        errors = sum(1 for row in rows if not row.is_ok)
        self.added += len(rows)
        self.predicted += len(rows) - errors
        progress.advance(read, errors=errors)

    def _not_done(self, loaded: list[LoadedInput]) -> list[LoadedInput]:
        if not self.options.with_hash:
            return loaded
        todo = []
        for item in loaded:
            if item.sha256 and self.done.has_content(item.key, item.sha256):
                self.skipped += 1
            else:
                todo.append(item)
        return todo

    def _check_module(self, outcomes: list[InputOutcome]) -> None:
        """Stop when the module fails on every image before it ever succeeded."""
        attempted = [o for o in outcomes if o.prediction is not None or o.module_failed]
        if self.predicted or not attempted or any(o.prediction for o in attempted):
            return
        raise ModuleFailed(
            f"module {self.predictor.manifest.name!r} failed on every image of the first "
            f"chunk; stopping (the partial results are kept). First error: {attempted[0].error}"
        )


def _chunks(refs: Iterator[InputRef], size: int) -> Iterator[list[InputRef]]:
    while chunk := list(islice(refs, size)):
        yield chunk


def _read_ahead(
    chunks: Iterator[list[InputRef]],
    submit: Callable[[InputRef], Future[LoadedInput]],
    workers: int = 1,
) -> Iterator[list[Future[LoadedInput]]]:
    """Submit each chunk's reads as soon as it is formed; yield it ``READ_AHEAD`` later.

    With several predict workers the window grows by one chunk per extra worker, so that
    reading stays ahead of every worker.
    """
    window: deque[list[Future[LoadedInput]]] = deque()
    ahead = READ_AHEAD + workers - 1
    for chunk in chunks:
        window.append([submit(ref) for ref in chunk])
        if len(window) > ahead:
            yield window.popleft()
    while window:
        yield window.popleft()


def _start_counter(
    specs: Sequence[str],
    all_files: bool,
    already: int,
    progress: ProgressReporter,
    stop: threading.Event,
) -> None:
    def count() -> None:
        try:
            total = count_inputs(specs, all_files=all_files)
        except Exception as exc:  # noqa: BLE001 - counting is only for the ETA
            _log.debug("counting the inputs failed: %s", exc)
            return
        if not stop.is_set():
            progress.set_total(max(total - already, 0))

    threading.Thread(target=count, name="seascope-count", daemon=True).start()
