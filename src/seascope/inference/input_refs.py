"""``InputRef``: one input of a batch run, named and readable on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from seascope.errors import InvalidInput

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "IMAGE_SUFFIXES",
    "InputRef",
    "failing_reader",
    "is_hidden",
    "takes_name",
]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"})
"""Suffixes taken when walking folders, expanding globs and listing archives."""

DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024
"""Largest input file read (512 MiB); larger ones are recorded as errors, not read."""


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input of a batch run.

    Attributes:
        key: What the input is called in the results (a path, ``archive.zip!/entry`` or a
            URL); also the resume key.
        read: Returns the input's bytes; raises :class:`~seascope.errors.InvalidInput`
            when it cannot (missing, unreadable, too large, a refused archive entry).
    """

    key: str
    read: Callable[[], bytes]


def takes_name(name: str, *, all_files: bool) -> bool:
    """Whether a file found by a walk, glob or archive listing is an input."""
    return all_files or PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES


def is_hidden(name: str) -> bool:
    """Whether a ``/``-separated relative name has a hidden part or ``__MACOSX``."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def failing_reader(error: InvalidInput) -> Callable[[], bytes]:
    """A reader that raises ``error`` (an input known to be unusable before reading)."""

    def read() -> bytes:
        raise error

    return read
