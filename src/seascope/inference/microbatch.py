"""``MicroBatcher``: gather concurrent prediction requests into batches.

Requests for the same module and the same parameters are queued; worker threads take up
to ``max_batch_images`` images that arrived within ``max_wait`` seconds and run them
through the module in one call, then hand each request its own predictions. A full queue
refuses new work at once with :class:`~seascope.errors.Overloaded` (HTTP 503 with
``Retry-After``) instead of letting latency grow without bound, and a request that waits
longer than ``timeout`` gets a clear error while the others go on.

Decoding happens in the caller's thread, so many requests decode in parallel while the
model sees few, large batches.
"""

from __future__ import annotations

import os
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


@dataclass(eq=False)
class _Request:
    images: Sequence[ImageInput]
    params: BaseModel
    key: str
    future: Future[list[Prediction]] = field(default_factory=Future)


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
        limit = predictor.manifest.max_concurrency
        wanted = self.options.workers or os.cpu_count() or 1
        workers = max(1, min(wanted, limit or wanted))
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
        """Validate, decode (in this thread), then predict in a shared batch."""
        parsed = self.predictor.parse_params(params)
        started = time.perf_counter()
        images = self.predictor.decode(files)
        decoded = time.perf_counter()
        predictions = self.predict(images, parsed)
        return PredictionResult(predictions, decoded - started, time.perf_counter() - decoded)

    def predict(
        self, images: Sequence[ImageInput], params: Mapping[str, Any] | BaseModel | None = None
    ) -> list[Prediction]:
        """Predictions for ``images``, computed together with other waiting requests.

        Raises:
            Overloaded: the queue is full, or no result came within ``timeout``.
            InvalidParameters / ModuleFailed: as :meth:`Predictor.predict`.
        """
        if not images:
            return []
        parsed = self.predictor.parse_params(params)
        request = _Request(images, parsed, parsed.model_dump_json())
        with self._lock:
            if self._closed:
                self._refused_requests += 1
                raise Overloaded("the server is shutting down", retry_after=5.0)
            if self._queued_images + len(images) > self.options.max_queued_images:
                self._refused_requests += 1
                raise Overloaded(
                    f"{self._queued_images} images are already waiting for module "
                    f"{self.predictor.manifest.name!r}; retry shortly",
                    retry_after=1.0,
                )
            self._queued_images += len(images)
        self._queue.put(request)
        try:
            return request.future.result(timeout=self.options.timeout)
        except FutureTimeout:
            request.future.cancel()
            raise Overloaded(
                f"no prediction within {self.options.timeout:g} s; the module is too busy",
                retry_after=5.0,
            ) from None

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
        size = len(first.images)
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
            fits = size + len(candidate.images) <= self.options.max_batch_images
            if candidate.key != first.key or not fits:
                with self._lock:
                    self._deferred.append(candidate)
                break
            batch.append(candidate)
            size += len(candidate.images)
        return batch

    def _run(self, batch: list[_Request]) -> None:
        live = [r for r in batch if r.future.set_running_or_notify_cancel()]
        try:
            if live:
                self._predict_batch(live)
        finally:
            with self._lock:
                self._queued_images -= sum(len(r.images) for r in batch)

    def _predict_batch(self, batch: list[_Request]) -> None:
        images = [image for request in batch for image in request.images]
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
        with self._lock:
            self._batches += 1
            self._predicted_images += len(images)
        offset = 0
        for request in batch:
            request.future.set_result(predictions[offset : offset + len(request.images)])
            offset += len(request.images)

    def _predict_batch_alone(self, request: _Request) -> None:
        try:
            result = self.predictor.predict(request.images, request.params)
        except BaseException as exc:  # noqa: BLE001 - delivered to the waiting caller
            request.future.set_exception(exc)
        else:
            with self._lock:
                self._batches += 1
                self._predicted_images += len(request.images)
            request.future.set_result(result.predictions)
