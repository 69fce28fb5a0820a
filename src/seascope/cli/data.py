"""``seascope data import | check | split | balance``: labelled image datasets.

Every command reads a dataset *source*: a folder of class folders, planktonclas split
lists (``train.txt``/``val.txt``/``test.txt`` + ``classes.txt``), a CSV table, an EcoTaxa
export (TSV, folder or zip), or a manifest written by ``seascope data import`` (``.json``
or ``.csv``). The commands that write save a manifest (:mod:`seascope.datasets`).

Data goes to stdout (manifest paths, the check report, the balance report), summaries
and progress to stderr. Errors are :class:`~seascope.errors.DatasetError` (exit 65),
:class:`~seascope.errors.InvalidParameters` (65) or :class:`~seascope.errors.ConfigError`
(2); :class:`~seascope.cli.failures.SeascopeCommand` turns them into one line.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from seascope.cli.failures import SeascopeCommand
from seascope.cli.tables import format_table
from seascope.errors import ConfigError, DatasetError, InvalidParameters

if TYPE_CHECKING:
    from seascope.datasets import BalanceReport, DatasetManifest, ProgressCallback, Split

__all__ = [
    "IMPORT_FORMATS",
    "SourceOptions",
    "build_data_app",
    "describe_manifest",
    "detect_format",
    "progress_bar",
    "read_source",
]

IMPORT_FORMATS = ("auto", "folder", "split-lists", "csv", "ecotaxa")
"""The values of ``seascope data import --format``."""

_MANIFEST = "manifest"
"""What ``auto`` calls a ``.json`` file: a manifest saved by seascope."""

_SPLIT_FILES = ("train", "val", "test")
_TABLE_SUFFIXES = (".tsv", ".txt")

# Library parameter names -> the options that set them, for one-line error messages.
_SPLIT_OPTIONS = {"val": "--val", "test": "--test", "seed": "--seed", "k": "--folds"}
_BALANCE_OPTIONS = {
    "min_per_class": "--min",
    "max_per_class": "--max",
    "below_min": "--below-min",
    "seed": "--seed",
}


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to read a dataset source (the options of ``seascope data import``).

    Attributes:
        format: One of :data:`IMPORT_FORMATS`.
        extract_to: Folder to unpack an EcoTaxa ``.zip`` into.
        validated_only: EcoTaxa: keep only objects whose status is ``validated``.
        image_root: Split lists and CSV: the folder image paths are relative to.
        splits: Split lists: the split files to read (default: those present).
        importing: Messages point at ``import`` options (else at ``seascope data import``).
    """

    format: str = "auto"
    extract_to: Path | None = None
    validated_only: bool = False
    image_root: Path | None = None
    splits: tuple[str, ...] | None = None
    importing: bool = False


# --- reading sources ------------------------------------------------------------------


def detect_format(source: Path, *, importing: bool = False) -> str:
    """The format of ``source`` as ``--format auto`` sees it.

    A folder with ``train.txt`` (or ``dataset_files/train.txt``) holds split lists; a
    folder with ``ecotaxa*.tsv`` (at the top or one level down) is an EcoTaxa export;
    any other folder is read as class folders. A ``.csv`` is a CSV table, a ``.tsv`` or
    ``.zip`` an EcoTaxa export, a ``.json`` a seascope manifest.

    Raises:
        DatasetError: ``source`` does not exist, or is a file of another kind.
    """
    if source.is_dir():
        if _lists_dir(source) is not None:
            return "split-lists"
        if _has_ecotaxa_tables(source):
            return "ecotaxa"
        return "folder"
    if source.is_file():
        suffix = source.suffix.lower()
        if suffix == ".csv":
            return "csv"
        if suffix in (".tsv", ".zip"):
            return "ecotaxa"
        if suffix == ".json":
            return _MANIFEST
        if source.name.lower() in {f"{name}.txt" for name in (*_SPLIT_FILES, "classes")}:
            raise DatasetError(
                f"{source}: pass the folder that holds the split lists, {source.parent}"
            )
        how = (
            "pass --format folder|split-lists|csv|ecotaxa"
            if importing
            else "import it with 'seascope data import SOURCE --format ... --out MANIFEST.json'"
        )
        raise DatasetError(
            f"{source}: cannot tell the dataset format of a {suffix or 'suffix-less'} file "
            f"(expected a folder, .csv, .tsv, .zip or .json manifest); {how}"
        )
    raise DatasetError(f"dataset not found: {source} (no such file or folder)")


def read_source(source: Path, options: SourceOptions) -> tuple[DatasetManifest, str]:
    """Read any supported dataset source (or a saved manifest) into a manifest.

    Returns:
        The manifest and the format it was read as.

    Raises:
        ConfigError: an unknown format, an option that does not apply to the format, or
            a zip without ``extract_to``.
        DatasetError: the source is missing or unusable (the reader's message).
    """
    from seascope.datasets import load_manifest, read_csv_manifest

    fmt = options.format.strip().lower()
    if fmt not in IMPORT_FORMATS:
        raise ConfigError(
            f"unknown --format {options.format!r} (expected {', '.join(IMPORT_FORMATS)})"
        )
    if fmt == "auto":
        fmt = detect_format(source, importing=options.importing)
    _check_options_apply(source, fmt, options)
    if fmt == "folder":
        return _read_class_folders(source, guessed=options.format == "auto"), fmt
    if fmt == "split-lists":
        return _read_split_lists(source, options), fmt
    if fmt == "csv":
        if source.is_dir():
            raise DatasetError(f"{source}: --format csv needs a .csv file, not a folder")
        with _image_root_hint(options):
            return read_csv_manifest(source, image_root=options.image_root), fmt
    if fmt == "ecotaxa":
        return _read_ecotaxa(source, options), fmt
    # Absolute, so that the manifest's root (relative to its file) reads as a clean path.
    return load_manifest(source.absolute()), fmt


def _check_options_apply(source: Path, fmt: str, options: SourceOptions) -> None:
    is_zip = source.suffix.lower() == ".zip" and source.is_file()
    misplaced = [
        f"{name} is for {meant}"
        for name, given, applies, meant in (
            ("--extract-to", options.extract_to is not None, fmt == "ecotaxa" and is_zip, "zips"),
            ("--validated-only", options.validated_only, fmt == "ecotaxa", "EcoTaxa exports"),
            (
                "--image-root",
                options.image_root is not None,
                fmt in ("split-lists", "csv"),
                "split lists and CSV tables",
            ),
            ("--splits", options.splits is not None, fmt == "split-lists", "split lists"),
        )
        if given and not applies
    ]
    if misplaced:
        what = "a zip" if is_zip else fmt
        raise ConfigError(f"{'; '.join(misplaced)}, and {source} is read as {what}")


def _read_class_folders(source: Path, *, guessed: bool) -> DatasetManifest:
    from seascope.datasets import read_class_folders

    try:
        return read_class_folders(source)
    except DatasetError as exc:
        tables = sorted(p.name for p in source.glob("*.csv")) if guessed and source.is_dir() else []
        if not tables:
            raise
        raise DatasetError(
            f"{exc.message}; to import the CSV table instead, pass {source / tables[0]}"
        ) from exc


def _lists_dir(folder: Path) -> Path | None:
    for candidate in (folder, folder / "dataset_files"):
        if (candidate / "train.txt").is_file():
            return candidate
    return None


def _has_ecotaxa_tables(folder: Path) -> bool:
    def is_table(path: Path) -> bool:
        name = path.name.lower()
        return name.startswith("ecotaxa") and path.suffix.lower() in _TABLE_SUFFIXES

    for entry in folder.iterdir():
        if entry.is_file() and is_table(entry):
            return True
        if (
            entry.is_dir()
            and not entry.name.startswith(".")
            and any(child.is_file() and is_table(child) for child in entry.iterdir())
        ):
            return True
    return False


def _read_split_lists(source: Path, options: SourceOptions) -> DatasetManifest:
    from seascope.datasets import Split, read_split_lists

    if source.is_file():
        raise DatasetError(
            f"{source}: split lists are read from the folder holding train.txt and classes.txt"
        )
    if not source.is_dir():
        raise DatasetError(f"split-list folder not found: {source}")
    lists_dir = _lists_dir(source)
    if lists_dir is None:
        nested = source / "dataset_files"
        lists_dir = nested if nested.is_dir() else source
    present = [name for name in _SPLIT_FILES if (lists_dir / f"{name}.txt").is_file()]
    wanted = list(options.splits) if options.splits is not None else present
    missing = [name for name in wanted if name not in present] if wanted else list(_SPLIT_FILES)
    if missing:
        found = sorted(p.name for p in lists_dir.glob("*.txt"))
        hint = f"; pass --splits {','.join(present)} to read only those" if present else ""
        raise DatasetError(
            f"split file(s) not found in {lists_dir}: "
            f"{', '.join(f'{name}.txt' for name in missing)} "
            f"(found: {', '.join(found) or 'no .txt files'}){hint}"
        )
    image_dir = options.image_root or _default_image_dir(lists_dir)
    with _image_root_hint(options):
        return read_split_lists(lists_dir, image_dir, splits=[Split(name) for name in wanted])


@contextlib.contextmanager
def _image_root_hint(options: SourceOptions) -> Iterator[None]:
    """Listed images not found where they were looked for by default: say how to point."""
    try:
        yield
    except DatasetError as exc:
        if options.image_root is not None or "not found under" not in exc.message:
            raise
        how = (
            "pass --image-root DIR"
            if options.importing
            else "import it with 'seascope data import SOURCE --image-root DIR --out M.json'"
        )
        raise DatasetError(
            f"{exc.message}; {how} (DIR: the folder the listed paths are relative to)"
        ) from exc


def _default_image_dir(lists_dir: Path) -> Path:
    """``<lists>/images``, else ``<lists>/../images`` (planktonclas), else the lists folder."""
    for candidate in (lists_dir / "images", lists_dir.parent / "images"):
        if candidate.is_dir():
            return candidate
    return lists_dir


def _read_ecotaxa(source: Path, options: SourceOptions) -> DatasetManifest:
    from seascope.datasets import read_ecotaxa

    if source.is_file() and source.suffix.lower() == ".zip" and options.extract_to is None:
        if options.importing:
            raise ConfigError(f"{source}: importing a zip needs --extract-to DIR (where to unpack)")
        raise ConfigError(
            f"{source}: unpack the zip first: seascope data import {source} "
            "--extract-to DIR --out MANIFEST.json"
        )
    return read_ecotaxa(
        source, extract_to=options.extract_to, validated_only=options.validated_only
    )


def _parse_splits(text: str | None) -> tuple[str, ...] | None:
    from seascope.datasets import Split

    if text is None:
        return None
    names: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            name = Split.parse(part).value
        except DatasetError:
            raise ConfigError(
                f"unknown split {part.strip()!r} in --splits (expected train, val, test)"
            ) from None
        if name not in names:
            names.append(name)
    if not names:
        raise ConfigError("--splits names no split (expected e.g. train,val,test)")
    return tuple(names)


def _require_trainable(manifest: DatasetManifest, source: Path) -> None:
    """What every imported manifest must be: at least two classes, none without images."""
    counts = manifest.class_counts()
    empty = [name for name, count in counts.items() if count == 0]
    if empty:
        raise DatasetError(
            f"{source}: {len(empty)} class(es) without images: {_names(empty)} "
            "(remove them from the class list or add images)"
        )
    if len(counts) < 2:
        only = f" ({_names(list(counts))})" if counts else ""
        raise DatasetError(
            f"{source}: {len(counts)} class with images{only}; a classifier needs at least 2"
        )


# --- output helpers -------------------------------------------------------------------


def describe_manifest(manifest: DatasetManifest) -> str:
    """``82 images, 6 classes, splits: train 66, val 8, test 8``: one line for people.

    With oversampled copies it reads ``88 rows (9 oversampled copies), ...``.
    """
    splits = Counter(row.split for row in manifest.rows)
    present = manifest.splits()
    if present:
        text = "splits: " + ", ".join(f"{split.value} {splits[split]}" for split in present)
        if splits[None]:
            text += f", {splits[None]} without a split"
    else:
        text = "no splits"
    copies = sum(1 for row in manifest.rows if row.augmented)
    size = (
        f"{len(manifest.rows)} rows ({copies} oversampled copies)"
        if copies
        else f"{len(manifest.rows)} images"
    )
    parts = [size, f"{len(manifest.classes)} classes", text]
    groups = len({row.group for row in manifest.rows if row.group is not None})
    if groups:
        parts.append(f"{groups} groups")
    return ", ".join(parts)


@contextlib.contextmanager
def progress_bar(stream: TextIO, description: str) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on ``stream`` when it is a terminal; ``None`` (no bar) otherwise.

    Yields:
        A ``progress(done, total)`` callback, or ``None``.
    """
    is_terminal = getattr(stream, "isatty", None)
    if not (callable(is_terminal) and is_terminal()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(f"[bold]{description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@contextlib.contextmanager
def _option_names(options: Mapping[str, str]) -> Iterator[None]:
    """Re-raise the library's ``InvalidParameters`` with the fields named as options."""
    try:
        yield
    except InvalidParameters as exc:
        if not exc.fields:
            raise
        details = "; ".join(
            f"{options.get(field, field)}: {', '.join(messages)}"
            for field, messages in exc.fields.items()
        )
        raise InvalidParameters(f"{exc.message}: {details}", exc.fields) from exc


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".json", ".csv"):
        raise ConfigError(f"--out {out}: a manifest is saved as .json or .csv")


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _output_format(output: str, as_json: bool) -> str:
    name = output.strip().lower()
    if name not in ("table", "json"):
        raise ConfigError(f"unknown --format {output!r} (expected table or json)")
    return "json" if as_json else name


# --- commands -------------------------------------------------------------------------

SourceArgument = Annotated[
    Path,
    typer.Argument(
        metavar="SOURCE",
        help="A manifest (.json/.csv) or a dataset: class folders, split lists, "
        "CSV table or EcoTaxa export (format detected).",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Manifest to write (.json keeps everything, or .csv).")
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed; the same seed, the same result.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


def import_dataset(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="Class folders, split lists, a CSV table or an EcoTaxa export "
            "(.tsv, folder or .zip).",
            show_default=False,
        ),
    ],
    out: OutOption,
    source_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="auto, folder, split-lists, csv or ecotaxa.", metavar="FORMAT"
        ),
    ] = "auto",
    extract_to: Annotated[
        Path | None, typer.Option("--extract-to", help="EcoTaxa zip: the folder to unpack into.")
    ] = None,
    validated_only: Annotated[
        bool,
        typer.Option("--validated-only", help="EcoTaxa: keep only validated objects."),
    ] = False,
    image_root: Annotated[
        Path | None,
        typer.Option(
            "--image-root",
            help="Split lists, CSV: the folder image paths are relative to "
            "(default: <lists>/images, ../images or the lists folder; the CSV's folder).",
        ),
    ] = None,
    splits: Annotated[
        str | None,
        typer.Option(
            "--splits",
            help="Split lists: the split files to read, e.g. train,val (default: those present).",
        ),
    ] = None,
) -> None:
    """Read a dataset into a manifest file; print its path on stdout."""
    from seascope.datasets import save_manifest

    _check_out(out)
    options = SourceOptions(
        format=source_format,
        extract_to=extract_to,
        validated_only=validated_only,
        image_root=image_root,
        splits=_parse_splits(splits),
        importing=True,
    )
    manifest, fmt = read_source(source, options)
    _require_trainable(manifest, source)
    save_manifest(manifest, out)
    typer.echo(
        f"imported {describe_manifest(manifest)} ({fmt}, images under {manifest.root})",
        err=True,
    )
    typer.echo(str(out))


def check(
    source: SourceArgument,
    output: Annotated[
        str, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")] = False,
    min_per_class: Annotated[
        int, typer.Option("--min-per-class", help="Flag classes with fewer images.")
    ] = 100,
    max_per_class: Annotated[
        int, typer.Option("--max-per-class", help="Flag classes with more images.")
    ] = 10_000,
) -> None:
    """Check every image and the labels; exit 0 if no error was found, else 65."""
    from rich.console import Console

    from seascope.datasets import check_dataset, render_report

    fmt = _output_format(output, as_json)
    if min_per_class < 0 or max_per_class < 1 or min_per_class > max_per_class:
        raise InvalidParameters(
            f"invalid class limits: need 0 <= --min-per-class ({min_per_class}) "
            f"<= --max-per-class ({max_per_class}) and --max-per-class >= 1"
        )
    manifest, _ = read_source(source, SourceOptions())
    with progress_bar(sys.stderr, "checking") as progress:
        report = check_dataset(
            manifest, min_per_class=min_per_class, max_per_class=max_per_class, progress=progress
        )
    if fmt == "json":
        typer.echo(report.model_dump_json(indent=2))
    else:
        Console(file=sys.stdout).print(render_report(report))
    warnings = f"{len(report.warnings)} warning(s)"
    if not report.ok:
        codes = ", ".join(dict.fromkeys(f.code for f in report.errors))
        raise DatasetError(
            f"the dataset check found {len(report.errors)} error(s) ({codes}) and {warnings}"
        )
    typer.echo(f"dataset ok: {report.readable} readable images, {warnings}", err=True)


def split(
    source: SourceArgument,
    out: OutOption,
    val: Annotated[
        float | None,
        typer.Option(
            "--val", help="Fraction of each class for validation (default 0.1; not with --folds)."
        ),
    ] = None,
    test: Annotated[
        float, typer.Option("--test", help="Fraction of each class for testing.")
    ] = 0.1,
    seed: SeedOption = 0,
    grouped: Annotated[
        bool,
        typer.Option("--grouped", help="Keep each group (sample, e.g. EcoTaxa sample_id) whole."),
    ] = False,
    folds: Annotated[
        int | None,
        typer.Option(
            "--folds",
            help="K-fold cross-validation: K manifests (OUT-fold0 ...), fold i as val; "
            "the --test set stays fixed.",
        ),
    ] = None,
    split_lists: Annotated[
        Path | None,
        typer.Option(
            "--write-split-lists",
            metavar="DIR",
            help="Also write classes.txt and train/val/test.txt (planktonclas layout); "
            "with --folds, in DIR/fold<i>.",
        ),
    ] = None,
) -> None:
    """Stratified, seeded train/val/test split (or k folds); print the written paths."""
    from seascope.datasets import assign_splits, save_manifest, write_split_lists

    _check_out(out)
    if folds is not None and val is not None:
        raise ConfigError("--val does not apply with --folds (each fold is the val split in turn)")
    if folds is not None and folds < 2:
        raise InvalidParameters(f"invalid number of folds: --folds {folds}: must be at least 2")
    manifest, _ = read_source(source, SourceOptions())
    with _option_names(_SPLIT_OPTIONS):
        if folds is None:
            split_manifest = assign_splits(
                manifest, val=0.1 if val is None else val, test=test, seed=seed, grouped=grouped
            )
            results = [(out, split_manifest)]
        else:
            manifests = _fold_manifests(manifest, k=folds, test=test, seed=seed, grouped=grouped)
            results = [
                (out.with_name(f"{out.stem}-fold{index}{out.suffix}"), fold)
                for index, fold in enumerate(manifests)
            ]
    stderr = typer.get_text_stream("stderr")
    for index, (path, result) in enumerate(results):
        save_manifest(result, path)
        if split_lists is not None:
            folder = split_lists if folds is None else split_lists / f"fold{index}"
            write_split_lists(result, folder)
    if folds is None:
        stderr.write(_split_table(results[0][1]) + "\n")
    for path, result in results:
        stderr.write(f"{path}: {describe_manifest(result)}\n")
    if split_lists is not None:
        stderr.write(f"split lists in {split_lists}\n")
    stderr.flush()
    for path, _ in results:
        typer.echo(str(path))


def _fold_manifests(
    manifest: DatasetManifest, *, k: int, test: float, seed: int, grouped: bool
) -> list[DatasetManifest]:
    """A fixed test split (when ``test > 0``), then k folds of the rest, fold i as val."""
    from seascope.datasets import Split, assign_folds, assign_splits

    if test != 0.0:  # assign_splits refuses a fraction outside [0, 1)
        base = assign_splits(manifest, val=0.0, test=test, seed=seed, grouped=grouped)
    else:
        base = manifest.with_rows(replace(row, split=Split.TRAIN) for row in manifest.rows)
    train_at = [i for i, row in enumerate(base.rows) if row.split == Split.TRAIN]
    fold_of = assign_folds(
        base.with_rows(base.rows[i] for i in train_at), k=k, seed=seed, grouped=grouped
    )
    manifests = []
    for fold in range(k):
        rows = list(base.rows)
        for i, row_fold in zip(train_at, fold_of, strict=True):
            rows[i] = replace(rows[i], split=Split.VAL if row_fold == fold else Split.TRAIN)
        manifests.append(base.with_rows(rows))
    return manifests


def _split_table(manifest: DatasetManifest) -> str:
    splits = manifest.splits()
    per_split = {split: manifest.class_counts(split=split) for split in splits}
    rows = [[name, *(str(per_split[split][name]) for split in splits)] for name in manifest.classes]
    rows.append(["total", *(str(sum(per_split[split].values())) for split in splits)])
    return format_table(["CLASS", *(split.value.upper() for split in splits)], rows)


def balance(
    source: SourceArgument,
    out: OutOption,
    min_per_class: Annotated[
        int, typer.Option("--min", help="Classes with fewer images are handled by --below-min.")
    ] = 100,
    max_per_class: Annotated[
        int, typer.Option("--max", help="Classes with more images are subsampled to this many.")
    ] = 10_000,
    below_min: Annotated[
        str,
        typer.Option("--below-min", help="oversample, drop, or merge:<Class> (e.g. merge:other)."),
    ] = "oversample",
    seed: SeedOption = 0,
    split_name: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="Balance the rows of train, val, test or all "
            "(default: train if the manifest has splits, else all).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Cap large classes and oversample, drop or merge small ones; print the report."""
    from seascope.datasets import balance_classes, save_manifest

    _check_out(out)
    manifest, _ = read_source(source, SourceOptions())
    scope = _balance_scope(split_name, manifest, source)
    with _option_names(_BALANCE_OPTIONS):
        result = balance_classes(
            manifest,
            min_per_class=min_per_class,
            max_per_class=max_per_class,
            below_min=below_min,
            seed=seed,
            split=scope,
        )
    save_manifest(result.manifest, out)
    if as_json:
        document = {"manifest": str(out), **result.report.model_dump(mode="json")}
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(_balance_table(result.report))
    where = f"{scope.value} rows" if scope is not None else "all rows"
    typer.echo(f"{out}: {describe_manifest(result.manifest)} (balanced {where})", err=True)


def _balance_scope(name: str | None, manifest: DatasetManifest, source: Path) -> Split | None:
    from seascope.datasets import Split

    if name is None:
        if any(row.split is not None for row in manifest.rows):
            return Split.TRAIN
        typer.echo(
            f"note: {source} has no splits; balancing all rows "
            "(split first to keep val and test at the natural class mix)",
            err=True,
        )
        return None
    if name.strip().lower() == "all":
        return None
    try:
        chosen = Split.parse(name)
    except DatasetError:
        raise ConfigError(f"unknown --split {name!r} (expected train, val, test or all)") from None
    if not any(row.split == chosen for row in manifest.rows):
        raise DatasetError(
            f"{source}: no {chosen.value} rows to balance; "
            "split it first (seascope data split) or pass --split all"
        )
    return chosen


def _balance_table(report: BalanceReport) -> str:
    rows = []
    for change in report.classes:
        detail = ""
        if change.merged_into is not None:
            detail = f"into {change.merged_into!r}"
        elif change.received_from:
            detail = f"from {_names(change.received_from)}"
        rows.append([change.name, str(change.before), str(change.after), change.action, detail])
    lines = [format_table(["CLASS", "BEFORE", "AFTER", "ACTION", "DETAIL"], rows)]
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)


def build_data_app() -> typer.Typer:
    """The ``seascope data`` command group."""
    app = typer.Typer(
        help="Import, check, split and balance labelled image datasets.", no_args_is_help=True
    )
    app.command("import", cls=SeascopeCommand)(import_dataset)
    app.command("check", cls=SeascopeCommand)(check)
    app.command("split", cls=SeascopeCommand)(split)
    app.command("balance", cls=SeascopeCommand)(balance)
    return app
