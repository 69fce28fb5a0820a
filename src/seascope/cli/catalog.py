"""``seascope catalog list | show | import | export | validate | remove``: the model catalog.

The catalog holds the installed modules and the ai4-metadata files imported into
``<home>/catalog``. Data goes to stdout (tables, JSON, exported files, validation
problems); confirmations go to stderr. An invalid ai4-metadata file ends with exit code
65, an unknown id with 3 (:mod:`seascope.cli.exit_codes`).
"""

from __future__ import annotations

import json
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from seascope.catalog import (
    SCHEMA_VERSION,
    Ai4MetadataInvalid,
    Catalog,
    CatalogEntry,
    CatalogQuery,
    EntrySource,
    MetadataProblem,
    entry_from_ai4_metadata,
    read_ai4_metadata,
)
from seascope.cli.config import load_settings
from seascope.cli.failures import SeascopeCommand
from seascope.cli.modules import FormatOption, JsonOption, OutputFormat
from seascope.cli.state import state_of
from seascope.cli.tables import format_table

__all__ = ["FileFormat", "build_catalog_app", "open_catalog"]

_TEXT_WIDTH = 88

HomeOption = Annotated[
    Path | None, typer.Option("--home", help="seascope home (default: ~/.seascope).")
]


class FileFormat(StrEnum):
    """The file formats of ai4-metadata."""

    YAML = "yaml"
    JSON = "json"


def open_catalog(ctx: typer.Context, home: Path | None) -> Catalog:
    """The catalog of this command: installed modules (with the packages published in
    ``<home>/packages``) plus ``<home>/catalog``."""
    settings = load_settings(home=home)
    return Catalog.open(
        registry=state_of(ctx).discover_modules(),
        folder=settings.home / "catalog",
        packages=settings.home / "packages",
    )


def list_entries(
    ctx: typer.Context,
    text: Annotated[str, typer.Option("--text", "-t", help="Words to find (any case).")] = "",
    task: Annotated[
        str, typer.Option("--task", help="'Classification', 'image-classification' ...")
    ] = "",
    data_type: Annotated[str, typer.Option("--data-type", help="'Image', 'Video' ...")] = "",
    library: Annotated[str, typer.Option("--library", help="'PyTorch', 'Other' ...")] = "",
    source: Annotated[
        EntrySource | None, typer.Option("--source", help="installed or imported.")
    ] = None,
    tags: Annotated[
        list[str] | None, typer.Option("--tag", help="Has this tag ('*' wildcards; repeat).")
    ] = None,
    tags_any: Annotated[
        list[str] | None, typer.Option("--tag-any", help="Has at least one of these tags.")
    ] = None,
    not_tags: Annotated[
        list[str] | None, typer.Option("--not-tag", help="Lacks at least one of these tags.")
    ] = None,
    not_tags_any: Annotated[
        list[str] | None, typer.Option("--not-tag-any", help="Has none of these tags.")
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """List catalog entries: installed modules first, then imported ones."""
    catalog = open_catalog(ctx, home)
    query = CatalogQuery(
        text=text,
        task=task,
        data_type=data_type,
        library=library,
        source=source,
        tags=tuple(tags or ()),
        tags_any=tuple(tags_any or ()),
        not_tags=tuple(not_tags or ()),
        not_tags_any=tuple(not_tags_any or ()),
    )
    entries = catalog.find(query)
    if as_json or output is OutputFormat.JSON:
        _print_json([_document(entry) for entry in entries])
    else:
        rows = [
            [e.id, e.source, ", ".join(e.tasks), ", ".join(e.libraries), e.title] for e in entries
        ]
        typer.echo(format_table(["ID", "SOURCE", "TASKS", "LIBRARIES", "TITLE"], rows))
    for problem in catalog.problems():
        typer.echo(f"warning: {problem.source}: {problem.message}", err=True)


def show_entry(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Catalog id.")],
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Show one catalog entry."""
    entry = open_catalog(ctx, home).get(entry_id)
    if as_json or output is OutputFormat.JSON:
        _print_json(_document(entry))
    else:
        typer.echo(_describe(entry))


def import_entry(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An ai4-metadata v2 file (YAML or JSON).")],
    entry_id: Annotated[
        str | None,
        typer.Option("--id", help="Catalog id (default: the file's, or its repository's name)."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Import an ai4-metadata file into the catalog (replaces an entry with the same id)."""
    catalog = open_catalog(ctx, home)
    entry = catalog.import_file(file, entry_id=entry_id)
    typer.echo(entry.id)
    typer.echo(f"imported {file} as {entry.id!r} into {catalog.folder}", err=True)


def export_entry(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Catalog id.")],
    file_format: Annotated[
        FileFormat, typer.Option("--format", "-f", help="yaml or json.")
    ] = FileFormat.YAML,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Export an entry as an ai4-metadata 2.3.0 file."""
    text = open_catalog(ctx, home).export_text(entry_id, file_format.value)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


def validate_file(
    file: Annotated[Path, typer.Argument(help="An ai4-metadata v2 file (YAML or JSON).")],
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Check an ai4-metadata file against the 2.3.0 schema (exit 65 when invalid)."""
    problems: tuple[MetadataProblem, ...] = ()
    failure: Ai4MetadataInvalid | None = None
    try:
        entry_from_ai4_metadata(read_ai4_metadata(file), source=file.name)
    except Ai4MetadataInvalid as exc:
        problems, failure = exc.problems, exc
    if as_json or output is OutputFormat.JSON:
        _print_json(
            {
                "file": str(file),
                "schema_version": SCHEMA_VERSION,
                "valid": failure is None,
                "problems": [{"path": p.path, "message": p.message} for p in problems],
            }
        )
    elif problems:
        typer.echo(format_table(["PATH", "PROBLEM"], [[p.path, p.message] for p in problems]))
    if failure is not None:
        raise failure
    typer.echo(f"{file} is valid ai4-metadata {SCHEMA_VERSION}", err=True)


def remove_entry(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Catalog id.")],
    home: HomeOption = None,
) -> None:
    """Remove an imported entry (installed modules leave with their package)."""
    entry = open_catalog(ctx, home).remove(entry_id)
    typer.echo(f"removed {entry.id!r}", err=True)


def build_catalog_app() -> typer.Typer:
    """The ``seascope catalog`` command group."""
    app = typer.Typer(
        help="List, search, import and export catalog entries (AI4OS ai4-metadata v2).",
        no_args_is_help=True,
    )
    app.command("list", cls=SeascopeCommand)(list_entries)
    app.command("show", cls=SeascopeCommand)(show_entry)
    app.command("import", cls=SeascopeCommand)(import_entry)
    app.command("export", cls=SeascopeCommand)(export_entry)
    app.command("validate", cls=SeascopeCommand)(validate_file)
    app.command("remove", cls=SeascopeCommand)(remove_entry)
    return app


def _document(entry: CatalogEntry) -> dict[str, Any]:
    document: dict[str, Any] = entry.model_dump(mode="json", by_alias=True)
    return document


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _describe(entry: CatalogEntry) -> str:
    rows: list[tuple[str, str]] = [
        ("id", entry.id),
        ("title", entry.title),
        ("source", f"{entry.source} (module {entry.module})" if entry.module else entry.source),
        ("version", entry.version),
        ("tasks", ", ".join(entry.tasks)),
        ("data types", ", ".join(entry.data_types)),
        ("libraries", ", ".join(entry.libraries)),
        ("categories", ", ".join(entry.categories)),
        ("tags", ", ".join(entry.tags)),
        ("license", entry.license),
        ("authors", ", ".join(entry.authors)),
        ("doi", entry.doi),
        ("citation", entry.citation),
    ]
    if entry.dates is not None:
        rows.append(("dates", f"created {entry.dates.created}, updated {entry.dates.updated}"))
    links = entry.links.model_dump(mode="json", by_alias=True, exclude_none=True)
    rows += [(f"link {key}", str(value)) for key, value in links.items()]
    for phase in ("inference", "training"):
        needs = getattr(entry.resources, phase)
        if needs is not None:
            values = needs.model_dump(mode="json", by_alias=True, exclude_none=True)
            rows.append((phase, ", ".join(f"{k}={v}" for k, v in values.items())))
    for package in entry.model_packages:
        facts = [package.created[:16].replace("T", " "), package.backbone]
        if package.class_count is not None:
            facts.append(f"{package.class_count} classes")
        facts += [f"{key} {value:.3f}" for key, value in package.metrics.items()]
        facts.append(package.uri)
        rows.append((f"package {package.version}", " · ".join(fact for fact in facts if fact)))
    shown = [(key, value) for key, value in rows if value]
    width = max(len(key) for key, _ in shown) + 2
    lines = [f"{key + ':':<{width}}{value}" for key, value in shown]
    lines += ["", textwrap.fill(entry.summary, _TEXT_WIDTH)]
    if entry.description:
        lines += ["", entry.description.rstrip()]
    return "\n".join(lines)
