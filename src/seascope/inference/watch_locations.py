"""Where the watcher reads new files and writes one output per file: folders or URLs."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from seascope.errors import ConfigError
from seascope.inference.batch_inputs import is_url, read_local_file, walk_files
from seascope.inference.input_refs import is_hidden, takes_name

__all__ = [
    "Destination",
    "LocalDestination",
    "LocalSource",
    "RemoteDestination",
    "RemoteSource",
    "Source",
    "WatchedFile",
    "open_destination",
    "open_source",
]


@dataclass(frozen=True, slots=True)
class WatchedFile:
    """A file in the watched location.

    Attributes:
        name: Its ``/``-separated name relative to the watched folder.
        version: Changes whenever the file does (size and modification time, or ETag).
        age: Seconds since it was last modified, when known.
        read: Returns its bytes (raises ``InvalidInput``).
    """

    name: str
    version: str
    age: float | None
    read: Callable[[], bytes]


class Source(Protocol):
    """A watched location."""

    def files(self) -> Iterator[WatchedFile]:
        """The files there now (streamed)."""
        ...


class Destination(Protocol):
    """Where outputs go."""

    def write(self, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` (atomically where possible); returns where it went."""
        ...


class LocalSource:
    """A local folder, walked recursively; ``skip`` (the output folder) is left out."""

    def __init__(self, folder: Path, *, skip: Path | None, all_files: bool, max_bytes: int):
        if not folder.is_dir():
            raise ConfigError(f"--in {folder}: no such folder")
        self.folder = folder
        self._skip = skip.resolve() if skip is not None else None
        self._all_files = all_files
        self._max_bytes = max_bytes

    def files(self) -> Iterator[WatchedFile]:
        """Image files below the folder, with their stat as version."""
        now = time.time()
        for path in walk_files(self.folder):
            if not takes_name(path.name, all_files=self._all_files):
                continue
            if self._skip is not None and path.resolve().is_relative_to(self._skip):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            yield WatchedFile(
                name=path.relative_to(self.folder).as_posix(),
                version=f"{stat.st_size}:{stat.st_mtime_ns}",
                age=now - stat.st_mtime,
                read=_local_reader(path, self._max_bytes),
            )


class RemoteSource:
    """An fsspec URL (a bucket prefix, a WebDAV folder ...)."""

    def __init__(self, url: str, *, all_files: bool, max_bytes: int) -> None:
        from seascope.inference.batch_remote import open_url_filesystem

        self.url = url
        self._filesystem, self._root = open_url_filesystem(url)
        self._all_files = all_files
        self._max_bytes = max_bytes

    def files(self) -> Iterator[WatchedFile]:
        """Files below the URL, with size and ETag (or modification time) as version."""
        from seascope.inference.batch_remote import remote_reader

        root = self._root.rstrip("/")
        listing: dict[str, Any] = self._filesystem.find(root, detail=True)
        for path in sorted(listing):
            info = listing[path]
            name = path[len(root) + 1 :] if path.startswith(root + "/") else path
            if is_hidden(name) or not takes_name(name, all_files=self._all_files):
                continue
            stamp = next(
                (
                    info[k]
                    for k in ("ETag", "etag", "mtime", "LastModified", "created")
                    if k in info
                ),
                "",
            )
            yield WatchedFile(
                name=name,
                version=f"{info.get('size')}:{stamp}",
                age=None,
                read=remote_reader(
                    self._filesystem,
                    path,
                    self._filesystem.unstrip_protocol(path),
                    self._max_bytes,
                ),
            )


class LocalDestination:
    """A local folder; each output is written to a temporary file and renamed."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder

    def write(self, name: str, data: bytes) -> str:
        """Write ``folder/name`` atomically."""
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        return str(target)


class RemoteDestination:
    """An fsspec URL; object stores make each upload visible at once when complete."""

    def __init__(self, url: str) -> None:
        from seascope.inference.batch_remote import open_url_filesystem

        self.url = url
        self._filesystem, root = open_url_filesystem(url)
        self._root = root.rstrip("/")

    def write(self, name: str, data: bytes) -> str:
        """Upload ``name`` below the URL."""
        path = f"{self._root}/{name}"
        parent = path.rsplit("/", 1)[0]
        # Object stores have no folders to make.
        with contextlib.suppress(OSError, NotImplementedError):
            self._filesystem.makedirs(parent, exist_ok=True)
        self._filesystem.pipe_file(path, data)
        return str(self._filesystem.unstrip_protocol(path))


def open_source(spec: str, *, skip: str | None, all_files: bool, max_bytes: int) -> Source:
    """The watched location named by ``spec`` (a folder or a URL)."""
    if is_url(spec):
        return RemoteSource(spec, all_files=all_files, max_bytes=max_bytes)
    skipped = Path(skip) if skip is not None and not is_url(skip) else None
    return LocalSource(Path(spec), skip=skipped, all_files=all_files, max_bytes=max_bytes)


def open_destination(spec: str) -> Destination:
    """The output location named by ``spec`` (a folder, created if needed, or a URL)."""
    if is_url(spec):
        return RemoteDestination(spec)
    return LocalDestination(Path(spec))


def _local_reader(path: Path, max_bytes: int) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_local_file(path, max_bytes)

    return read
