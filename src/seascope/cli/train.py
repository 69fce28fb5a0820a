"""``seascope train`` and ``seascope jobs``: training jobs from the command line.

A training started here is the same background job as one started over HTTP: the
parameters are validated against the module's ``train_params`` (a bad value is exit 65,
every field named), then :class:`~seascope.training.JobManager` runs the module's
``train`` in a supervised worker process with its record in ``<home>/jobs.sqlite``. The
command follows the job by polling that record: a progress bar with the latest metrics
on a terminal, one line per epoch elsewhere (logs, CI). The result (model path, metrics,
tracking run and model version) goes to stdout as JSON at the end.

Ctrl+C cancels the job (on a terminal it asks first, and "no" leaves the job running in
the background). ``--background`` only submits and prints the job as JSON; ``seascope
jobs show ID --follow`` attaches to it later.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Literal, TextIO

import typer

from seascope.cli.config import load_settings, parse_assignments, parse_param_value
from seascope.cli.failures import SeascopeCommand
from seascope.cli.modules import JsonOption
from seascope.cli.state import state_of
from seascope.cli.tables import format_table
from seascope.errors import (
    CapabilityNotSupported,
    ConfigError,
    DatasetError,
    JobNotFound,
    ModuleFailed,
)
from seascope.modules import ModuleRegistry
from seascope.modules.params import parse_params
from seascope.settings import Settings
from seascope.training import TRAIN_MODULE, JobManager, JobRecord, JobStatus
from seascope.types import JsonValue

__all__ = [
    "POLL_SECONDS",
    "JobDetached",
    "OnInterrupt",
    "build_jobs_app",
    "collect_train_args",
    "conclude",
    "job_document",
    "open_jobs",
    "read_params_file",
    "result_document",
    "submit_training",
    "train",
    "validate_train_args",
    "watch_job",
]

POLL_SECONDS = 0.2
"""How often a followed job's record is read."""

_LINE_INTERVAL_SECONDS = 10.0
_LOG_TAIL_ON_ERROR = 12
_SHOWN_METRICS = (
    ("train_loss", "loss"),
    ("loss", "loss"),
    ("val_loss", "val loss"),
    ("val_macro_f1", "val macro-F1"),
    ("val_accuracy", "val acc"),
    ("train_accuracy", "train acc"),
)


# --- parameters --------------------------------------------------------------------------


def read_params_file(path: Path) -> dict[str, JsonValue]:
    """Training parameters from a JSON or YAML file holding one mapping.

    Raises:
        ConfigError: the file is missing, does not parse, or is not a mapping.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--params-file {path}: cannot read ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        detail = " ".join(str(exc).split())
        raise ConfigError(f"--params-file {path}: not valid {kind}: {detail}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"--params-file {path}: expected a mapping of parameter names to values, "
            f"got {type(data).__name__}"
        )
    return {str(key): value for key, value in data.items()}


def collect_train_args(
    assignments: list[str],
    params_file: Path | None,
    dataset: Path | None,
) -> dict[str, JsonValue]:
    """The training arguments: the file, then ``--param`` (a later key wins), then ``--dataset``.

    A relative ``dataset`` that exists is made absolute, so the job record names the data
    whatever folder the job is looked at from.

    Raises:
        ConfigError: an unreadable params file or a ``--param`` without ``=``.
    """
    args: dict[str, JsonValue] = read_params_file(params_file) if params_file else {}
    for key, value in parse_assignments(assignments, option="--param").items():
        args[key] = parse_param_value(value)
    if dataset is not None:
        args["dataset"] = str(dataset)
    given = args.get("dataset")
    if isinstance(given, str) and "://" not in given:
        path = Path(given).expanduser()
        if path.exists():
            args["dataset"] = str(path.resolve())
    return args


def validate_train_args(
    registry: ModuleRegistry, module: str, args: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """Check ``args`` against the module's training parameters, as the HTTP API does.

    Returns:
        The parameters with defaults filled in, as JSON (what the job records).

    Raises:
        ModuleNotFound: no such module (exit 3).
        CapabilityNotSupported: the module does not train (exit 5).
        ModuleLoadFailed: its code cannot be imported (exit 4).
        InvalidParameters: a bad or unknown parameter, each field named (exit 65).
        DatasetError: ``dataset`` names a local path that does not exist (exit 65).
    """
    manifest = registry.get(module)
    if "train" not in manifest.capabilities:
        raise CapabilityNotSupported(
            f"module {module!r} cannot train (its capabilities: "
            f"{', '.join(sorted(manifest.capabilities))})"
        )
    module_class = registry.load_class(module)
    parsed = parse_params(module_class.train_params, args, what="training parameters")
    values: dict[str, JsonValue] = parsed.model_dump(mode="json")
    dataset = values.get("dataset")
    local = isinstance(dataset, str) and dataset and "://" not in dataset
    if local and not Path(str(dataset)).expanduser().exists():
        raise DatasetError(f"dataset not found: {dataset}")
    return values


# --- job documents -------------------------------------------------------------------------


def open_jobs(settings: Settings, *, device: str = "cpu") -> JobManager:
    """The job manager of ``settings.home`` (the same records as the server's)."""
    return JobManager(
        database=settings.jobs_database,
        jobs_dir=settings.jobs_directory,
        device=device,
        tracking_uri=settings.tracking_uri or None,
    )


def job_document(record: JobRecord) -> dict[str, JsonValue]:
    """A job as JSON: the HTTP API's job shape plus its folder and log file."""
    return {
        "id": record.id,
        "module": record.module,
        "owner": record.owner,
        "status": record.status.value,
        "args": record.args,
        "created_at": record.created_at.isoformat(),
        "started_at": record.started_at.isoformat() if record.started_at else None,
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "message": record.message,
        "progress": record.progress,
        "metrics": record.metrics,
        "result": record.result,
        "directory": str(record.directory),
        "log": str(record.log_path),
    }


def result_document(record: JobRecord) -> dict[str, JsonValue]:
    """What ``seascope train`` prints at the end: the job and its result, flattened.

    Keys: ``job``, ``module``, ``status``, ``seconds``, then the module's result
    (``model_path``, ``metrics``, ``extra``, and ``tracking`` when tracking is on), and
    ``log``.
    """
    result = record.result if isinstance(record.result, dict) else {"value": record.result}
    seconds: JsonValue = None
    if record.started_at and record.finished_at:
        seconds = round((record.finished_at - record.started_at).total_seconds(), 3)
    document: dict[str, JsonValue] = {
        "job": record.id,
        "module": record.module,
        "status": record.status.value,
        "seconds": seconds,
    }
    document.update(result)
    document.setdefault("tracking", None)
    document["log"] = str(record.log_path)
    return document


def resolve_job_id(jobs: JobManager, given: str) -> str:
    """The id of the job ``given`` names: its full id, or a unique prefix (4+ characters).

    Raises:
        JobNotFound: no job, or several, start with ``given`` (exit 6).
    """
    with contextlib.suppress(JobNotFound):
        return jobs.get(given).id
    if len(given) >= 4:
        matches = [record.id for record in jobs.list() if record.id.startswith(given)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise JobNotFound(f"{len(matches)} training jobs start with {given!r}; give more")
    raise JobNotFound(f"no training job {given!r} (see 'seascope jobs list')")


# --- following a job -----------------------------------------------------------------------


def _is_terminal(stream: TextIO) -> bool:
    is_terminal = getattr(stream, "isatty", None)
    return bool(callable(is_terminal) and is_terminal())


def _number(value: JsonValue) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _metric_text(entry: Mapping[str, JsonValue], *, short: bool) -> str:
    """``epoch 3: loss 0.512, val macro-F1 0.873, ...``, or ``epoch 3 loss 0.512 val F1 0.873``."""
    epoch = _number(entry.get("epoch")) or _number(entry.get("step"))
    prefix = f"epoch {int(epoch)}" if epoch is not None else "metrics"
    if short:
        picked: list[str] = []
        for keys, label in ((("train_loss", "loss"), "loss"), (("val_macro_f1",), "val F1")):
            value = next((v for k in keys if (v := _number(entry.get(k))) is not None), None)
            if value is not None:
                picked.append(f"{label} {value:.3g}")
        if not picked:
            accuracy = _number(entry.get("val_accuracy"))
            picked = [f"val acc {accuracy:.3g}"] if accuracy is not None else []
        return " ".join([prefix, *picked])
    parts: list[str] = []
    seen_labels: set[str] = set()
    for key, label in _SHOWN_METRICS:
        value = _number(entry.get(key))
        if value is not None and label not in seen_labels:
            seen_labels.add(label)
            parts.append(f"{label} {value:.4g}")
    shown = {key for key, _ in _SHOWN_METRICS} | {"epoch", "step", "time"}
    for key, raw in entry.items():
        value = _number(raw)
        if key not in shown and value is not None:
            parts.append(f"{key} {value:.4g}")
    return f"{prefix}: {', '.join(parts)}" if parts else prefix


class _LineView:
    """Progress as plain lines: each new metrics report, and progress now and then."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self._stream = stream
        self._label = label
        self._metrics_seen = 0
        self._message: object = None
        self._last_line = 0.0

    def __enter__(self) -> _LineView:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def update(self, record: JobRecord) -> None:
        for entry in record.metrics[self._metrics_seen :]:
            self.write(f"{self._label}: {_metric_text(entry, short=False)}")
        self._metrics_seen = len(record.metrics)
        progress = record.progress
        message = progress.get("message")
        now = time.monotonic()
        if progress and (
            message != self._message or now - self._last_line >= _LINE_INTERVAL_SECONDS
        ):
            self._message = message
            self._last_line = now
            done, total = progress.get("done"), progress.get("total")
            count = f" ({done}/{total})" if done is not None and total else ""
            self.write(f"{self._label}: {message or 'working'}{count}".rstrip())

    def write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()


class _BarView:
    """A rich progress bar with the latest metrics, redrawn on a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._label = label
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[metrics]}"),
            console=Console(file=stream),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=None, metrics="")
        self._metrics_seen = 0

    def __enter__(self) -> _BarView:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def update(self, record: JobRecord) -> None:
        progress = record.progress
        done, total = _number(progress.get("done")), _number(progress.get("total"))
        message = str(progress.get("message") or record.status.value)
        fields: dict[str, Any] = {"description": f"{self._label} {message}"}
        if total:
            fields.update(completed=done or 0.0, total=total)
        if len(record.metrics) > self._metrics_seen:
            self._metrics_seen = len(record.metrics)
            fields["metrics"] = _metric_text(record.metrics[-1], short=True)
        self._progress.update(self._task, **fields)

    def write(self, line: str) -> None:
        self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)


class _LogTail:
    """New complete lines of a job log since the last call."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0
        self._partial = b""

    def read(self) -> list[str]:
        try:
            with self._path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return []
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        return [line.decode("utf-8", "replace").rstrip("\r") for line in lines]


OnInterrupt = Literal["cancel", "ask", "detach"]


class JobDetached(Exception):  # noqa: N818 - a control-flow signal, not an error
    """After Ctrl+C the user chose to leave the job running."""

    def __init__(self, record: JobRecord) -> None:
        super().__init__(record.id)
        self.record = record


def watch_job(
    jobs: JobManager,
    record: JobRecord,
    *,
    stream: TextIO,
    follow_log: bool = False,
    on_interrupt: OnInterrupt = "cancel",
    poll: float = POLL_SECONDS,
) -> JobRecord:
    """Follow ``record`` until it finishes, showing progress on ``stream``.

    Args:
        jobs: The manager that holds the record.
        record: The job.
        stream: Where progress goes (stderr).
        follow_log: Also copy the job log's new lines to ``stream``.
        on_interrupt: What Ctrl+C does: ``"cancel"`` the job, ``"ask"`` whether to cancel
            it when stdin and ``stream`` are terminals (else cancel; "no" leaves the job
            running and raises ``JobDetached``), or ``"detach"`` (stop following).
        poll: Seconds between reads of the record.

    Returns:
        The finished record.

    Raises:
        typer.Exit: 130 after Ctrl+C (the job cancelled, or left running when detaching).
        JobDetached: the user answered that the job should keep running.
    """
    view: _LineView | _BarView = (
        _BarView(stream, record.module) if _is_terminal(stream) else _LineView(stream, "training")
    )
    tail = _LogTail(record.log_path) if follow_log else None
    try:
        with view:
            while True:
                record = jobs.get(record.id)
                if tail is not None:
                    for line in tail.read():
                        view.write(line)
                view.update(record)
                if record.is_finished:
                    return record
                time.sleep(poll)
    except KeyboardInterrupt:
        return _interrupted(jobs, record, stream=stream, on_interrupt=on_interrupt)


def _interrupted(
    jobs: JobManager, record: JobRecord, *, stream: TextIO, on_interrupt: OnInterrupt
) -> JobRecord:
    def say(text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    if on_interrupt == "detach":
        say(
            f"stopped following training job {record.id}; it keeps running "
            f"(seascope jobs show {record.id} --follow, seascope jobs cancel {record.id})"
        )
        raise typer.Exit(130)
    if on_interrupt == "ask" and _is_terminal(sys.stdin) and _is_terminal(stream):
        try:
            cancel = typer.confirm(
                f"\nCancel training job {record.id}? (no: it keeps running in the background)",
                default=True,
                err=True,
            )
        except (KeyboardInterrupt, typer.Abort):
            cancel = True
        if not cancel:
            raise JobDetached(jobs.get(record.id))
    say(f"Ctrl+C: cancelling training job {record.id} ...")
    final = jobs.cancel(record.id)
    if final.status is JobStatus.CANCELLED:
        say(f"training job {record.id} cancelled (log: {final.log_path})")
        raise typer.Exit(130)
    return final  # it finished before the cancel arrived


def conclude(record: JobRecord, *, stream: TextIO, log_shown: bool = False) -> dict[str, JsonValue]:
    """The result document of a finished job; other outcomes become errors.

    ``log_shown``: the log was followed already, so a failure does not repeat its end.

    Raises:
        ModuleFailed: the job ended in ``error`` or ``interrupted`` (exit 1; the end of
            its log is shown first).
        typer.Exit: 130 when it was cancelled.
    """
    if record.status is JobStatus.DONE:
        document = result_document(record)
        stream.write(_done_line(document) + "\n")
        tracking = document.get("tracking")
        if isinstance(tracking, dict) and tracking.get("run_id"):
            version = tracking.get("model_version")
            model = (
                f", model {tracking.get('model_name')} version {version}"
                f" (alias {tracking.get('model_alias')})"
                if version
                else ""
            )
            stream.write(
                f"tracked as run {tracking.get('run_id')} in experiment "
                f"{tracking.get('experiment')!r} at {tracking.get('uri')}{model}\n"
            )
        stream.flush()
        return document
    if record.status is JobStatus.CANCELLED:
        stream.write(f"training job {record.id} was cancelled: {record.message}\n")
        stream.flush()
        raise typer.Exit(130)
    lines = [] if log_shown else _last_lines(record.log_path, _LOG_TAIL_ON_ERROR)
    if lines:
        stream.write(f"--- last lines of {record.log_path} ---\n" + "\n".join(lines) + "\n---\n")
        stream.flush()
    raise ModuleFailed(
        f"training job {record.id} ended {record.status.value}: "
        f"{record.message or 'no message'} (log: {record.log_path})"
    )


def _done_line(document: Mapping[str, JsonValue]) -> str:
    metrics = document.get("metrics")
    shown = ""
    if isinstance(metrics, dict):
        keys = [k for k in ("val_macro_f1", "test_macro_f1", "val_accuracy") if k in metrics]
        shown = ", ".join(f"{k} {metrics[k]:.4g}" for k in keys if isinstance(metrics[k], float))
    seconds = document.get("seconds")
    took = f" in {seconds:.1f} s" if isinstance(seconds, float) else ""
    model = document.get("model_path")
    where = f": model at {model}" if model else ": no model written"
    return f"training job {document.get('job')} done{took}{where}" + (
        f" ({shown})" if shown else ""
    )


def _last_lines(path: Path, count: int) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-count:]


# --- seascope train ----------------------------------------------------------------------


def submit_training(
    jobs: JobManager, module: str, params: dict[str, JsonValue], *, owner: str = "local"
) -> JobRecord:
    """Start the training job (the HTTP API's ``POST /v1/modules/{name}/trainings``)."""
    return jobs.submit(module=module, runner=TRAIN_MODULE, args=params, owner=owner)


def train(
    ctx: typer.Context,
    module: Annotated[
        str, typer.Argument(metavar="MODULE", help="Module to train (see 'seascope modules list').")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-P",
            metavar="KEY=VALUE",
            help="A training parameter (repeatable); see 'seascope modules show MODULE'.",
        ),
    ] = None,
    params_file: Annotated[
        Path | None,
        typer.Option(
            "--params-file", help="JSON or YAML mapping of training parameters (--param wins)."
        ),
    ] = None,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="Shortcut for --param dataset=PATH.")
    ] = None,
    foreground: Annotated[
        bool,
        typer.Option(
            "--foreground/--background",
            help="Follow the job until it ends, or only submit it and print its id.",
        ),
    ] = True,
    follow: Annotated[
        bool, typer.Option("--follow", help="Also copy the job's log to stderr as it grows.")
    ] = False,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda or cuda:N.")] = "cpu",
    home: Annotated[
        Path | None, typer.Option("--home", help="seascope home (default: ~/.seascope).")
    ] = None,
) -> None:
    """Train MODULE as a background job: progress on stderr, the result as JSON on stdout."""
    settings = load_settings(home=home)
    registry = state_of(ctx).discover_modules()
    registry.get(module)
    args = collect_train_args(param or [], params_file, dataset)
    params = validate_train_args(registry, module, args)
    jobs = open_jobs(settings, device=device)
    err = typer.get_text_stream("stderr")
    try:
        record = submit_training(jobs, module, params)
        if not foreground:
            typer.echo(
                f"training job {record.id} started; follow it with "
                f"'seascope jobs show {record.id} --follow'",
                err=True,
            )
            typer.echo(json.dumps(job_document(record), indent=2))
            return
        typer.echo(
            f"training {module!r} as job {record.id} (log: {record.log_path}); Ctrl+C cancels it",
            err=True,
        )
        try:
            final = watch_job(jobs, record, stream=err, follow_log=follow, on_interrupt="ask")
        except JobDetached as detached:
            typer.echo(
                f"training job {detached.record.id} keeps running; follow it with "
                f"'seascope jobs show {detached.record.id} --follow'",
                err=True,
            )
            typer.echo(json.dumps(job_document(detached.record), indent=2))
            return
        typer.echo(json.dumps(conclude(final, stream=err, log_shown=follow), indent=2))
    finally:
        jobs.close()


# --- seascope jobs -----------------------------------------------------------------------


@contextlib.contextmanager
def _jobs_of(home: Path | None) -> Iterator[JobManager]:
    jobs = open_jobs(load_settings(home=home))
    try:
        yield jobs
    finally:
        jobs.close()


HomeOption = Annotated[
    Path | None, typer.Option("--home", help="seascope home (default: ~/.seascope).")
]
JobIdArgument = Annotated[
    str, typer.Argument(metavar="JOB_ID", help="A job id, or a unique prefix of one.")
]


def _progress_cell(record: JobRecord) -> str:
    progress = record.progress
    done, total = _number(progress.get("done")), _number(progress.get("total"))
    share = f"{done / total:.0%} " if done is not None and total else ""
    return f"{share}{progress.get('message') or ''}".strip()


def list_jobs(
    module: Annotated[
        str | None, typer.Option("--module", "-m", help="Only this module's jobs.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most jobs shown.")] = 50,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """List training jobs, newest first."""
    with _jobs_of(home) as jobs:
        records = jobs.list(module=module)[:limit]
    if as_json:
        typer.echo(json.dumps([job_document(r) for r in records], indent=2))
        return
    rows = [
        [
            r.id,
            r.module,
            r.status.value,
            r.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            _progress_cell(r) if not r.is_finished else (r.message or ""),
        ]
        for r in records
    ]
    if rows:
        typer.echo(format_table(["ID", "MODULE", "STATUS", "CREATED", "PROGRESS/MESSAGE"], rows))
    else:
        typer.echo("no training jobs", err=True)


def show_job(
    job_id: JobIdArgument,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            "-f",
            help="Follow the job until it ends (progress on stderr), then "
            "print its result like 'seascope train'.",
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Print a job as JSON; with --follow, wait for it and print its result."""
    with _jobs_of(home) as jobs:
        record = jobs.get(resolve_job_id(jobs, job_id))
        if not follow:
            typer.echo(json.dumps(job_document(record), indent=2))
            return
        err = typer.get_text_stream("stderr")
        final = watch_job(jobs, record, stream=err, on_interrupt="detach")
        typer.echo(json.dumps(conclude(final, stream=err), indent=2))


def job_log(
    job_id: JobIdArgument,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines until the job ends.")
    ] = False,
    tail: Annotated[
        int | None, typer.Option("--tail", min=1, help="Only the last N lines.")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Print a job's log (the worker's stdout and stderr) to stdout."""
    with _jobs_of(home) as jobs:
        record = jobs.get(resolve_job_id(jobs, job_id))
        reader = _LogTail(record.log_path)
        lines = reader.read()
        for line in lines[-tail:] if tail else lines:
            typer.echo(line)
        try:
            while follow and not record.is_finished:
                time.sleep(POLL_SECONDS)
                record = jobs.get(record.id)
                for line in reader.read():
                    typer.echo(line)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        for line in reader.read():
            typer.echo(line)


def cancel_job(job_id: JobIdArgument, home: HomeOption = None) -> None:
    """Cancel a queued or running job (a finished one is left as it is)."""
    with _jobs_of(home) as jobs:
        found = jobs.get(resolve_job_id(jobs, job_id))
        record = jobs.cancel(found.id)
    if found.is_finished:
        typer.echo(f"training job {record.id} had already ended {record.status.value}", err=True)
    else:
        typer.echo(f"training job {record.id} {record.status.value}", err=True)
    typer.echo(json.dumps(job_document(record), indent=2))


def build_jobs_app() -> typer.Typer:
    """The ``seascope jobs`` command group."""
    app = typer.Typer(
        help="List, follow, read the logs of and cancel training jobs.", no_args_is_help=True
    )
    app.command("list", cls=SeascopeCommand)(list_jobs)
    app.command("show", cls=SeascopeCommand)(show_job)
    app.command("log", cls=SeascopeCommand)(job_log)
    app.command("cancel", cls=SeascopeCommand)(cancel_job)
    return app
