"""``seascope modules list | show | validate``: the installed model modules."""

from __future__ import annotations

import json
import textwrap
from enum import StrEnum
from typing import Annotated, Any

import typer

from seascope.cli.failures import SeascopeCommand
from seascope.cli.state import state_of
from seascope.cli.tables import format_table, schema_rows
from seascope.errors import ManifestInvalid, ModuleError
from seascope.modules import ModuleManifest
from seascope.types import JsonValue

__all__ = ["OutputFormat", "build_modules_app", "manifest_document"]


_TEXT_WIDTH = 88


class OutputFormat(StrEnum):
    """How a command prints its data on stdout."""

    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]


def manifest_document(manifest: ModuleManifest) -> dict[str, JsonValue]:
    """The manifest as JSON, with its capabilities sorted (a stable output)."""
    data: dict[str, JsonValue] = manifest.model_dump(mode="json")
    data["capabilities"] = sorted(manifest.capabilities)
    return data


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


def list_modules(
    ctx: typer.Context,
    problems: Annotated[
        bool, typer.Option("--problems", help="List modules that could not be read instead.")
    ] = False,
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """List installed modules (or, with --problems, the broken ones and why)."""
    registry = state_of(ctx).discover_modules()
    json_output = as_json or output is OutputFormat.JSON
    if problems:
        found = [{"source": p.source, "message": p.message} for p in registry.problems]
        if json_output:
            _print_json(found)
        elif found:
            rows = [[p["source"], p["message"]] for p in found]
            typer.echo(format_table(["SOURCE", "PROBLEM"], rows))
        else:
            typer.echo("no problems: every installed module could be read", err=True)
        return
    manifests = registry.manifests()
    if json_output:
        _print_json([manifest_document(m) for m in manifests])
    else:
        rows = [
            [m.name, m.version, m.task, ",".join(sorted(m.capabilities)), m.title]
            for m in manifests
        ]
        typer.echo(format_table(["NAME", "VERSION", "TASK", "CAPABILITIES", "TITLE"], rows))
    if registry.problems:
        typer.echo(
            f"{len(registry.problems)} module(s) could not be read; "
            "see 'seascope modules list --problems'",
            err=True,
        )


def show_module(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Module name.")],
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Show a module's manifest and the JSON schema of its parameters."""
    registry = state_of(ctx).discover_modules()
    manifest = registry.get(name)
    schemas: dict[str, JsonValue] = {"predict_params": None, "train_params": None}
    load_error: ModuleError | None = None
    try:
        module_class = registry.load_class(name)
    except ModuleError as exc:
        load_error = exc
    else:
        schemas["predict_params"] = module_class.predict_params.model_json_schema()
        if "train" in manifest.capabilities:
            schemas["train_params"] = module_class.train_params.model_json_schema()
    if as_json or output is OutputFormat.JSON:
        document = {"manifest": manifest_document(manifest), **schemas}
        if load_error is not None:
            document["load_error"] = load_error.message
        _print_json(document)
    else:
        typer.echo(_describe(manifest, schemas))
    if load_error is not None:
        raise load_error


def validate_module(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Module name.")],
    output: FormatOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """Run the conformance checks on a module (exit 0 when all pass)."""
    from seascope.modules.testing import check_module

    results = check_module(state_of(ctx).discover_modules(), name)
    if as_json or output is OutputFormat.JSON:
        _print_json(
            [{"check": r.name, "status": r.status.value, "message": r.message} for r in results]
        )
    else:
        rows = [[r.status.value.upper(), r.name, r.message] for r in results]
        typer.echo(format_table(["STATUS", "CHECK", "MESSAGE"], rows))
    failed = [r for r in results if r.failed]
    if failed:
        raise ManifestInvalid(
            f"module {name!r} fails {len(failed)} of {len(results)} conformance checks: "
            + "; ".join(f"{r.name}: {r.message}" for r in failed)
        )
    typer.echo(f"module {name!r} passes all {len(results)} conformance checks", err=True)


def _describe(manifest: ModuleManifest, schemas: dict[str, JsonValue]) -> str:
    data = manifest_document(manifest)
    shown = ["name", "version", "title", "task", "capabilities", "entry", "license", "authors"]
    shown += ["tags", "homepage", "citation"]
    lines = []
    for key in shown:
        value = data.get(key)
        if value in (None, "", [], {}):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{key + ':':<14}{text}")
    lines += ["", textwrap.fill(manifest.summary, _TEXT_WIDTH)]
    if manifest.description:
        lines += ["", textwrap.fill(manifest.description, _TEXT_WIDTH)]
    for key, heading in (
        ("predict_params", "Prediction parameters (--param KEY=VALUE)"),
        ("train_params", "Training parameters"),
    ):
        schema = schemas.get(key)
        if isinstance(schema, dict):
            rows = schema_rows(schema)
            lines += ["", f"{heading}:"]
            lines.append(
                format_table(["NAME", "TYPE", "DEFAULT", "DESCRIPTION"], rows, indent=2)
                if rows
                else "  (none)"
            )
    return "\n".join(lines)


def build_modules_app() -> typer.Typer:
    """The ``seascope modules`` command group."""
    app = typer.Typer(help="List, show and validate installed model modules.", no_args_is_help=True)
    app.command("list", cls=SeascopeCommand)(list_modules)
    app.command("show", cls=SeascopeCommand)(show_module)
    app.command("validate", cls=SeascopeCommand)(validate_module)
    return app
