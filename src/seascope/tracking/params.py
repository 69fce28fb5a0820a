"""Turning JSON parameters into the flat string pairs that trackers store."""

from __future__ import annotations

import json
from collections.abc import Mapping

from seascope.types import JsonValue

__all__ = ["flatten_params"]

MAX_VALUE_LENGTH = 6000
"""MLflow 3's limit on a parameter value; longer values are cut and marked."""


def flatten_params(params: Mapping[str, JsonValue], *, prefix: str = "") -> dict[str, str]:
    """Flatten nested mappings to dotted names and render every value as a string.

    Lists and other JSON values are written as compact JSON; ``None`` as ``"None"``.

    Example:
        >>> flatten_params({"lr": 0.1, "aug": {"flip": True}, "sizes": [1, 2]})
        {'lr': '0.1', 'aug.flip': 'True', 'sizes': '[1,2]'}
    """
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, prefix=f"{name}."))
        else:
            flat[name] = _render(value)
    return flat


def _render(value: JsonValue) -> str:
    if isinstance(value, str | bool | int | float) or value is None:
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"), default=str)
    if len(text) > MAX_VALUE_LENGTH:
        text = text[: MAX_VALUE_LENGTH - 3] + "..."
    return text
