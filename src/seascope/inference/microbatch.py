"""``MicroBatcher``: gather concurrent prediction requests into batches.

Requests for the same module and the same parameters are queued; worker threads take up
to ``max_batch_images`` images that arrived within ``max_wait`` seconds and run them
through the module in one call, then hand each request its own predictions. A full queue
refuses new work at once with :class:`~seascope.errors.Overloaded` (HTTP 503 with
``Retry-After``) instead of letting latency grow without bound, and a request that waits
longer than ``timeout`` gets a clear error while the others go on.

Uploaded files are decoded by the worker that runs their batch, so a request costs no
thread of its own: the HTTP routes await :meth:`MicroBatcher.predict_files_async` on the
event loop, and the worker hands the result straight back to it. With one worker per
core, decoding and the module share the cores without any other hand-off; a file that
cannot be decoded fails its own request only.
"""

from __future__ import annotations

import asyncio
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


@dataclass(frozen=True)
class MicroBatchOptions:
    """How requests are batched.

    Attributes:
        max_batch_images: Most images in one call of the module.
        max_wait: Seconds a batch waits for more requests after its first one.
        workers: Threads calling the module; 0 means one per CPU core (capped by the
            manifest's ``max_concurrency``). Modules that release the GIL (numpy, torch,
            ONNX Runtime) use every core this way while batches stay large under load.
        max_queued_images: Images allowed to wait; beyond that requests get ``Overloaded``.
        timeout: Seconds a request may wait for its predictions.
    """

    max_batch_images: int = 32
    max_wait: float = 0.002
    workers: int = 0
    max_queued_images: int = 1024
    timeout: float = 120.0

    def worker_count(self, max_concurrency: int | None = None) -> int:
        """Worker threads for a module allowing ``max_concurrency`` parallel calls."""
        wanted = self.workers or cpu_cores()
        return max(1, min(wanted, max_concurrency or wanted))

    def threads_per_call(self, max_concurrency: int | None = None) -> int:
        """CPU threads one module call may use so that the workers share the cores.

        With one worker per core this is 1: each worker keeps one core busy with its own
        batch, which on the CPU is faster than several threads sharing every call (no
        synchronisation between them, and decoding fills the gaps).
        """
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
    decode_seconds: float = 0.0


class MicroBatcher:
    """Batch concurrent requests for one module.

    Args:
        predictor: The module's predictor.
        options: Batch sizes, waiting times and limits.
    """

    def __init__(self, predictor: Predictor, options: MicroBatchOptions | None = None) -> None:
        self.predictor = predictor
        self.options = options or MicroBatchOptions()
        # queue.Queue, not SimpleQueue: with several consumers, CPython 3.11's
        # SimpleQueue.get(timeout=...) can turn an expired timeout into an endless wait
        # when another consumer took the item it woke for (seen here: both workers parked
        # in get() while requests timed out after 120 s).
        self._queue: queue.Queue[_Request | None] = queue.Queue()
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
        future = self.submit_files(files, params)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.options.timeout)
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
        parsed = self.predictor.parse_params(params)
        request = _Request(None, files, len(files), parsed, parsed.model_dump_json())
        if not files:
            request.future.set_result(PredictionResult([], 0.0, 0.0))
            return request.future
        return self._submit(request)

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
            first = self._next(block=True, timeout=None)
            if first is None:
                return
            batch = self._gather(first)
            self._run(batch)

    def _next(self, *, block: bool, timeout: float | None) -> _Request | None:
        with self._lock:
            if self._deferred:
                return self._deferred.popleft()
        try:
            return self._queue.get(block=block, timeout=timeout)
        except queue.Empty:
            return None

    def _gather(self, first: _Request) -> list[_Request]:
        batch = [first]
        size = first.count
        deadline = time.perf_counter() + self.options.max_wait
        while size < self.options.max_batch_images:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            try:
                candidate = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
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
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        try:
            decoded = [r for r in live if self._decode(r)]
            if decoded:
                self._predict_batch(decoded)
        finally:
            with self._lock:
                self._queued_images -= sum(r.count for r in batch)

    def _decode(self, request: _Request) -> bool:
        """Decode the request's files in this worker; a bad file fails its request only."""
        if request.files is None:
            return True
        started = time.perf_counter()
        try:
            request.images = self.predictor.decode(request.files)
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            request.future.set_exception(exc)
            return False
        request.decode_seconds = time.perf_counter() - started
        return True

    def _predict_batch(self, batch: list[_Request]) -> None:
        images = [image for request in batch for image in _images(request)]
        started = time.perf_counter()
        try:
            predictions = self.predictor.predict(images, batch[0].params).predictions
        except SeascopeError as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            for request in batch:  # find whose images the module refused
                self._predict_batch_alone(request)
            return
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            for request in batch:
                request.future.set_exception(exc)
            return
        elapsed = time.perf_counter() - started
        with self._lock:
            self._batches += 1
            self._predicted_images += len(images)
        offset = 0
        for request in batch:
            count = len(_images(request))
            request.future.set_result(
                PredictionResult(
                    predictions[offset : offset + count], request.decode_seconds, elapsed
                )
            )
            offset += count

    def _predict_batch_alone(self, request: _Request) -> None:
        images = _images(request)
        try:
            result = self.predictor.predict(images, request.params)
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            request.future.set_exception(exc)
        else:
            with self._lock:
                self._batches += 1
                self._predicted_images += len(images)
            request.future.set_result(
                PredictionResult(result.predictions, request.decode_seconds, result.predict_seconds)
            )


def _images(request: _Request) -> Sequence[ImageInput]:
    assert request.images is not None, "decoded by _decode before prediction"
    return request.images
