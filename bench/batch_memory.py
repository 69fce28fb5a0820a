"""Batch memory: peak RSS of ``seascope predict MODULE FOLDER --out FILE`` at two sizes.

A batch run streams its inputs, so its peak memory should hardly depend on how many
images it reads. This benchmark runs the real CLI (one fresh process per size) over a
folder of N images and reports the child's peak resident set size (``ru_maxrss`` from
``wait4``). The baseline is the smallest size, measured in the same run; the goal is a
peak at the largest size within 20% of it.

The folders are cheap to build: ``--unique`` distinct particle images are generated once
and every input is a hard link to one of them (a symbolic link where hard links are not
possible), 1,000 per sub-folder as an instrument would write them.

Usage::

    .venv/bin/python bench/batch_memory.py                      # 10,000 and 100,000 images
    .venv/bin/python bench/batch_memory.py --sizes 1000 10000   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from seascope.datasets import MORPHOLOGIES, render_particle

GOAL = 1.2
PER_FOLDER = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--unique", type=int, default=240, help="Distinct images generated.")
    parser.add_argument("--side", type=int, default=48, help="Image side in pixels.")
    parser.add_argument("--module", default="reference")
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--format", default="csv", choices=["csv", "jsonl"])
    parser.add_argument("--workdir", type=Path, help="Keep the folders here (default: temp).")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="seascope-batch-memory-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        pool = _generate(workdir / "pool", args.unique, args.side)
        results = [_measure(workdir, pool, size, args) for size in sorted(args.sizes)]
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    baseline = results[0]["peak_rss_mib"]
    for result in results:
        result["ratio"] = round(result["peak_rss_mib"] / baseline, 3)
        print(json.dumps(result), flush=True)
    largest = results[-1]
    summary = {
        "name": "summary",
        "goal": GOAL,
        "ratio": largest["ratio"],
        "ok": largest["ratio"] <= GOAL and all(r["rows_ok"] for r in results),
        "sizes": [r["images"] for r in results],
        "peak_rss_mib": [r["peak_rss_mib"] for r in results],
        "module": args.module,
        "chunk_size": args.chunk_size,
        "threads": args.threads,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(summary), flush=True)
    return 0


def _generate(pool: Path, count: int, side: int) -> list[Path]:
    pool.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = list(MORPHOLOGIES)
    paths = []
    for index in range(count):
        path = pool / f"{index:05d}.png"
        if not path.exists():
            render_particle(names[index % len(names)], rng, size=side).save(path)
        paths.append(path)
    return paths


def _build_folder(folder: Path, pool: list[Path], size: int) -> None:
    if (folder / ".complete").exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(size):
        sub = folder / f"sample{index // PER_FOLDER:04d}"
        if index % PER_FOLDER == 0:
            sub.mkdir(parents=True, exist_ok=True)
        target = sub / f"img{index:07d}.png"
        source = pool[index % len(pool)]
        try:
            os.link(source, target)
        except OSError:
            target.symlink_to(source)
    (folder / ".complete").touch()


def _measure(
    workdir: Path, pool: list[Path], size: int, args: argparse.Namespace
) -> dict[str, Any]:
    folder = workdir / f"images-{size}"
    started = time.monotonic()
    _build_folder(folder, pool, size)
    built = time.monotonic() - started
    out = workdir / f"results-{size}.{args.format}"
    for stale in (out, out.with_name(out.name + ".partial")):
        stale.unlink(missing_ok=True)
    command = [sys.executable, "-m", "seascope.cli", "predict", args.module, str(folder)]
    command += ["--out", str(out), "--no-progress", "--chunk-size", str(args.chunk_size)]
    command += ["--threads", str(args.threads)]
    print(f"batch_memory: {size} images ({built:.1f} s to link) ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    stderr = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    rows = sum(1 for _ in out.open()) - (1 if args.format == "csv" else 0) if out.exists() else 0
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    peak_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return {
        "name": f"batch_{size}",
        "images": size,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "seconds": round(seconds, 1),
        "images_per_s": round(size / seconds, 1),
        "rows": rows,
        "rows_ok": rows == size and child.returncode == 0,
        "exit_code": child.returncode,
        "stderr_tail": stderr.strip().splitlines()[-1:] if child.returncode else [],
    }


if __name__ == "__main__":
    raise SystemExit(main())
