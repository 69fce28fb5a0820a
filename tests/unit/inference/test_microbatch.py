"""Micro-batching: concurrent requests share module calls; limits fail fast and clearly."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import numpy as np
import pytest
from pydantic import BaseModel

from seascope.errors import InvalidParameters, ModuleFailed, Overloaded, UnsupportedMediaType
from seascope.inference import (
    MicroBatcher,
    MicroBatchOptions,
    ModuleHost,
    PredictionResult,
    Predictor,
)
from seascope.machine import cpu_cores
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, SetupContext
from seascope.types import ClassScore, ImageInput, Prediction

MANIFEST = ModuleManifest(
    name="counting",
    version="0",
    title="Counting",
    summary="Records its calls.",
    task="other",
    entry="tests.unit.inference.test_microbatch:Counting",
)


class Params(BaseModel):
    label: str = "x"


class Counting(ModelModule[Params, Params]):
    predict_params = Params

    def __init__(self, manifest: ModuleManifest) -> None:
        super().__init__(manifest)
        self.calls: list[int] = []
        self.delay = 0.05
        self.gate = threading.Event()
        self.gate.set()

    def predict(self, images: Sequence[ImageInput], params: Params) -> list[Prediction]:
        self.gate.wait()
        if any(image.name == "poison" for image in images):
            raise ValueError("cannot read poison")
        self.calls.append(len(images))
        time.sleep(self.delay)
        return [
            Prediction(input=i.name, classes=(ClassScore(label=params.label, score=1.0),))
            for i in images
        ]


def image(name: str) -> ImageInput:
    return ImageInput(name=name, array=np.zeros((2, 2, 3), np.uint8))


def make(**options: float) -> tuple[Counting, MicroBatcher]:
    module = Counting(MANIFEST)
    batcher = MicroBatcher(Predictor(module), MicroBatchOptions(**options))  # type: ignore[arg-type]
    return module, batcher


def test_concurrent_requests_share_calls_and_get_their_own_results() -> None:
    module, batcher = make(max_batch_images=16, max_wait=0.05)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: batcher.predict([image(f"img{i}")]), range(8)))
    batcher.close()
    assert [r[0].input for r in results] == [f"img{i}" for i in range(8)]
    assert sum(module.calls) == 8
    assert len(module.calls) < 8  # at least some requests were batched together


def test_different_parameters_are_never_mixed() -> None:
    module, batcher = make(max_batch_images=16, max_wait=0.05)
    with ThreadPoolExecutor(6) as pool:
        futures = [
            pool.submit(batcher.predict, [image(f"{label}{i}")], {"label": label})
            for i in range(3)
            for label in ("a", "b")
        ]
        results = [f.result() for f in futures]
    batcher.close()
    for result in results:
        assert result[0].input.startswith(result[0].classes[0].label)


def test_full_queue_is_refused_at_once() -> None:
    module, batcher = make(max_queued_images=2, max_wait=0.0)
    module.gate.clear()  # the module blocks: the queue fills up
    waiting = threading.Thread(target=batcher.predict, args=([image("a"), image("b")],))
    waiting.start()
    deadline = time.monotonic() + 5
    while batcher.queued_images < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    with pytest.raises(Overloaded, match="already waiting") as info:
        batcher.predict([image("c")])
    assert info.value.retry_after >= 1
    module.gate.set()
    waiting.join(5)
    batcher.close()


def test_timeout_gives_a_clear_error() -> None:
    module, batcher = make(timeout=0.1)
    module.gate.clear()
    with pytest.raises(Overloaded, match="no prediction within 0.1 s"):
        batcher.predict([image("slow")])
    module.gate.set()
    batcher.close()


def test_one_bad_request_does_not_fail_its_batch_mates() -> None:
    module, batcher = make(max_batch_images=16, max_wait=0.1)
    with ThreadPoolExecutor(4) as pool:
        good = [pool.submit(batcher.predict, [image(f"ok{i}")]) for i in range(3)]
        bad = pool.submit(batcher.predict, [image("poison")])
        assert all(f.result()[0].input.startswith("ok") for f in good)
        with pytest.raises(ModuleFailed, match="cannot read poison"):
            bad.result()
    batcher.close()
    assert batcher.batches >= 1


def test_predict_files_decodes_then_batches(particle_bytes) -> None:  # type: ignore[no-untyped-def]
    module, batcher = make()
    result = batcher.predict_files([("a.jpg", particle_bytes())], {"label": "z"})
    batcher.close()
    assert result.predictions[0].classes[0].label == "z"
    assert result.decode_seconds > 0
    assert module.calls == [1]


def test_no_request_is_ever_lost_under_concurrency() -> None:
    module, batcher = make(max_batch_images=4, max_wait=0.001, workers=2, timeout=20.0)
    module.delay = 0.0
    with ThreadPoolExecutor(16) as pool:
        futures = [
            pool.submit(batcher.predict, [image(f"i{n}")] * (1 + n % 3), {"label": "ab"[n % 2]})
            for n in range(300)
        ]
        results = [f.result(timeout=30) for f in futures]
    batcher.close()
    assert [len(r) for r in results] == [1 + n % 3 for n in range(300)]
    assert all(r[0].classes[0].label == "ab"[n % 2] for n, r in enumerate(results))
    assert batcher.queued_images == 0


def test_awaiting_requests_share_calls_without_a_thread_each(
    particle_bytes,  # type: ignore[no-untyped-def]
) -> None:
    module, batcher = make(max_batch_images=16, max_wait=0.05)
    data = particle_bytes()

    async def main() -> list[PredictionResult]:
        return await asyncio.gather(
            *(
                batcher.predict_files_async([(f"img{i}.jpg", data)], {"label": "q"})
                for i in range(6)
            )
        )

    threads_before = threading.active_count()
    results = asyncio.run(main())
    batcher.close()
    assert [r.predictions[0].input for r in results] == [f"img{i}.jpg" for i in range(6)]
    assert all(r.predictions[0].classes[0].label == "q" for r in results)
    assert all(r.decode_seconds > 0 and r.predict_seconds > 0 for r in results)
    assert sum(module.calls) == 6 and len(module.calls) < 6
    assert threading.active_count() <= threads_before  # no thread was started per request


def test_a_file_that_cannot_be_decoded_fails_only_its_own_request(
    particle_bytes,  # type: ignore[no-untyped-def]
) -> None:
    module, batcher = make(max_batch_images=16, max_wait=0.1)
    good_data = particle_bytes()
    with ThreadPoolExecutor(4) as pool:
        good = [pool.submit(batcher.predict_files, [(f"ok{i}.jpg", good_data)]) for i in range(3)]
        bad = pool.submit(batcher.predict_files, [("notes.txt", b"not an image")])
        assert [f.result().predictions[0].input for f in good] == ["ok0.jpg", "ok1.jpg", "ok2.jpg"]
        with pytest.raises(UnsupportedMediaType, match="notes.txt"):
            bad.result()
    batcher.close()
    assert sum(module.calls) == 3
    assert batcher.queued_images == 0


def test_a_cancelled_waiter_is_dropped_before_its_batch_runs(
    particle_bytes,  # type: ignore[no-untyped-def]
) -> None:
    module, batcher = make(max_wait=0.0, workers=1)
    module.gate.clear()  # the first request holds the only worker
    data = particle_bytes()

    async def main() -> None:
        first = asyncio.ensure_future(batcher.predict_files_async([("first.jpg", data)]))
        await asyncio.sleep(0.05)
        gone = asyncio.ensure_future(batcher.predict_files_async([("gone.jpg", data)]))
        await asyncio.sleep(0.05)
        gone.cancel()  # the client went away
        await asyncio.sleep(0.05)
        module.gate.set()
        assert (await first).predictions[0].input == "first.jpg"

    asyncio.run(main())
    batcher.close()
    assert module.calls == [1]  # "gone.jpg" was never predicted


def test_awaiting_past_the_timeout_gives_a_clear_error(
    particle_bytes,  # type: ignore[no-untyped-def]
) -> None:
    module, batcher = make(timeout=0.1)
    module.gate.clear()
    with pytest.raises(Overloaded, match="no prediction within 0.1 s"):
        asyncio.run(batcher.predict_files_async([("slow.jpg", particle_bytes())]))
    module.gate.set()  # the batch ends after its caller's loop is closed
    assert batcher.predict([image("after")])[0].input == "after"  # the worker lives on
    batcher.close()


def test_requests_that_arrive_while_the_workers_are_busy_form_the_next_batch() -> None:
    module, batcher = make(max_wait=0.0, workers=1, max_batch_images=16)
    module.gate.clear()
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(batcher.predict, [image("first")])
        deadline = time.monotonic() + 5
        while batcher.queued_images < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.05)  # the worker holds "first" at the gate
        rest = [pool.submit(batcher.predict, [image(f"next{i}")]) for i in range(5)]
        while batcher.queued_images < 6:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        module.gate.set()
        assert first.result(5)[0].input == "first"
        assert [f.result(5)[0].input for f in rest] == [f"next{i}" for i in range(5)]
    batcher.close()
    assert module.calls == [1, 5]  # no waiting window, yet the queued five ran together


def test_one_batch_answers_callers_on_different_event_loops(
    particle_bytes,  # type: ignore[no-untyped-def]
) -> None:
    module, batcher = make(max_wait=0.0, workers=1, max_batch_images=16)
    module.gate.clear()
    data = particle_bytes()
    blocker = threading.Thread(target=batcher.predict, args=([image("blocker")],))
    blocker.start()

    def caller(index: int) -> PredictionResult:  # each thread runs its own event loop
        return asyncio.run(batcher.predict_files_async([(f"loop{index}.jpg", data)]))

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(caller, i) for i in range(3)]
        deadline = time.monotonic() + 5
        while batcher.queued_images < 4:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        module.gate.set()
        inputs = [f.result(5).predictions[0].input for f in futures]
    blocker.join(5)
    batcher.close()
    assert inputs == ["loop0.jpg", "loop1.jpg", "loop2.jpg"]
    assert module.calls == [1, 3]  # the three loops were answered from one batch


def test_bad_parameters_are_refused_before_anything_is_queued() -> None:
    module, batcher = make()
    with pytest.raises(InvalidParameters, match="label"):
        batcher.submit_files([("a.jpg", b"")], {"label": 3})
    assert batcher.queued_images == 0 and module.calls == []
    assert batcher.submit_files([]).result().predictions == []
    batcher.close()


@pytest.mark.parametrize(
    ("workers", "max_concurrency", "expected_workers"),
    [(0, None, "cores"), (1, None, 1), (64, None, 64), (0, 1, 1)],
)
def test_workers_share_the_cores(
    workers: int, max_concurrency: int | None, expected_workers: int | str
) -> None:
    options = MicroBatchOptions(workers=workers)
    count = options.worker_count(max_concurrency)
    assert count == (cpu_cores() if expected_workers == "cores" else expected_workers)
    assert options.threads_per_call(max_concurrency) == max(1, cpu_cores() // count)
    assert MicroBatchOptions(workers=workers, threads=3).threads_per_call(max_concurrency) == 3


class Recording(ModelModule[Params, Params]):
    """Remembers the context ``setup`` got."""

    predict_params = Params
    contexts: ClassVar[list[SetupContext]] = []

    def setup(self, ctx: SetupContext) -> None:
        Recording.contexts.append(ctx)

    def predict(self, images: Sequence[ImageInput], params: Params) -> list[Prediction]:
        return [Prediction(input=i.name) for i in images]


def test_a_serving_host_gives_each_call_its_share_of_the_cores() -> None:
    manifest = MANIFEST.model_copy(
        update={"name": "recording", "entry": "tests.unit.inference.test_microbatch:Recording"}
    )
    Recording.contexts.clear()
    ModuleHost(ModuleRegistry([manifest])).predictor("recording")
    options = MicroBatchOptions(workers=1)
    serving = ModuleHost(ModuleRegistry([manifest]), batching=options)
    serving.predictor("recording")
    pinned = ModuleHost(ModuleRegistry([manifest]), batching=MicroBatchOptions(threads=2))
    pinned.predictor("recording")
    assert [ctx.threads for ctx in Recording.contexts] == [0, cpu_cores(), 2]
