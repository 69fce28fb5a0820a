"""``MicroBatcher``: gather concurrent prediction requests into batches.

Requests for the same module and the same parameters are queued; a free worker thread
takes every request waiting (up to ``max_batch_images`` images, after at most
``max_wait`` seconds for more) and runs them through the module in one call, then hands
each request its own predictions. Under load the queue fills while the workers are busy,
so batches grow by themselves; an idle server answers a lone request at once. A full queue
refuses new work at once with :class:`~seascope.errors.Overloaded` (HTTP 503 with
``Retry-After``) instead of letting latency grow without bound, and a request that waits
longer than ``timeout`` gets a clear error while the others go on.

Uploaded files are decoded by the worker that runs their batch, so a request costs no
thread of its own: the HTTP routes await :meth:`MicroBatcher.predict_files_async` on the
event loop, and the worker hands the results of a batch back to each loop in one call.
With one worker per core, decoding and the module share the cores without any other
hand-off; a file that cannot be decoded fails its own request only.

Hand-offs between threads are kept per batch, not per request: each one makes a thread
wait for the GIL that the event loop holds, which on a small machine costs more than
the batching gains (docs/benchmarks.md, "Inference").
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from seascope.errors import Overloaded, SeascopeError
from seascope.inference.predictor import PredictionResult, Predictor
from seascope.machine import cpu_cores
from seascope.types import ImageInput, Prediction

__all__ = ["MicroBatchOptions", "MicroBatcher"]

_Settled = tuple["asyncio.Future[PredictionResult]", "PredictionResult | BaseException"]


@dataclass(frozen=True)
class MicroBatchOptions:
    """How requests are batched.

    Attributes:
        max_batch_images: Most images in one call of the module.
        max_wait: Seconds a free worker waits for more requests after the first one.
            0 (the default) runs what is waiting at once: measured faster on the CPU,
            where requests pile up by themselves while the workers are busy.
        workers: Threads calling the module; 0 means one per CPU core (capped by the
            manifest's ``max_concurrency``). Modules that release the GIL (numpy, torch,
            ONNX Runtime) use every core this way while batches stay large under load.
        max_queued_images: Images allowed to wait; beyond that requests get ``Overloaded``.
        timeout: Seconds a request may wait for its predictions.
        threads: CPU threads one module call may use; 0 shares the cores among the
            workers (:meth:`threads_per_call`).
    """

    max_batch_images: int = 32
    max_wait: float = 0.0
    workers: int = 0
    max_queued_images: int = 1024
    timeout: float = 120.0
    threads: int = 0

    def worker_count(self, max_concurrency: int | None = None) -> int:
        """Worker threads for a module allowing ``max_concurrency`` parallel calls."""
        wanted = self.workers or cpu_cores()
        return max(1, min(wanted, max_concurrency or wanted))

    def threads_per_call(self, max_concurrency: int | None = None) -> int:
        """CPU threads one module call may use so that the workers share the cores.

        With one worker per core this is 1: each worker keeps one core busy with its own
        batch, which on the CPU is faster than several threads sharing every call (no
        synchronisation between them, and decoding fills the gaps). An explicit
        ``threads`` wins: a process pinned to its cores after start-up (a deployment)
        cannot rely on counting them at set-up.
        """
        if self.threads:
            return self.threads
        return max(1, cpu_cores() // self.worker_count(max_concurrency))


@dataclass(eq=False)
class _Request:
    """One caller's images (or still-encoded files) and the future of its result."""

    images: Sequence[ImageInput] | None
    files: Sequence[tuple[str, bytes]] | None
    count: int
    params: BaseModel
    key: str
    future: Future[PredictionResult] = field(default_factory=Future)
    waiter: asyncio.Future[PredictionResult] | None = None
    decode_seconds: float = 0.0

    def start(self) -> bool:
        """Whether the request is still wanted (its caller may have given up)."""
        if self.waiter is not None:
            return not self.waiter.done()
        return self.future.set_running_or_notify_cancel()

    def settle(self, outcome: PredictionResult | BaseException, ready: list[_Settled]) -> None:
        """Deliver ``outcome``: to a waiting thread now, to an awaiting task via ``ready``."""
        if self.waiter is not None:
            ready.append((self.waiter, outcome))
        elif isinstance(outcome, BaseException):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)


class MicroBatcher:
    """Batch concurrent requests for one module.

    Args:
        predictor: The module's predictor.
        options: Batch sizes, waiting times and limits.
    """

    def __init__(self, predictor: Predictor, options: MicroBatchOptions | None = None) -> None:
        self.predictor = predictor
        self.options = options or MicroBatchOptions()
        # SimpleQueue blocks in C, so a worker woken for a request costs one GIL hand-off.
        # It is only ever read blocking without a timeout, or with get_nowait: with
        # several consumers, CPython 3.11's get(timeout=...) can turn an expired timeout
        # into an endless wait when another consumer took the item it woke for.
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._deferred: deque[_Request] = deque()
        self._lock = threading.Lock()
        self._queued_images = 0
        self._batches = 0
        self._predicted_images = 0
        self._refused_requests = 0
        self._closed = False
        workers = self.options.worker_count(predictor.manifest.max_concurrency)
        self._threads = [
            threading.Thread(
                target=self._work, name=f"batch-{predictor.manifest.name}-{i}", daemon=True
            )
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def queued_images(self) -> int:
        """Images waiting or being predicted right now."""
        return self._queued_images

    @property
    def batches(self) -> int:
        """Module calls made so far."""
        return self._batches

    @property
    def predicted_images(self) -> int:
        """Images predicted so far (for metrics)."""
        return self._predicted_images

    @property
    def refused_requests(self) -> int:
        """Requests refused because the queue was full or the server was closing."""
        return self._refused_requests

    def predict_files(
        self,
        files: Sequence[tuple[str, bytes]],
        params: Mapping[str, Any] | BaseModel | None = None,
    ) -> PredictionResult:
        """Validate, then decode and predict ``(name, data)`` files in a shared batch.

        Blocks the calling thread; event-loop code awaits :meth:`predict_files_async`.

        Raises:
            InvalidParameters: bad parameters (checked before anything is queued).
            InvalidInput: a file cannot be decoded (this request only).
            Overloaded: the queue is full, or no result came within ``timeout``.
        """
        return self._wait(self.submit_files(files, params))

    async def predict_files_async(
        self,
        files: Sequence[tuple[str, bytes]],
        params: Mapping[str, Any] | BaseModel | None = None,
    ) -> PredictionResult:
        """:meth:`predict_files` for the event loop: no thread waits for the batch.

        If the awaiting task is cancelled (the client went away), the request is
        dropped from the queue when its batch has not started yet.
        """
        request = self._files_request(files, params)
        if not files:
            return PredictionResult([], 0.0, 0.0)
        waiter: asyncio.Future[PredictionResult] = asyncio.get_running_loop().create_future()
        request.waiter = waiter
        self._submit(request)
        try:
            async with asyncio.timeout(self.options.timeout):
                return await waiter
        except TimeoutError:
            raise self._timed_out() from None

    def predict(
        self, images: Sequence[ImageInput], params: Mapping[str, Any] | BaseModel | None = None
    ) -> list[Prediction]:
        """Predictions for decoded ``images``, computed together with other requests.

        Raises:
            Overloaded: the queue is full, or no result came within ``timeout``.
            InvalidParameters / ModuleFailed: as :meth:`Predictor.predict`.
        """
        if not images:
            return []
        parsed = self.predictor.parse_params(params)
        request = _Request(images, None, len(images), parsed, parsed.model_dump_json())
        return self._wait(self._submit(request)).predictions

    def submit_files(
        self,
        files: Sequence[tuple[str, bytes]],
        params: Mapping[str, Any] | BaseModel | None = None,
    ) -> Future[PredictionResult]:
        """Queue ``files`` for decoding and prediction; the future holds the result.

        Raises:
            InvalidParameters: bad parameters.
            Overloaded: the queue is full or the batcher is closed.
        """
        request = self._files_request(files, params)
        if not files:
            request.future.set_result(PredictionResult([], 0.0, 0.0))
            return request.future
        return self._submit(request)

    def _files_request(
        self, files: Sequence[tuple[str, bytes]], params: Mapping[str, Any] | BaseModel | None
    ) -> _Request:
        parsed = self.predictor.parse_params(params)
        return _Request(None, files, len(files), parsed, parsed.model_dump_json())

    def _submit(self, request: _Request) -> Future[PredictionResult]:
        with self._lock:
            if self._closed:
                self._refused_requests += 1
                raise Overloaded("the server is shutting down", retry_after=5.0)
            if self._queued_images + request.count > self.options.max_queued_images:
                self._refused_requests += 1
                raise Overloaded(
                    f"{self._queued_images} images are already waiting for module "
                    f"{self.predictor.manifest.name!r}; retry shortly",
                    retry_after=1.0,
                )
            self._queued_images += request.count
        self._queue.put(request)
        return request.future

    def _wait(self, future: Future[PredictionResult]) -> PredictionResult:
        try:
            return future.result(timeout=self.options.timeout)
        except FutureTimeout:
            future.cancel()
            raise self._timed_out() from None

    def _timed_out(self) -> Overloaded:
        return Overloaded(
            f"no prediction within {self.options.timeout:g} s; the module is too busy",
            retry_after=5.0,
        )

    def close(self) -> None:
        """Stop the worker threads after the work already queued."""
        with self._lock:
            self._closed = True
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while True:
            first = self._next()
            if first is None:
                return
            batch = self._gather(first)
            self._run(batch)

    def _next(self) -> _Request | None:
        with self._lock:
            if self._deferred:
                return self._deferred.popleft()
        return self._queue.get()

    def _gather(self, first: _Request) -> list[_Request]:
        """``first`` and the requests waiting behind it, after one ``max_wait`` nap at most.

        The worker sleeps instead of blocking on the queue, so that it wakes once per
        batch rather than once per arriving request.
        """
        batch = [first]
        size = first.count
        deadline = time.perf_counter() + self.options.max_wait
        waited = False
        while size < self.options.max_batch_images:
            try:
                candidate = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.perf_counter()
                if waited or remaining <= 0:
                    break
                time.sleep(remaining)
                waited = True
                continue
            if candidate is None:
                self._queue.put(None)  # keep the stop signal for the loop
                break
            fits = size + candidate.count <= self.options.max_batch_images
            if candidate.key != first.key or not fits:
                with self._lock:
                    self._deferred.append(candidate)
                break
            batch.append(candidate)
            size += candidate.count
        return batch

    def _run(self, batch: list[_Request]) -> None:
        live = [r for r in batch if r.start()]
        ready: list[_Settled] = []
        try:
            decoded = [r for r in live if self._decode(r, ready)]
            if decoded:
                self._predict_batch(decoded, ready)
        finally:
            with self._lock:
                self._queued_images -= sum(r.count for r in batch)
            _deliver(ready)

    def _decode(self, request: _Request, ready: list[_Settled]) -> bool:
        """Decode the request's files in this worker; a bad file fails its request only."""
        if request.files is None:
            return True
        started = time.perf_counter()
        try:
            request.images = self.predictor.decode(request.files)
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            request.settle(exc, ready)
            return False
        request.decode_seconds = time.perf_counter() - started
        return True

    def _predict_batch(self, batch: list[_Request], ready: list[_Settled]) -> None:
        images = [image for request in batch for image in _images(request)]
        started = time.perf_counter()
        try:
            predictions = self.predictor.predict(images, batch[0].params).predictions
        except SeascopeError as exc:
            if len(batch) == 1:
                batch[0].settle(exc, ready)
                return
            for request in batch:  # find whose images the module refused
                self._predict_batch_alone(request, ready)
            return
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            for request in batch:
                request.settle(exc, ready)
            return
        elapsed = time.perf_counter() - started
        with self._lock:
            self._batches += 1
            self._predicted_images += len(images)
        offset = 0
        for request in batch:
            count = len(_images(request))
            result = PredictionResult(
                predictions[offset : offset + count], request.decode_seconds, elapsed
            )
            request.settle(result, ready)
            offset += count

    def _predict_batch_alone(self, request: _Request, ready: list[_Settled]) -> None:
        images = _images(request)
        try:
            result = self.predictor.predict(images, request.params)
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            request.settle(exc, ready)
            return
        with self._lock:
            self._batches += 1
            self._predicted_images += len(images)
        request.settle(
            PredictionResult(result.predictions, request.decode_seconds, result.predict_seconds),
            ready,
        )


def _deliver(ready: Sequence[_Settled]) -> None:
    """Hand awaited results to their event loops: one wake-up per loop and batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Settled]] = {}
    for settled in ready:
        by_loop.setdefault(settled[0].get_loop(), []).append(settled)
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(_settle_all, items)


def _settle_all(items: Sequence[_Settled]) -> None:
    for waiter, outcome in items:
        if waiter.done():  # cancelled: the caller went away or timed out
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


def _images(request: _Request) -> Sequence[ImageInput]:
    assert request.images is not None, "decoded by _decode before prediction"
    return request.images
