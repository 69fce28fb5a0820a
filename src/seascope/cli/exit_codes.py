"""Exit codes of the ``seascope`` commands: the CLI's one mapping of the error tree.

``docs/cli.md`` documents the same table. Codes follow BSD ``sysexits.h`` where one fits
(65 bad input data, 70 internal software error, 75 temporary failure) and use small
numbers for the seascope-specific cases, so scripts can tell "no such module" from
"the module is broken" from "your image is bad".
"""

from __future__ import annotations

from enum import IntEnum
from types import MappingProxyType

from seascope.errors import (
    CapabilityNotSupported,
    ConfigError,
    DatasetError,
    InvalidInput,
    JobError,
    ModuleError,
    ModuleFailed,
    ModuleNotFound,
    Overloaded,
    SeascopeError,
)

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(IntEnum):
    """What a ``seascope`` process exit status means."""

    OK = 0
    FAILURE = 1
    """The module's own code failed, a check failed, or another seascope error."""
    USAGE = 2
    """Bad command-line options or settings (``ConfigError``; click's usage errors)."""
    MODULE_NOT_FOUND = 3
    """No installed module has that name."""
    MODULE_BROKEN = 4
    """The module cannot be loaded or breaks the contract (``ModuleLoadFailed`` ...)."""
    NOT_SUPPORTED = 5
    """The module cannot do that (``CapabilityNotSupported``)."""
    JOB_ERROR = 6
    """No such training job, or it cannot do that in its state (``JobError``)."""
    DATA_ERROR = 65
    """Unusable input: bad image, bad parameter value, unreadable dataset (EX_DATAERR)."""
    INTERNAL_ERROR = 70
    """An unexpected exception: a bug in seascope or in a module (EX_SOFTWARE)."""
    TEMPORARY_FAILURE = 75
    """Overloaded; try again later (EX_TEMPFAIL)."""
    INTERRUPTED = 130
    """Stopped with Ctrl+C (128 + SIGINT)."""


_CODES: MappingProxyType[type[SeascopeError], ExitCode] = MappingProxyType(
    {
        ConfigError: ExitCode.USAGE,
        ModuleNotFound: ExitCode.MODULE_NOT_FOUND,
        ModuleError: ExitCode.MODULE_BROKEN,
        CapabilityNotSupported: ExitCode.NOT_SUPPORTED,
        JobError: ExitCode.JOB_ERROR,
        InvalidInput: ExitCode.DATA_ERROR,
        DatasetError: ExitCode.DATA_ERROR,
        ModuleFailed: ExitCode.FAILURE,
        Overloaded: ExitCode.TEMPORARY_FAILURE,
        SeascopeError: ExitCode.FAILURE,
    }
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of ``error``: its nearest class in the table, by method resolution order.

    Example:
        >>> from seascope.errors import InvalidParameters
        >>> int(exit_code_for(InvalidParameters("top_k: must be >= 1")))
        65
    """
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    for cls in type(error).__mro__:
        code = _CODES.get(cls)
        if code is not None:
            return code
    return ExitCode.INTERNAL_ERROR
