"""``deepaas-cli`` options generated from a model's arguments, with DEEPaaS's conversions.

Each argument becomes ``--<name> VALUE`` (also ``--<wire key>`` when it has a
``data_key``). Values are converted as ``deepaas-cli`` does: booleans with ``str2bool``,
integers with ``int``, floats with ``float``, lists and dicts with ``ast.literal_eval``
(``--nums "[1, 2]"``), file arguments are paths. A value that does not convert is passed
on as text, so the model's own validation reports it with the REST API's 422 message
(``{"parameter": ["Not a valid integer."]}``) instead of an argparse error. Absent
options are left out, so the model's defaults apply exactly as on the REST API.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Callable, Sequence
from typing import Any

from seascope.deepaas.arguments import ArgumentSpec

__all__ = ["add_argument_options", "read_argument_options", "str2bool"]

_TRUE = {"yes", "true", "t", "y", "1", "on"}
_FALSE = {"no", "false", "f", "n", "0", "off"}


def str2bool(value: str) -> bool | str:
    """DEEPaaS's boolean conversion (``yes/true/t/1`` and their opposites), else the text."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


def literal(value: str) -> Any:
    """A Python literal (``"[1, 2]"``) as ``deepaas-cli`` reads lists and dicts, else the text."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return value


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def converted(value: str) -> Any:
        try:
            return convert(value)
        except ValueError:
            return value

    return converted


def _converter(spec: ArgumentSpec) -> Callable[[str], Any]:
    converters: dict[str | None, Callable[[str], Any]] = {
        "boolean": str2bool,
        "integer": _number(int),
        "number": _number(float),
        "array": literal,
        "object": literal,
    }
    return converters.get(spec.kind, str)


def _help(spec: ArgumentSpec) -> str:
    lines = [spec.description.replace("%", "%%")] if spec.description else []
    enum = spec.schema.get("enum")
    if enum is not None:
        lines.append(f"Choices: {enum}")
    kind = "filepath" if spec.is_file else (spec.kind or "str")
    lines.append(f"Type: {kind}{' (one or more paths)' if spec.is_file and spec.multiple else ''}")
    if spec.has_default:
        lines.append(f"Default: {spec.default!r}")
    if spec.required:
        lines.append("*Required*")
    return "\n".join(lines)


def add_argument_options(parser: argparse.ArgumentParser, specs: Sequence[ArgumentSpec]) -> None:
    """Add one option per argument; destinations are ``arg_<index>``."""
    for index, spec in enumerate(specs):
        flags = [f"--{spec.name}"]
        if spec.key != spec.name:
            flags.append(f"--{spec.key}")
        parser.add_argument(
            *flags,
            dest=f"arg_{index}",
            default=argparse.SUPPRESS,
            type=str if spec.is_file else _converter(spec),
            nargs="+" if spec.is_file and spec.multiple else None,
            metavar="PATH" if spec.is_file else "VALUE",
            help=_help(spec),
        )


def read_argument_options(
    namespace: argparse.Namespace, specs: Sequence[ArgumentSpec]
) -> list[tuple[ArgumentSpec, Any]]:
    """The options given on the command line, with their converted values."""
    given = vars(namespace)
    return [
        (spec, given[f"arg_{index}"]) for index, spec in enumerate(specs) if f"arg_{index}" in given
    ]
