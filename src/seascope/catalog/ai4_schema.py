"""Validate documents against the real ai4-metadata 2.3.0 JSON Schema (draft 2020-12).

The schema file is vendored from the ``ai4-metadata`` package (see ``schemata/README.md``).
Like ``ai4-metadata validate`` and the AI4OS platform, every 2.x document is checked
against the latest schema, and ``format`` keywords (uri, date, doi) are not enforced.
jsonschema's messages are rewritten so that each problem names its JSON path and says
what to write instead (its own message for a forbidden v1 key repeats the whole document).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from seascope.catalog.errors import MetadataProblem

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

__all__ = [
    "FORBIDDEN_V1_KEYS",
    "SCHEMA_VERSION",
    "check_ai4_metadata",
    "json_path",
    "load_schema",
]

SCHEMA_VERSION = "2.3.0"
"""The ai4-metadata version seascope validates against and exports."""

_SCHEMA_FILE = f"schemata/ai4-apps-v{SCHEMA_VERSION}.json"

FORBIDDEN_V1_KEYS: dict[str, str] = {
    "tosca": "TOSCA templates are no longer part of the metadata",
    "sources": "use 'links' (source_code, docker_image ...)",
    "dataset_url": "use 'links.dataset'",
    "cite_url": "use 'links.citation'",
    "date_creation": "use 'dates.created' and 'dates.updated'",
    "keywords": "use 'tags'",
}
"""Version-1 keys that the v2 schema forbids, with what replaces each."""

_LONGEST_VALUE = 80
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def load_schema() -> dict[str, Any]:
    """The ai4-metadata 2.3.0 JSON Schema, as shipped by the ``ai4-metadata`` package."""
    text = resources.files("seascope.catalog").joinpath(_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> Validator:
    # Imported here: jsonschema (and referencing, rpds) load only when a document is checked.
    from jsonschema import Draft202012Validator

    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_ai4_metadata(document: Any) -> list[MetadataProblem]:
    """Every way ``document`` breaks the ai4-metadata 2.3.0 schema (empty when valid).

    Also refuses documents that declare another major version (version 1 files need
    ``ai4-metadata migrate`` first).

    Example:
        >>> [str(p) for p in check_ai4_metadata({"metadata_version": "2.3.0"})][:2]
        ['$.categories: required field is missing', '$.description: required field is missing']
    """
    problems: list[MetadataProblem] = []
    for error in _validator().iter_errors(document):
        problems.extend(_explain(error))
    version = document.get("metadata_version") if isinstance(document, dict) else None
    if isinstance(version, str) and not any(p.path == "$.metadata_version" for p in problems):
        major = version.split(".", 1)[0]
        if major != SCHEMA_VERSION.split(".", 1)[0]:
            problems.append(
                MetadataProblem(
                    "$.metadata_version",
                    f"version {version} is not supported: seascope reads ai4-metadata 2.x "
                    "(convert version 1 files with 'ai4-metadata migrate')",
                )
            )
    return sorted(set(problems), key=lambda p: (p.path, p.message))


def json_path(parts: Sequence[str | int]) -> str:
    """``["tasks", 1]`` as ``$.tasks[1]`` (jsonschema's notation).

    Example:
        >>> json_path(["links", "source_code"])
        '$.links.source_code'
    """
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _explain(error: ValidationError) -> Iterator[MetadataProblem]:
    parts = list(error.absolute_path)
    path = json_path(parts)
    # Typed "Any | Unset" by the stubs; set on every error that iter_errors yields.
    instance: Any = error.instance
    expected: Any = error.validator_value
    match error.validator:
        case "required":
            for name in expected:
                if isinstance(instance, dict) and name not in instance:
                    yield MetadataProblem(json_path([*parts, name]), "required field is missing")
        case "not" if not parts and isinstance(instance, dict):
            for key, hint in FORBIDDEN_V1_KEYS.items():
                if key in instance:
                    yield MetadataProblem(
                        json_path([key]),
                        f"'{key}' is a version 1 key, not allowed in version 2 metadata: {hint}",
                    )
        case "enum":
            yield MetadataProblem(path, _enum_message(instance, expected))
        case "type":
            wanted = expected if isinstance(expected, str) else " or ".join(expected)
            yield MetadataProblem(
                path, f"expected {_TYPE_NAMES.get(wanted, wanted)}, got {_describe(instance)}"
            )
        case "uniqueItems":
            seen: list[Any] = []
            repeated: list[Any] = []
            for item in instance:
                if item not in seen:
                    seen.append(item)
                elif item not in repeated:
                    repeated.append(item)
            shown = ", ".join(_short(item) for item in repeated)
            yield MetadataProblem(path, f"items must be unique; repeated: {shown}")
        case "pattern" if parts == ["metadata_version"]:
            yield MetadataProblem(
                path, f"{_short(instance)} is not a version like '{SCHEMA_VERSION}'"
            )
        case "minimum":
            yield MetadataProblem(path, f"must be at least {expected}, got {_short(instance)}")
        case _:
            yield MetadataProblem(path, _shorten(error.message))


def _enum_message(value: Any, allowed: Sequence[str]) -> str:
    message = f"{_short(value)} is not an allowed value; use one of: {', '.join(allowed)}"
    if isinstance(value, str):
        by_lower = {option.lower(): option for option in allowed}
        close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
        if close:
            suggestion = _short(by_lower[close[0]])
            message = f"{_short(value)} is not an allowed value; did you mean {suggestion}?"
            message += f" (allowed: {', '.join(allowed)})"
    return message


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, int | float) and not isinstance(value, bool):
        kind = "a number"
    return f"{kind} ({_short(value)})" if not isinstance(value, dict | list) else kind


def _short(value: Any) -> str:
    return _shorten(json.dumps(value, ensure_ascii=False, default=str))


def _shorten(text: str) -> str:
    return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 3] + "..."
