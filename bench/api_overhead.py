"""API overhead: reference-module predictions/s through seascope's HTTP routes vs bare FastAPI.

Measures, with concurrent clients on loopback, the predictions per second of the
``reference`` module through

* ``POST /v1/modules/reference/predict``  (``http_native``, multipart field ``images``), and
* ``POST /v2/models/reference/predict/``  (``http_deepaas``, multipart field ``data``,
  header ``accept: application/json``),

each as a ratio to a bare FastAPI endpoint doing the same work (``baseline_bare_fastapi``,
see ``_servers.py``) measured in the same run. The goal is a ratio of at least 0.8.

Every server is a real uvicorn process on 127.0.0.1 with the same settings, started one at
a time, warmed up, then driven by the same client code with the same images and the same
number of requests. Prints one JSON line per result, then a summary line, on stdout;
progress goes to stderr.

Usage::

    .venv/bin/python bench/api_overhead.py            # default run (a few minutes)
    .venv/bin/python bench/api_overhead.py --quick    # reduced run (under a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from seascope.datasets import MORPHOLOGIES, render_particle

GOAL = 0.8
MODULE = "reference"
BENCH_DIR = Path(__file__).resolve().parent
WORKDIR_ENV = "SEASCOPE_BENCH_WORKDIR"  # read by _servers.seascope_app
LOOPBACK = "127.0.0.1"
UVICORN_SETTINGS = (
    "--workers",
    "1",
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--lifespan",
    "on",
    "--no-access-log",
    "--log-level",
    "warning",
    "--timeout-graceful-shutdown",
    "3",
)
SERVER_START_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 30.0
PHASE_LIMIT_SECONDS = 300.0
DEEPAAS_NOT_MOUNTED = "DEEPaaS routes not mounted"


@dataclass(frozen=True)
class Target:
    """One measured route.

    Attributes:
        name: Result name in the JSON output.
        factory: ``module:function`` of the uvicorn app factory (in ``bench/``).
        ready_path: GET route answering 200 once the module is loaded.
        predict_path: The POST route measured.
        file_field: Multipart field of the image.
    """

    name: str
    factory: str
    ready_path: str
    predict_path: str
    file_field: str


BASELINE = Target("baseline_bare_fastapi", "_servers:bare_app", "/ready", "/predict", "images")
NATIVE = Target(
    "http_native", "_servers:seascope_app", "/v1/ready", f"/v1/modules/{MODULE}/predict", "images"
)
DEEPAAS = Target(
    "http_deepaas", "_servers:seascope_app", "/v1/ready", f"/v2/models/{MODULE}/predict/", "data"
)
TARGETS = (BASELINE, NATIVE, DEEPAAS)


@dataclass
class Tally:
    """Measurements of one target, summed over rounds."""

    requests: int = 0
    images: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    round_rates: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    top_labels: list[str | None] | None = None
    skipped: str | None = None
    failure: str | None = None


@dataclass(frozen=True)
class Phase:
    """One timed run of requests against one route."""

    requests: int
    seconds: float
    latencies: list[float]
    errors: list[str]
    server_cpu: float | None
    client_cpu: float


class BenchError(RuntimeError):
    """The benchmark could not run (a server did not start, requests failed)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit status (0 unless it could not run)."""
    args = _parse_args(argv)
    started = time.perf_counter()
    images = _make_images(args.images, seed=args.seed)
    sizes = [len(data) for _, data in images]
    _log(
        f"{len(images)} JPEG images, {min(sizes)}-{max(sizes)} bytes; {args.rounds} round(s) of "
        f"{args.requests} requests per route after {args.warmup} warm-up requests, "
        f"{args.concurrency} concurrent clients; {os.cpu_count()} CPU(s) for client and server"
    )
    tallies = {target.name: Tally() for target in TARGETS}
    workdir = Path(tempfile.mkdtemp(prefix="seascope-bench-"))
    try:
        for round_index in range(args.rounds):
            # Alternate the order so that a slow drift of the machine favours no side.
            servers = ["baseline", "seascope"] if round_index % 2 == 0 else ["seascope", "baseline"]
            for server in servers:
                targets = [BASELINE] if server == "baseline" else [NATIVE, DEEPAAS]
                _log(f"round {round_index + 1}/{args.rounds}: {server} server")
                _measure_server(targets, tallies, images, args, workdir)
    except BenchError as exc:
        _log(f"benchmark failed: {exc}")
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines = _results(tallies, args, len(images))
    for line in lines:
        print(json.dumps(line), flush=True)
    print(json.dumps(_summary(lines, args, len(images), time.perf_counter() - started)), flush=True)
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="reduced run (under a minute)")
    parser.add_argument("--requests", type=int, help="timed requests per route and round")
    parser.add_argument("--rounds", type=int, help="server restarts per route (order alternates)")
    parser.add_argument("--warmup", type=int, help="untimed requests before each timed run")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--images", type=int, default=48, help="distinct test images")
    parser.add_argument("--seed", type=int, default=0, help="seed of the test images")
    args = parser.parse_args(argv)
    quick = args.quick
    args.requests = args.requests or (400 if quick else 1000)
    args.rounds = args.rounds or (2 if quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (50 if quick else 100)
    for option in ("requests", "rounds", "concurrency", "images"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def _make_images(count: int, *, seed: int) -> list[tuple[str, bytes]]:
    """Plankton-like crops (64-160 px, a quarter greyscale) encoded as JPEG in memory."""
    rng = np.random.default_rng(seed)
    names = list(MORPHOLOGIES)
    images: list[tuple[str, bytes]] = []
    for index in range(count):
        morphology = names[index % len(names)]
        image = render_particle(morphology, rng, greyscale=bool(rng.random() < 0.25))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        images.append((f"{morphology}_{index:03d}.jpg", buffer.getvalue()))
    return images


def _measure_server(
    targets: Sequence[Target],
    tallies: dict[str, Tally],
    images: Sequence[tuple[str, bytes]],
    args: argparse.Namespace,
    workdir: Path,
) -> None:
    """Start the targets' server, measure each of its routes in turn, stop it."""
    with _server(targets[0], workdir) as (base_url, pid):
        for target in targets:
            tally = tallies[target.name]
            if tally.skipped or tally.failure:
                continue
            requests = _encode_requests(base_url + target.predict_path, target.file_field, images)
            outcome = asyncio.run(
                _run_target(
                    requests,
                    args,
                    pid,
                    check=tally.top_labels is None,
                    may_be_missing=target is DEEPAAS,
                )
            )
            if isinstance(outcome, str):
                if outcome.startswith(DEEPAAS_NOT_MOUNTED):
                    tally.skipped = DEEPAAS_NOT_MOUNTED
                    _log(f"  {target.name}: skipped ({outcome})")
                else:
                    tally.failure = outcome
                    _log(f"  {target.name}: FAILED: {outcome}")
                continue
            phase, labels = outcome
            if labels is not None:
                tally.top_labels = labels
            _add(tally, phase)
            _log(
                f"  {target.name}: {phase.requests / phase.seconds:.1f} images/s, "
                f"p50 {_percentile(phase.latencies, 50):.1f} ms, {len(phase.errors)} error(s)"
            )


@contextlib.contextmanager
def _server(target: Target, workdir: Path) -> Iterator[tuple[str, int]]:
    """A uvicorn process serving ``target.factory`` on a free loopback port."""
    log_path = workdir / f"{target.factory.replace(':', '-')}.log"
    env = {**os.environ, WORKDIR_ENV: str(workdir), "PYTHONUNBUFFERED": "1"}
    for attempt in range(3):
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            target.factory,
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            *UVICORN_SETTINGS,
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=BENCH_DIR.parent,
                start_new_session=True,
            )
        try:
            base_url = f"http://{LOOPBACK}:{port}"
            if _wait_ready(process, base_url + target.ready_path):
                yield base_url, process.pid
                return
            if attempt == 2 or "address already in use" not in _tail(log_path).lower():
                raise BenchError(f"{target.factory} did not start:\n{_tail(log_path)}")
            _log(f"  port {port} was taken, retrying")
        finally:
            _stop(process)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> bool:
    """Poll ``url`` until it answers 200; False if the process exits first."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return True
            time.sleep(0.1)
    raise BenchError(f"no 200 from {url} within {SERVER_START_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass(frozen=True)
class EncodedRequest:
    """A predict request encoded once, so that the client spends no time on multipart."""

    url: str
    content: bytes
    headers: dict[str, str]


def _encode_requests(
    url: str, file_field: str, images: Sequence[tuple[str, bytes]]
) -> list[EncodedRequest]:
    encoded: list[EncodedRequest] = []
    for name, data in images:
        request = httpx.Request(
            "POST",
            url,
            params={"top_k": 5},
            files={file_field: (name, data, "image/jpeg")},
            headers={"accept": "application/json"},
        )
        content = request.read()
        headers = {
            "accept": "application/json",
            "content-type": request.headers["content-type"],
        }
        encoded.append(EncodedRequest(str(request.url), content, headers))
    return encoded


async def _run_target(
    requests: Sequence[EncodedRequest],
    args: argparse.Namespace,
    pid: int,
    *,
    check: bool,
    may_be_missing: bool,
) -> tuple[Phase, list[str | None] | None] | str:
    """Probe, optionally check, warm up and time one route; a string says why it could not.

    With ``check``, every image is sent once and the top label of each answer is returned
    (to compare with the baseline's). ``may_be_missing``: a 404/405 means the route is
    not mounted yet, reported as such instead of as a failure.
    """
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(
        timeout=REQUEST_TIMEOUT_SECONDS, limits=limits, trust_env=False
    ) as client:
        probe = await _send(client, requests[0])
        if may_be_missing and probe.status_code in (404, 405):
            return f"{DEEPAAS_NOT_MOUNTED}: HTTP {probe.status_code} from {requests[0].url}"
        if probe.status_code != 200:
            return f"HTTP {probe.status_code} from {requests[0].url}: {probe.text[:300]}"
        labels: list[str | None] | None = None
        if check:
            labels = []
            for request in requests:
                response = await _send(client, request)
                if response.status_code != 200:
                    return f"HTTP {response.status_code} from {request.url}: {response.text[:300]}"
                labels.append(_top_label(response.json()))
        if args.warmup:
            await _drive(client, requests, args.warmup, args.concurrency, pid)
        phase = await _drive(client, requests, args.requests, args.concurrency, pid)
    return phase, labels


async def _send(client: httpx.AsyncClient, request: EncodedRequest) -> httpx.Response:
    return await client.post(request.url, content=request.content, headers=request.headers)


async def _drive(
    client: httpx.AsyncClient,
    requests: Sequence[EncodedRequest],
    total: int,
    concurrency: int,
    pid: int,
) -> Phase:
    """Send ``total`` requests from ``concurrency`` tasks that each wait for their answer."""
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0

    async def client_task() -> None:
        nonlocal issued
        while issued < total:
            request = requests[issued % len(requests)]
            issued += 1
            sent = time.perf_counter()
            try:
                response = await _send(client, request)
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}: {response.text[:200]}")

    server_cpu = _process_cpu_seconds(pid)
    client_cpu = time.process_time()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(PHASE_LIMIT_SECONDS):
            await asyncio.gather(*(client_task() for _ in range(concurrency)))
    except TimeoutError as exc:
        raise BenchError(f"{total} requests took more than {PHASE_LIMIT_SECONDS:.0f} s") from exc
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    server_after = _process_cpu_seconds(pid)
    used = None if server_cpu is None or server_after is None else server_after - server_cpu
    return Phase(total, seconds, latencies, errors, used, client_cpu)


def _process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _top_label(body: Any) -> str | None:
    """The first class label in a predict response, whatever its envelope.

    Finds seascope's ``{"classes": [{"label": ...}]}`` as well as the DEEPaaS/planktonclas
    layout ``{"pred_lab": [[...], ...]}``.
    """
    if isinstance(body, dict):
        if isinstance(body.get("label"), str):
            return str(body["label"])
        for key in _LABEL_LIST_KEYS:
            found = _first_string(body.get(key))
            if found is not None:
                return found
        values: list[Any] = list(body.values())
    elif isinstance(body, list):
        values = body
    else:
        return None
    for value in values:
        found = _top_label(value)
        if found is not None:
            return found
    return None


_LABEL_LIST_KEYS = ("labels", "pred_lab")


def _first_string(value: Any) -> str | None:
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _add(tally: Tally, phase: Phase) -> None:
    tally.requests += phase.requests
    tally.images += phase.requests  # one image per request
    tally.seconds += phase.seconds
    tally.errors += len(phase.errors)
    tally.latencies.extend(phase.latencies)
    tally.round_rates.append(phase.requests / phase.seconds)
    tally.server_cpu += phase.server_cpu or 0.0
    tally.client_cpu += phase.client_cpu
    if phase.errors:
        _log(f"  first error: {phase.errors[0]}")


def _results(
    tallies: dict[str, Tally], args: argparse.Namespace, n_images: int
) -> list[dict[str, Any]]:
    base = tallies[BASELINE.name]
    lines: list[dict[str, Any]] = []
    for target in TARGETS:
        tally = tallies[target.name]
        line: dict[str, Any] = {
            "name": target.name,
            "route": f"POST {target.predict_path}",
            "images_per_s": None,
            "requests": tally.requests,
            "seconds": round(tally.seconds, 3),
            "p50_ms": None,
            "p95_ms": None,
            "ratio": None,
            "goal": GOAL,
            "ok": None,
        }
        if tally.skipped:
            line["skipped"] = tally.skipped
        elif tally.failure or not tally.seconds:
            line["ok"] = False
            line["error"] = tally.failure or "not measured"
        else:
            # Each round measures both servers back to back: the median of the paired
            # ratios resists the machine's drift better than a ratio of totals.
            round_ratios = [
                rate / base_rate
                for rate, base_rate in zip(tally.round_rates, base.round_rates, strict=False)
            ]
            ratio = statistics.median(round_ratios) if round_ratios else None
            same = _same(tally.top_labels, base.top_labels)
            line.update(
                images_per_s=round(tally.images / tally.seconds, 2),
                p50_ms=round(_percentile(tally.latencies, 50), 2),
                p95_ms=round(_percentile(tally.latencies, 95), 2),
                ratio=round(ratio, 3) if ratio is not None else None,
                ok=tally.errors == 0 and same is not False and ratio is not None and ratio >= GOAL,
                errors=tally.errors,
                round_images_per_s=[round(rate, 1) for rate in tally.round_rates],
                round_ratios=[round(r, 3) for r in round_ratios],
                server_cpu_ms_per_request=round(1000 * tally.server_cpu / tally.requests, 3),
                client_cpu_ms_per_request=round(1000 * tally.client_cpu / tally.requests, 3),
                same_predictions_as_baseline=same,
            )
        line.update(concurrency=args.concurrency, images_per_request=1, distinct_images=n_images)
        lines.append(line)
    return lines


def _same(labels: list[str | None] | None, baseline: list[str | None] | None) -> bool | None:
    if labels is None or baseline is None or any(label is None for label in labels):
        return None
    return labels == baseline


def _summary(
    lines: Sequence[dict[str, Any]], args: argparse.Namespace, n_images: int, seconds: float
) -> dict[str, Any]:
    measured = [line for line in lines if "skipped" not in line]
    return {
        "name": "summary",
        "goal": GOAL,
        "ok": all(line["ok"] for line in measured),
        "ratios": {line["name"]: line["ratio"] for line in lines},
        "skipped": {line["name"]: line["skipped"] for line in lines if "skipped" in line},
        "quick": args.quick,
        "rounds": args.rounds,
        "requests_per_round": args.requests,
        "warmup_requests": args.warmup,
        "concurrency": args.concurrency,
        "distinct_images": n_images,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server": "uvicorn " + " ".join(UVICORN_SETTINGS),
        "client": "httpx.AsyncClient, pre-encoded multipart bodies, keep-alive",
        "seconds": round(seconds, 1),
    }


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000.0 if values else float("nan")


def _log(message: str) -> None:
    print(f"[api_overhead {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
