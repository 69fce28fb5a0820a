"""Batch runs (``seascope predict MODULE INPUT... --out FILE``) and ``seascope export``.

``seascope predict`` without ``--out`` prints the JSON of a few files; with ``--out`` it
runs :func:`seascope.inference.run_batch` over folders, globs, zip archives and URLs,
shows progress and ends with a summary (an abundance table) on stderr. The results file
is then exported to community formats with ``seascope export ecotaxa|dwc``.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from seascope.cli.config import load_settings
from seascope.cli.failures import SeascopeCommand
from seascope.cli.models import find_models
from seascope.cli.state import state_of
from seascope.errors import ConfigError, ModuleFailed
from seascope.inference import ModuleHost, Predictor
from seascope.machine import cpu_cores
from seascope.modules import ModuleManifest
from seascope.modules.params import parse_params
from seascope.settings import Settings
from seascope.types import JsonValue

if TYPE_CHECKING:
    from seascope.exports import ExportReport
    from seascope.inference.batch_summary import BatchSummary

__all__ = [
    "BatchCliOptions",
    "build_export_app",
    "load_predictor",
    "module_stdout_to_stderr",
    "print_summary",
    "predict_workers",
    "run_batch_command",
    "warn_if_untrained",
]

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Run as a batch into this results file (.csv, .jsonl or .parquet); "
        "a rerun skips the inputs already in it.",
    ),
]
ChunkSizeOption = Annotated[
    int, typer.Option("--chunk-size", min=1, help="Batch: images per predict call and write.")
]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="Batch: decoding threads (default: CPUs - 1, 1-4)."),
]
HashOption = Annotated[
    bool,
    typer.Option("--hash", help="Batch: record SHA-256 of inputs; changed files are redone."),
]
FreshOption = Annotated[
    bool, typer.Option("--fresh", help="Batch: replace the output instead of resuming it.")
]
AllFilesOption = Annotated[
    bool,
    typer.Option("--all-files", help="Batch: take every file found, not only image suffixes."),
]
ProgressOption = Annotated[
    bool, typer.Option("--progress/--no-progress", help="Batch: progress on stderr.")
]
SummaryOption = Annotated[
    Path | None, typer.Option("--summary", help="Batch: also write the summary as JSON here.")
]


@dataclass(frozen=True, slots=True)
class BatchCliOptions:
    """The batch options of ``seascope predict`` (used only with ``--out``)."""

    chunk_size: int = 64
    threads: int | None = None
    with_hash: bool = False
    fresh: bool = False
    all_files: bool = False
    progress: bool = True
    summary: Path | None = None

    def require_out(self) -> None:
        """Refuse batch options given without ``--out``.

        Raises:
            ConfigError: a batch option differs from its default.
        """
        if self != BatchCliOptions():
            raise ConfigError("batch options (--chunk-size, --hash, --fresh ...) need --out FILE")


@contextlib.contextmanager
def module_stdout_to_stderr() -> Iterator[None]:
    """Whatever a module prints must not corrupt data on stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def load_predictor(
    ctx: typer.Context,
    module: str,
    *,
    params: dict[str, JsonValue],
    weights: Path | None,
    device: str,
    home: Path | None,
    threads: int = 0,
) -> Predictor:
    """Set up ``module`` as ``seascope predict`` does; parameters are checked first.

    ``threads`` is the module's CPU threads per call (0: every core).

    Raises:
        ModuleNotFound, ModuleLoadFailed: the module cannot be found or loaded.
        InvalidParameters: bad ``params`` (checked before the module is set up).
        ConfigError: ``weights`` does not exist.
    """
    settings = load_settings(home=home)
    registry = state_of(ctx).discover_modules()
    registry.get(module)
    if weights is not None and not weights.exists():
        raise ConfigError(f"--weights {weights}: no such file or folder")
    parse_params(registry.load_class(module).predict_params, params)
    host = ModuleHost(
        registry.only([module]),
        device=device,
        weights={module: weights} if weights is not None else None,
        max_image_pixels=settings.max_image_pixels,
        cache_dir=settings.home / "cache",
        threads=threads,
    )
    with module_stdout_to_stderr():
        predictor = host.predictor(module)
    warn_if_untrained(predictor, settings)
    return predictor


def warn_if_untrained(predictor: Predictor, settings: Settings) -> None:
    """Say on stderr when the module runs without a trained model, and where to find one.

    A module reports that in ``describe()`` as ``"trained": false`` (the classifier without
    a package runs an untrained network, whose scores are near uniform).
    """
    with module_stdout_to_stderr():
        trained = predictor.module.describe().get("trained")
    if trained is not False:
        return
    name = predictor.manifest.name
    newest = next((m for m in find_models(settings, registry=False) if m.module == name), None)
    hint = (
        f"pass one with --weights, e.g. this home's newest: --weights {newest.path}"
        if newest is not None
        else f"train one ('seascope train {name} --dataset DIR') and pass it with --weights"
    )
    typer.echo(
        f"warning: module {name!r} has no trained model loaded, so its predictions are "
        f"meaningless; {hint} ('seascope models list' lists trained models)",
        err=True,
    )


def run_batch_command(
    ctx: typer.Context,
    *,
    module: str,
    inputs: Sequence[str],
    out: Path,
    params: dict[str, JsonValue],
    weights: Path | None,
    device: str,
    home: Path | None,
    options: BatchCliOptions,
) -> None:
    """The batch branch of ``seascope predict`` (``--out`` given)."""
    from seascope.inference.batch_inputs import check_specs
    from seascope.inference.batch_progress import progress_reporter
    from seascope.inference.batch_results import format_of
    from seascope.inference.batch_run import BatchOptions, run_batch

    format_of(out)
    check_specs(inputs)
    cores = cpu_cores()
    workers = predict_workers(device, state_of(ctx).discover_modules().get(module), cores)
    predictor = load_predictor(
        ctx,
        module,
        params=params,
        weights=weights,
        device=device,
        home=home,
        threads=max(1, cores // workers) if workers > 1 else 0,
    )
    # One CPU's worth stays with the model: on 2 cores one decode thread keeps up with the
    # model, two only compete with it (bench/inference.py: 0.61 -> 0.71).
    threads = options.threads or min(4, max(1, cores - 1))
    batch = BatchOptions(
        chunk_size=options.chunk_size,
        threads=threads,
        predict_workers=workers,
        with_hash=options.with_hash,
        fresh=options.fresh,
        all_files=options.all_files,
    )
    stderr = typer.get_text_stream("stderr")
    progress = progress_reporter(stderr, enabled=options.progress, interval=10.0)
    try:
        with module_stdout_to_stderr():
            summary = run_batch(
                predictor=predictor,
                specs=list(inputs),
                out=out,
                params=params,
                options=batch,
                progress=progress,
            )
    except (KeyboardInterrupt, ModuleFailed):
        partial = out.with_name(out.name + ".partial")
        if partial.exists():
            stderr.write(f"the rows written so far are in {partial}; rerun to continue\n")
        raise
    print_summary(summary, stderr)
    if options.summary is not None:
        options.summary.write_text(json.dumps(summary.to_document(), indent=2) + "\n")


def predict_workers(device: str, manifest: ModuleManifest, cores: int) -> int:
    """Chunks a batch run predicts at once: one per core (at most 8) on the CPU.

    Each worker gets ``cores // workers`` engine threads. On a GPU, or for a module that
    allows one call at a time, a single worker feeds the model.
    """
    if device != "cpu":
        return 1
    return max(1, min(cores, manifest.max_concurrency or cores, 8))


def print_summary(summary: BatchSummary, stream: TextIO) -> None:
    """The end-of-run summary: counts, the abundance table and the first errors."""
    from seascope.cli.tables import format_table

    lines = [
        f"{summary.output}: {summary.rows} inputs, {summary.predicted} predicted, "
        f"{summary.errors} errors ({summary.added} new, {summary.already_done} already there; "
        f"{summary.seconds:.1f} s)"
    ]
    if summary.classes:
        table = [[c.label, str(c.count), f"{100 * c.share:.1f}%"] for c in summary.abundance()]
        lines.append(format_table(["CLASS", "COUNT", "SHARE"], table, indent=2))
    if summary.error_examples:
        lines.append(f"errors (first {len(summary.error_examples)}):")
        lines.extend(f"  {example}" for example in summary.error_examples)
    stream.write("\n".join(lines) + "\n")
    stream.flush()


ResultsArgument = Annotated[
    Path, typer.Argument(metavar="RESULTS", help="Results file of 'seascope predict --out'.")
]
ExportOutOption = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]
ImagesRootOption = Annotated[
    str | None,
    typer.Option(
        "--images-root",
        help="Folder (or URL) image names are made relative to "
        "(default: the deepest folder holding every input).",
    ),
]


def export_ecotaxa(
    results: ResultsArgument,
    out: ExportOutOption,
    images_root: ImagesRootOption = None,
    sample_id: Annotated[str, typer.Option("--sample-id", help="sample_id of every object.")] = "",
) -> None:
    """Write an EcoTaxa import TSV (two header lines, status 'predicted').

    Name it ecotaxa_<something>.tsv and zip it with the images (img_file_name is
    relative to --images-root).
    """
    from seascope.exports import EcoTaxaOptions, common_folder, write_ecotaxa_tsv
    from seascope.inference.batch_results import read_results

    root = images_root if images_root is not None else common_folder(_inputs(results))
    report = write_ecotaxa_tsv(
        read_results(results), out, EcoTaxaOptions(images_root=root, sample_id=sample_id)
    )
    if not out.name.lower().startswith("ecotaxa"):
        typer.echo(f"note: EcoTaxa only imports files named ecotaxa*.tsv, not {out.name}", err=True)
    _report(report, root)


def export_dwc(
    results: ResultsArgument,
    out: ExportOutOption,
    event_date: Annotated[
        str, typer.Option("--event-date", help="eventDate (ISO 8601) of every occurrence.")
    ] = "",
    event_id: Annotated[str, typer.Option("--event-id", help="eventID (sample, cast).")] = "",
    dataset_id: Annotated[
        str, typer.Option("--dataset-id", help="datasetID; also namespaces occurrenceID.")
    ] = "",
    media_base_url: Annotated[
        str,
        typer.Option(
            "--media-base-url",
            help="associatedMedia = URL + image name (default: the input path or URL).",
        ),
    ] = "",
    images_root: ImagesRootOption = None,
    only_taxa: Annotated[
        bool, typer.Option("--only-taxa", help="Leave out labels without an AphiaID.")
    ] = False,
) -> None:
    """Write Darwin Core occurrences (CSV) with basisOfRecord=MachineObservation."""
    from seascope.exports import DarwinCoreOptions, common_folder, write_darwin_core
    from seascope.inference.batch_results import read_results

    root = images_root if images_root is not None else ""
    if media_base_url and images_root is None:
        root = common_folder(_inputs(results))
    options = DarwinCoreOptions(
        event_date=event_date,
        event_id=event_id,
        dataset_id=dataset_id,
        media_base_url=media_base_url,
        images_root=root,
        only_taxa=only_taxa,
    )
    _report(write_darwin_core(read_results(results), out, options), root)


def build_export_app() -> typer.Typer:
    """``seascope export ecotaxa|dwc RESULTS --out FILE``."""
    app = typer.Typer(
        no_args_is_help=True,
        help="Export batch results to community formats (EcoTaxa TSV, Darwin Core).",
    )
    app.command("ecotaxa", cls=SeascopeCommand)(export_ecotaxa)
    app.command("dwc", cls=SeascopeCommand)(export_dwc)
    return app


def _inputs(results: Path) -> Iterator[str]:
    from seascope.inference.batch_results import read_results

    return (row.input for row in read_results(results) if row.is_ok)


def _report(report: ExportReport, root: str) -> None:
    skipped = []
    if report.skipped_errors:
        skipped.append(f"{report.skipped_errors} error rows")
    if report.skipped_other:
        skipped.append(f"{report.skipped_other} other rows")
    left_out = f"; left out {', '.join(skipped)}" if skipped else ""
    relative = f" (image names relative to {root})" if root else ""
    typer.echo(f"{report.out}: {report.written} rows{relative}{left_out}", err=True)
