"""Plain-text tables for people (aligned columns, no colour, easy to grep)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["format_table", "schema_rows"]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: int = 0) -> str:
    """Align ``rows`` under ``headers``; the last column is not padded.

    Example:
        >>> print(format_table(["A", "B"], [["x", "1"], ["long", "2"]]))
        A     B
        x     1
        long  2
    """
    widths = [len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    prefix = " " * indent
    lines = []
    for row in [list(headers), *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append((prefix + "  ".join([*cells, row[-1]])).rstrip())
    return "\n".join(lines)


def schema_rows(schema: Mapping[str, Any]) -> list[list[str]]:
    """One ``[name, type, default, description]`` row per property of a JSON schema."""
    required = set(schema.get("required", ()))
    rows = []
    for name, field in schema.get("properties", {}).items():
        if "default" in field:
            default = json.dumps(field["default"])
        else:
            default = "required" if name in required else ""
        rows.append([name, _type_of(field), default, str(field.get("description", ""))])
    return rows


def _type_of(field: Mapping[str, Any]) -> str:
    if "enum" in field:
        return "|".join(json.dumps(value) for value in field["enum"])
    if "anyOf" in field:
        return "|".join(_type_of(option) for option in field["anyOf"])
    if "$ref" in field:
        return str(field["$ref"]).rsplit("/", 1)[-1]
    kind = field.get("type", "any")
    if kind == "array" and isinstance(field.get("items"), Mapping):
        return f"array[{_type_of(field['items'])}]"
    return str(kind)
