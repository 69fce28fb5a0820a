"""Import an optional dependency, or say which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

from seascope.errors import ConfigError

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` (for example ``"fsspec"``) that only some features need.

    The module is returned untyped on purpose: the optional packages (fsspec, pyarrow,
    watchdog) ship no type information, and typing through ``ModuleType`` keeps mypy
    strict without stubs.

    Args:
        module: The dotted module name.
        extra: The seascope extra that installs it (``pip install 'seascope[EXTRA]'``).
        purpose: What needs it, for the message (``"reading s3:// inputs"``).

    Raises:
        ConfigError: the package is not installed.

    Example:
        >>> import_optional("json", extra="none", purpose="a doctest").__name__
        'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise ConfigError(
            f"{purpose} needs the optional package {top!r}: pip install 'seascope[{extra}]'"
        ) from exc
