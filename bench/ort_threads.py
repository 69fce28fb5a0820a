"""ONNX Runtime threading: one caller with every core, or one single-threaded call per core.

Why seascope's servers and batch runs give each batch worker one engine thread: on the
CPU, several single-threaded ``run`` calls on one shared session do more images per
second than one call that spreads over every core (no synchronisation inside the graph),
and they do so at any batch size, so batches need not wait to grow.

Each line is one setting: ``threads`` (intra-op threads of the session, 0 = ONNX
Runtime's default of one per physical core), ``callers`` (threads calling ``run`` at once
on that session) and ``batch`` (images per call), with images/s over random inputs of
the model's shape. The baseline, measured in the same run, is one caller with
seascope's default session (``threads=0``) at the largest batch: the model ceiling of
``bench/inference.py``. Spinning is off, as in seascope.

Usage::

    .venv/bin/python bench/ort_threads.py --model PACKAGE/model.onnx
    .venv/bin/python bench/ort_threads.py --model model.onnx --images 512 --batches 1 8 64
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np

from seascope.machine import cpu_cores
from seascope.vision.export import INPUT_NAME, onnx_session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="an .onnx file")
    parser.add_argument("--images", type=int, default=1024, help="images per setting")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--size", type=int, help="input side (default: from the model)")
    args = parser.parse_args()
    if not args.model.is_file():
        print(f"no such model: {args.model}", file=sys.stderr)
        return 2
    cores = cpu_cores()
    sessions = {threads: onnx_session(args.model, threads=threads) for threads in (0, 1)}
    side = args.size or _side(sessions[0])
    settings = [(0, 1), (1, cores)] + ([(0, cores)] if cores > 1 else [])
    baseline_batch = max(args.batches)
    baseline = _rate(sessions[0], 1, baseline_batch, side, args.images)
    for threads, callers in settings:
        for batch in args.batches:
            rate = _rate(sessions[threads], callers, batch, side, args.images)
            line = {
                "name": f"threads{threads}_callers{callers}_batch{batch}",
                "threads": threads,
                "callers": callers,
                "batch": batch,
                "images_per_s": round(rate, 1),
                "ratio": round(rate / baseline, 3),
                "ratio_to": f"one caller, threads=0, batch {baseline_batch} "
                f"({baseline:.1f} images/s, measured in this run)",
                "cores": cores,
            }
            print(json.dumps(line), flush=True)
    return 0


def _side(session: object) -> int:
    shape = session.get_inputs()[0].shape  # type: ignore[attr-defined]
    side = shape[-1]
    if not isinstance(side, int):
        raise SystemExit("the model's input side is dynamic; pass --size")
    return side


def _rate(session: object, callers: int, batch: int, side: int, images: int) -> float:
    """Images per second of ``callers`` threads each running batches of ``batch``."""
    inputs = np.random.default_rng(0).random((batch, 3, side, side), dtype=np.float32)
    run = session.run  # type: ignore[attr-defined]
    run(None, {INPUT_NAME: inputs})  # warm-up
    calls = max(1, images // (callers * batch))

    def work() -> None:
        for _ in range(calls):
            run(None, {INPUT_NAME: inputs})

    threads = [threading.Thread(target=work) for _ in range(callers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return calls * callers * batch / (time.perf_counter() - started)


if __name__ == "__main__":
    raise SystemExit(main())
