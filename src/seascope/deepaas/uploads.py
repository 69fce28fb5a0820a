"""Uploaded files saved as temporary files and handed to modules as ``UploadedFile``.

DEEPaaS copies each upload into ``tempfile.mkstemp()`` and never deletes it. seascope
keeps one temporary folder per request and removes it when the request is answered;
for trainings the folder is kept and the job's runner moves it into the job folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from seascope.deepaas.arguments import FilePart
from seascope.deepaas.files import UploadedFile

__all__ = ["UPLOAD_MARKER", "UploadStore", "restore_uploads", "uploads_to_markers"]

UPLOAD_MARKER = "$seascope_upload"
"""Key of the JSON object that stands for an uploaded file in a stored training request."""

_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class UploadStore:
    """A temporary folder holding one request's uploads.

    Args:
        prefix: Prefix of the folder's name.

    Example:
        >>> store = UploadStore()
        >>> store.cleanup()  # nothing was saved: nothing to remove
    """

    def __init__(self, *, prefix: str = "seascope-deepaas-") -> None:
        self._prefix = prefix
        self._directory: Path | None = None

    @property
    def directory(self) -> Path | None:
        """The folder, once something was saved."""
        return self._directory

    def save(self, part: FilePart) -> UploadedFile:
        """Copy ``part`` into the folder; returns DEEPaaS's description of it."""
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix=self._prefix))
        # Keep the client's extension: modules (ultralytics, PIL) sniff formats by it.
        suffix = Path(part.filename or "").suffix
        descriptor, name = tempfile.mkstemp(
            dir=self._directory, suffix=suffix if _SUFFIX.match(suffix) else ""
        )
        with os.fdopen(descriptor, "wb") as target:
            with contextlib.suppress(OSError, ValueError):
                part.stream.seek(0)
            shutil.copyfileobj(part.stream, target)
        return UploadedFile(
            name=part.field,
            filename=name,
            content_type=part.content_type,
            original_filename=part.filename,
        )

    def convert(self, value: Any) -> Any:
        """``value`` with every :class:`FilePart` (also inside lists) saved and replaced."""
        if isinstance(value, FilePart):
            return self.save(value)
        if isinstance(value, list):
            return [self.convert(item) for item in value]
        return value

    def cleanup(self) -> None:
        """Remove the folder and everything in it."""
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None


def uploads_to_markers(value: Any) -> Any:
    """Replace ``UploadedFile`` values (also in lists) by JSON markers for storage."""
    if isinstance(value, UploadedFile):
        return {UPLOAD_MARKER: list(value)}
    if isinstance(value, list):
        return [uploads_to_markers(item) for item in value]
    return value


def restore_uploads(value: Any, *, moved_to: Path | None = None) -> Any:
    """Turn markers back into ``UploadedFile`` values.

    Args:
        value: A stored raw value.
        moved_to: If given, each file is moved into this folder first.
    """
    if isinstance(value, dict) and set(value) == {UPLOAD_MARKER}:
        name, filename, content_type, original = value[UPLOAD_MARKER]
        if moved_to is not None and filename and Path(filename).exists():
            moved_to.mkdir(parents=True, exist_ok=True)
            target = moved_to / Path(filename).name
            shutil.move(filename, target)
            filename = str(target)
        return UploadedFile(name, filename, content_type, original)
    if isinstance(value, list):
        return [restore_uploads(item, moved_to=moved_to) for item in value]
    return value
