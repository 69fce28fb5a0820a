"""Settings and option values shared by the commands, checked into seascope errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seascope.errors import ConfigError
from seascope.inference import MicroBatchOptions
from seascope.modules.params import validation_messages
from seascope.settings import Settings
from seascope.types import JsonValue

__all__ = [
    "batch_options",
    "load_settings",
    "normalise_base_path",
    "parse_assignments",
    "parse_param_value",
    "parse_weights",
]


def load_settings(**overrides: Any) -> Settings:
    """Build :class:`Settings` from ``SEASCOPE_*`` variables and command-line ``overrides``.

    ``None`` overrides are dropped, so an option left out keeps the variable's value.

    Raises:
        ConfigError: a variable or option has an unusable value.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        fields = validation_messages(exc)
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        raise ConfigError(f"invalid settings (options or SEASCOPE_* variables): {summary}") from exc


def batch_options(settings: Settings) -> MicroBatchOptions:
    """The servers' micro-batching options from ``settings``."""
    return MicroBatchOptions(
        max_batch_images=settings.batch_max_images,
        max_wait=settings.batch_max_wait_ms / 1000.0,
        workers=settings.batch_workers,
        max_queued_images=settings.max_queued_images,
        timeout=settings.predict_timeout,
        threads=settings.predict_threads,
    )


def normalise_base_path(value: str) -> str:
    """``""`` or a path starting with ``/`` without a trailing slash (``"/"`` becomes ``""``).

    Raises:
        ConfigError: the path does not start with ``/`` (as deepaas-run requires).
    """
    if not value:
        return ""
    if not value.startswith("/"):
        raise ConfigError(f"--base-path must start with '/', got {value!r} (try '/{value}')")
    return value.rstrip("/")


def parse_assignments(values: Iterable[str], *, option: str) -> dict[str, str]:
    """Split ``KEY=VALUE`` strings; a later key wins.

    Raises:
        ConfigError: a value has no ``=`` or an empty key.
    """
    pairs: dict[str, str] = {}
    for value in values:
        key, separator, rest = value.partition("=")
        if not separator or not key.strip():
            raise ConfigError(f"{option} expects KEY=VALUE, got {value!r}")
        pairs[key.strip()] = rest
    return pairs


def parse_param_value(text: str) -> JsonValue:
    """A ``--param`` value: JSON when it parses (``3``, ``true``, ``[1, 2]``), else the text.

    The module's parameter model then validates and converts it, so ``top_k=3`` and
    ``label=diatom`` both work without quoting.
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_weights(values: Iterable[str]) -> dict[str, Path]:
    """``MODULE=PATH`` options into a mapping; each path must exist.

    Raises:
        ConfigError: bad syntax or a path that does not exist.
    """
    weights = {
        name: Path(path).expanduser()
        for name, path in parse_assignments(values, option="--weights").items()
    }
    for name, path in weights.items():
        if not path.exists():
            raise ConfigError(f"--weights {name}={path}: no such file or folder")
    return weights
