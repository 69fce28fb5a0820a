"""Turn a path written in a dataset file into a safe path relative to a base folder."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from seascope.errors import DatasetError

__all__ = ["confined_relative_path"]

_DRIVE = re.compile(r"^[A-Za-z]:")


def confined_relative_path(text: str, *, base: Path, where: str) -> str:
    """Normalise ``text`` to a POSIX path relative to ``base`` that stays inside it.

    Backslashes count as separators (files written on Windows); ``./`` and inner ``..``
    that stay inside ``base`` are folded away.

    Args:
        text: The path as written in the dataset file.
        base: The folder the path is relative to (only used in messages).
        where: Where the path was read (``"labels.csv line 4"``), for messages.

    Returns:
        The normalised relative path, e.g. ``"Class/x.jpg"``.

    Raises:
        DatasetError: the path is empty, absolute, or leaves ``base``.

    Example:
        >>> confined_relative_path("./disc\\\\a.jpg", base=Path("."), where="x")
        'disc/a.jpg'
    """
    cleaned = text.strip().replace("\\", "/")
    if not cleaned:
        raise DatasetError(f"{where}: empty image path")
    if cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise DatasetError(
            f"{where}: absolute image path {text!r}; paths must be relative to {base}"
        )
    normal = posixpath.normpath(cleaned)
    if normal == "." or normal == ".." or normal.startswith("../"):
        raise DatasetError(f"{where}: image path {text!r} points outside {base}")
    return normal
