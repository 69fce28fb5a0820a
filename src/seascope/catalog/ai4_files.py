"""Read and write ai4-metadata files (YAML or JSON) safely.

Reading is bounded: files above :data:`MAX_METADATA_BYTES` are refused before parsing,
YAML goes through ``safe_load`` only, and the parsed document is walked with a budget
of :data:`MAX_NODES` values, so an alias bomb ("billion laughs") fails fast instead of
exhausting memory when it is later copied or serialised. YAML timestamps are read as
text (``created: 2024-08-22`` is the string ``"2024-08-22"``, as in YAML 1.2 and as the
schema expects).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Literal

from seascope.catalog.ai4_schema import json_path
from seascope.catalog.errors import Ai4MetadataInvalid, MetadataProblem
from seascope.errors import InvalidInput, PayloadTooLarge
from seascope.types import JsonValue

__all__ = [
    "MAX_DEPTH",
    "MAX_METADATA_BYTES",
    "MAX_NODES",
    "MetadataFormat",
    "dump_ai4_metadata",
    "format_of",
    "parse_ai4_metadata",
    "read_ai4_metadata",
]

MetadataFormat = Literal["yaml", "json"]

MAX_METADATA_BYTES = 1024 * 1024
"""Largest ai4-metadata file accepted (real ones are a few kB)."""
MAX_NODES = 50_000
"""Most values (mapping entries and list items, aliases counted each time) in a document."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists."""

_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def format_of(name: str) -> MetadataFormat | None:
    """The format a file name implies (``.json`` or ``.yml``/``.yaml``), else ``None``."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    return None


def read_ai4_metadata(path: Path) -> dict[str, JsonValue]:
    """Parse the ai4-metadata file at ``path`` (not yet validated against the schema).

    Raises:
        InvalidInput: the file cannot be read.
        PayloadTooLarge: the file is above :data:`MAX_METADATA_BYTES`.
        Ai4MetadataInvalid: the file is not YAML/JSON, or not a mapping.
    """
    try:
        size = path.stat().st_size
        if size > MAX_METADATA_BYTES:
            raise PayloadTooLarge(_too_large(path.name, size))
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_ai4_metadata(data, source=path.name, fmt=format_of(path.name))


def parse_ai4_metadata(
    data: bytes, *, source: str = "<upload>", fmt: MetadataFormat | None = None
) -> dict[str, JsonValue]:
    """Parse ai4-metadata ``data``: JSON when ``fmt`` says so or the text starts with ``{``.

    Args:
        data: The file's bytes (UTF-8).
        source: Name used in error messages.
        fmt: ``"json"``, ``"yaml"`` or ``None`` to guess.

    Raises:
        PayloadTooLarge: ``data`` is above :data:`MAX_METADATA_BYTES`.
        Ai4MetadataInvalid: not UTF-8, not YAML/JSON, too big once expanded, or not a mapping.

    Example:
        >>> parse_ai4_metadata(b"title: Demo\\ndates: {created: 2024-01-02}")
        {'title': 'Demo', 'dates': {'created': '2024-01-02'}}
    """
    if len(data) > MAX_METADATA_BYTES:
        raise PayloadTooLarge(_too_large(source, len(data)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid(source, f"not UTF-8 text (byte {exc.start} cannot be decoded)") from exc
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    try:
        document = _load_json(text) if fmt == "json" else _load_yaml(text)
    except RecursionError as exc:
        raise _invalid(source, f"nested more than {MAX_DEPTH} levels deep") from exc
    except ValueError as exc:
        raise _invalid(source, str(exc)) from exc
    if not isinstance(document, dict):
        raise _invalid(
            source, f"the document must be a mapping of fields, not {type(document).__name__}"
        )
    problems = _check_json_data(document)
    if problems:
        raise Ai4MetadataInvalid(source, problems)
    return document


def dump_ai4_metadata(document: dict[str, JsonValue], fmt: MetadataFormat) -> str:
    """``document`` as YAML (multi-line text in block style) or indented JSON."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    import yaml

    class _BlockDumper(yaml.SafeDumper):
        """Writes multi-line strings as ``|`` blocks, the way people write descriptions."""

    def represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _BlockDumper.add_representer(str, represent_text)
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc


def _load_yaml(text: str) -> Any:
    # Imported here so that importing seascope.catalog does not load PyYAML.
    import yaml

    # PyYAML's scanner is quadratic in the flow nesting depth ([[[...): refuse deep
    # nesting before it gets to work (brackets inside quoted text count too; real
    # metadata never comes close).
    if _flow_depth(text) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels of [ ] or {{ }}")

    class _TextDatesLoader(yaml.SafeLoader):
        """``SafeLoader`` that leaves timestamps as text (the schema wants strings)."""

    _TextDatesLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        return yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise ValueError(f"not valid YAML: {where}{exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from exc


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub("", text):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                break
    return deepest


def _check_json_data(document: dict[str, Any]) -> list[MetadataProblem]:
    """Problems that make ``document`` unusable as JSON data, within a bounded walk."""
    problems: list[MetadataProblem] = []
    budget = MAX_NODES
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, parts = stack.pop()
        budget -= 1
        if budget < 0:
            return [
                MetadataProblem("$", f"more than {MAX_NODES} values once YAML aliases are expanded")
            ]
        if len(parts) > MAX_DEPTH:
            return [
                MetadataProblem(json_path(parts[:MAX_DEPTH]), f"nested deeper than {MAX_DEPTH}")
            ]
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(MetadataProblem(json_path(parts), f"key {key!r} is not text"))
                    continue
                stack.append((item, [*parts, key]))
        elif isinstance(value, list):
            stack.extend((item, [*parts, index]) for index, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(MetadataProblem(json_path(parts), f"{value} is not a JSON number"))
        elif value is not None and not isinstance(value, str | int | float | bool):
            problems.append(
                MetadataProblem(json_path(parts), f"a YAML {type(value).__name__} is not JSON data")
            )
    return sorted(problems, key=lambda p: p.path)


def _invalid(source: str, message: str) -> Ai4MetadataInvalid:
    return Ai4MetadataInvalid(source, [MetadataProblem("$", message)])


def _too_large(source: str, size: int) -> str:
    return (
        f"{source}: {size} bytes is above the {MAX_METADATA_BYTES} bytes allowed "
        "for an ai4-metadata file"
    )
