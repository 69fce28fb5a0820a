"""Event-driven runs: ``seascope watch`` (a folder or bucket) and ``seascope oscar-run`` (OSCAR).

``watch`` predicts each new file of ``--in`` once and writes ``<name>.json`` to ``--out``;
``--once`` does one pass and exits. ``oscar-run`` follows OSCAR's script contract, so an
OSCAR service calls seascope unchanged: ``$INPUT_FILE_PATH`` in, ``$TMP_OUTPUT_DIR`` out.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from seascope.cli.batch import load_predictor, module_stdout_to_stderr
from seascope.cli.config import load_settings
from seascope.cli.predict import prediction_params
from seascope.errors import ConfigError, InvalidInput, ModuleFailed, SeascopeError
from seascope.types import JsonValue

if TYPE_CHECKING:
    from seascope.inference import Predictor
    from seascope.inference.input_refs import InputRef
    from seascope.inference.watch import PassReport, Watcher

# The inference modules are imported by the commands when they run: 'seascope --help'
# stays fast.

__all__ = ["oscar_run", "watch"]

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-P", metavar="KEY=VALUE", help="A prediction parameter (repeatable)."),
]
TopKOption = Annotated[int | None, typer.Option("--top-k", min=1, help="Shortcut for -P top_k=N.")]
WeightsOption = Annotated[
    Path | None, typer.Option("--weights", help="Model file or package to load.")
]
DeviceOption = Annotated[str, typer.Option("--device", help="cpu, cuda or cuda:N.")]
HomeOption = Annotated[Path | None, typer.Option("--home", help="seascope home (caches).")]
ModuleArgument = Annotated[
    str, typer.Argument(metavar="MODULE", help="Module name (see 'seascope modules list').")
]

STATE_FILE = ".seascope-watch.sqlite"


def watch(
    ctx: typer.Context,
    module: ModuleArgument,
    source: Annotated[str, typer.Option("--in", help="Folder or URL to watch.")],
    destination: Annotated[str, typer.Option("--out", help="Folder or URL for outputs.")],
    once: Annotated[
        bool, typer.Option("--once", help="One pass over what is there, then exit.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between passes.")
    ] = 5.0,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Attempts on a failing file.")
    ] = 3,
    retry_delay: Annotated[
        float,
        typer.Option("--retry-delay", min=0.0, help="Seconds before the first retry (doubles)."),
    ] = 30.0,
    min_age: Annotated[
        float,
        typer.Option("--min-age", min=0.0, help="Skip local files modified this recently (s)."),
    ] = 0.0,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Files per predict.")] = 16,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Take every file, not only image suffixes.")
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option("--state", help=f"SQLite state file (default: --out/{STATE_FILE})."),
    ] = None,
    param: ParamOption = None,
    top_k: TopKOption = None,
    weights: WeightsOption = None,
    device: DeviceOption = "cpu",
    home: HomeOption = None,
) -> None:
    """Predict each new file of --in once, writing <name>.json to --out.

    Files are known by name and content hash (kept in a SQLite file), so a restart
    never redoes a file and a replaced file is done again. Failures are retried with
    backoff. Stops cleanly on Ctrl+C or SIGTERM.
    """
    from seascope.inference.input_refs import DEFAULT_MAX_INPUT_BYTES
    from seascope.inference.watch import Watcher, WatchOptions
    from seascope.inference.watch_locations import open_destination, open_source
    from seascope.inference.watch_state import WatchState

    params = prediction_params(param or [], top_k)
    if source.rstrip("/") == destination.rstrip("/") or (
        Path(source).exists() and Path(source).resolve() == Path(destination).resolve()
    ):
        raise ConfigError("--in and --out must be different folders")
    state_file = state or _default_state(source, destination, home)
    watched = open_source(
        source, skip=destination, all_files=all_files, max_bytes=DEFAULT_MAX_INPUT_BYTES
    )
    outputs = open_destination(destination)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    predictor = load_predictor(
        ctx, module, params=params, weights=weights, device=device, home=home
    )
    options = WatchOptions(
        interval=interval,
        chunk_size=chunk_size,
        max_attempts=max_attempts,
        retry_delay=retry_delay,
        min_age=min_age,
    )
    records = WatchState(state_file)
    watcher = Watcher(
        predictor=predictor,
        source=watched,
        destination=outputs,
        state=records,
        params=params,
        options=options,
    )
    stderr = typer.get_text_stream("stderr")
    try:
        with module_stdout_to_stderr():
            report = watcher.run_once() if once else _watch_until_stopped(watcher, source, stderr)
    finally:
        records.close()
    stderr.write(f"watch: {_describe(report)}\n")
    if once:
        typer.echo(json.dumps(asdict(report)))


def oscar_run(
    ctx: typer.Context,
    module: ModuleArgument,
    param: ParamOption = None,
    top_k: TopKOption = None,
    weights: WeightsOption = None,
    device: DeviceOption = "cpu",
    home: HomeOption = None,
) -> None:
    """Run as an OSCAR service script: $INPUT_FILE_PATH in, $TMP_OUTPUT_DIR/<stem>.json out.

    The input is an image, a zip of images, or a JSON object in DEEPaaS 'oscar-files'
    form (its other keys are parameters; -P options win). The JSON document is also
    printed on stdout (what a synchronous call returns). The exit code says what failed
    when no image could be predicted (65: bad input, 1: the module failed).
    """
    from seascope.inference.oscar import read_oscar_input

    input_file = os.environ.get("INPUT_FILE_PATH", "")
    if not input_file:
        raise ConfigError("INPUT_FILE_PATH is not set (oscar-run runs inside an OSCAR job)")
    output_dir = os.environ.get("TMP_OUTPUT_DIR", "")
    stem = Path(input_file).stem or "output"
    try:
        request = read_oscar_input(Path(input_file))
        params = {**request.params, **prediction_params(param or [], top_k)}
        predictor = load_predictor(
            ctx, module, params=params, weights=weights, device=device, home=home
        )
        with module_stdout_to_stderr():
            document = _predict_request(predictor, request.inputs, params, Path(input_file).name)
    except SeascopeError as exc:
        _write_oscar_output(_error_document(module, input_file, exc), output_dir, stem)
        raise
    _write_oscar_output(document, output_dir, stem)
    _raise_if_nothing_predicted(document)


def _predict_request(
    predictor: Predictor, refs: Iterable[InputRef], params: dict[str, JsonValue], source: str
) -> dict[str, JsonValue]:
    """Predict the job's images in chunks (a zip may hold thousands)."""
    from seascope.inference.batch_chunks import InputOutcome, load_input, predict_loaded
    from seascope.inference.event_documents import outcomes_document

    parsed = predictor.parse_params(params)
    outcomes: list[InputOutcome] = []
    pending = iter(refs)
    while chunk := list(islice(pending, 32)):
        loaded = [
            load_input(ref, max_pixels=predictor.max_image_pixels, with_hash=False) for ref in chunk
        ]
        outcomes.extend(predict_loaded(predictor, loaded, parsed))
    return outcomes_document(predictor.manifest, source=source, outcomes=outcomes)


def _raise_if_nothing_predicted(document: dict[str, JsonValue]) -> None:
    if document["status"] != "error" and document["predictions"]:
        return
    errors = document.get("errors") or []
    first = errors[0]["error"] if errors else f"no images in {document['input']}"
    if any(": module failed:" in str(error["error"]) for error in errors):
        raise ModuleFailed(str(first))
    raise InvalidInput(str(first))


def _error_document(module: str, input_file: str, error: SeascopeError) -> dict[str, JsonValue]:
    return {
        "module": module,
        "input": Path(input_file).name,
        "status": "error",
        "error": error.message,
        "error_type": type(error).__name__,
        "predictions": [],
        "errors": [],
    }


def _write_oscar_output(document: dict[str, JsonValue], output_dir: str, stem: str) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if output_dir:
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stem}.json"
        temporary = folder / f".{stem}.json.tmp"
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, target)
    else:
        typer.echo("warning: TMP_OUTPUT_DIR is not set; the result is only printed", err=True)
    typer.echo(text)


def _default_state(source: str, destination: str, home: Path | None) -> Path:
    from seascope.inference.batch_inputs import is_url

    if not is_url(destination):
        return Path(destination) / STATE_FILE
    settings = load_settings(home=home)
    digest = hashlib.sha256(f"{source}\n{destination}".encode()).hexdigest()[:16]
    return settings.home / "watch" / f"{digest}.sqlite"


def _watch_until_stopped(watcher: Watcher, source: str, stderr: TextIO) -> PassReport:
    from seascope.inference.batch_inputs import is_url
    from seascope.inference.watch import PassReport
    from seascope.inference.watch_wakeup import start_file_observer

    stop = threading.Event()
    wake = threading.Event()
    stop_observer = None if is_url(source) else start_file_observer(Path(source), wake)
    total = PassReport()

    def on_pass(report: PassReport) -> None:
        nonlocal total
        total += report
        if report != PassReport():
            stderr.write(f"watch: {_describe(report)}\n")
            stderr.flush()

    how = "file events and polling" if stop_observer else "polling"
    stderr.write(f"watch: watching {source} ({how}); Ctrl+C to stop\n")
    try:
        with _stop_on_signals(stop):
            watcher.run(stop, wake=wake if stop_observer else None, on_pass=on_pass)
    finally:
        if stop_observer is not None:
            stop_observer()
    return total


def _describe(report: PassReport) -> str:
    return (
        f"{report.processed} processed, {report.failed} failed (will retry), "
        f"{report.gave_up} given up, {report.waiting} waiting"
    )


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM end the loop after the current chunk instead of killing it."""

    def handle(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {number: signal.signal(number, handle) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
