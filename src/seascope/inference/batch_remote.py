"""Batch inputs behind fsspec URLs: ``s3://``, ``webdav://``, ``file://``, ``memory://`` ...

fsspec is optional (``pip install 'seascope[remote]'``, plus the protocol's own package,
such as ``s3fs`` or ``webdav4``). A URL may name one file, a folder (walked recursively),
a glob (``s3://bucket/run7/**/*.png``) or a ``.zip`` archive (read through a seekable
remote file; only the central directory and the wanted entries are fetched).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from seascope.errors import ConfigError, InvalidInput, PayloadTooLarge
from seascope.inference.batch_zip import count_zip_inputs, iter_zip_inputs
from seascope.inference.input_refs import InputRef, is_hidden, takes_name
from seascope.inference.optional_imports import import_optional

__all__ = ["count_remote_inputs", "iter_remote_inputs", "open_url_filesystem", "remote_reader"]


def open_url_filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem of ``url`` and the path inside it.

    Raises:
        ConfigError: fsspec, or the package of the URL's protocol, is not installed.
    """
    fsspec = import_optional("fsspec", extra="remote", purpose=f"reading {url}")
    try:
        filesystem, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise ConfigError(f"{url}: cannot open this URL ({exc})") from exc
    return filesystem, str(path)


def iter_remote_inputs(
    url: str, *, wanted: Callable[[str], bool], all_files: bool, max_bytes: int
) -> Iterator[InputRef]:
    """Yield the inputs behind ``url`` (see the module docstring for what it may name).

    Raises:
        ConfigError: fsspec is missing, or the URL names nothing.
    """
    filesystem, path = open_url_filesystem(url)
    for kind, found in _listing(filesystem, path, url, all_files=all_files):
        if kind == "zip":
            label = filesystem.unstrip_protocol(found)
            with filesystem.open(found, "rb") as archive:
                yield from iter_zip_inputs(
                    archive, label, wanted=wanted, all_files=all_files, max_bytes=max_bytes
                )
            continue
        key = filesystem.unstrip_protocol(found)
        if wanted(key):
            yield InputRef(key, remote_reader(filesystem, found, key, max_bytes))


def count_remote_inputs(url: str, *, all_files: bool) -> int:
    """How many inputs :func:`iter_remote_inputs` would yield (lists, reads no images)."""
    filesystem, path = open_url_filesystem(url)
    total = 0
    for kind, found in _listing(filesystem, path, url, all_files=all_files):
        if kind == "zip":
            with filesystem.open(found, "rb") as archive:
                total += count_zip_inputs(archive, all_files=all_files)
        else:
            total += 1
    return total


def _listing(filesystem: Any, path: str, url: str, *, all_files: bool) -> Iterator[tuple[str, str]]:
    """``("zip" | "file", path)`` for everything ``path`` names."""
    if any(character in path for character in "*?["):
        for match in filesystem.glob(path):
            if filesystem.isdir(match):
                yield from _walk(filesystem, match, all_files)
            elif takes_name(match.rsplit("/", 1)[-1], all_files=all_files):
                yield ("zip" if match.lower().endswith(".zip") else "file", match)
        return
    if filesystem.isdir(path):
        yield from _walk(filesystem, path, all_files)
    elif filesystem.exists(path):
        yield ("zip" if path.lower().endswith(".zip") else "file", path)
    else:
        raise ConfigError(f"{url}: no such file or folder")


def _walk(filesystem: Any, top: str, all_files: bool) -> Iterator[tuple[str, str]]:
    root_length = len(top.rstrip("/")) + 1
    for root, folders, files in filesystem.walk(top):
        # Pruning in place stops fsspec from descending into hidden folders.
        folders[:] = sorted(f for f in folders if not is_hidden(f))
        for name in sorted(files):
            full = f"{root.rstrip('/')}/{name}"
            relative = full[root_length:]
            if not is_hidden(relative) and takes_name(name, all_files=all_files):
                yield ("file", full)


def remote_reader(filesystem: Any, path: str, key: str, max_bytes: int) -> Callable[[], bytes]:
    """A reader of one remote file; any backend error becomes ``InvalidInput``."""

    def read() -> bytes:
        try:
            size = filesystem.size(path)
            if size is not None and size > max_bytes:
                raise PayloadTooLarge(f"{key}: larger than {max_bytes / 2**20:.0f} MiB; not read")
            data = filesystem.cat_file(path)
        except InvalidInput:
            raise
        except FileNotFoundError as exc:
            raise InvalidInput(f"{key}: no such file (removed while the run went on?)") from exc
        except Exception as exc:  # noqa: BLE001 - fsspec backends raise anything; one input fails
            raise InvalidInput(f"{key}: cannot read ({type(exc).__name__}: {exc})") from exc
        return bytes(data)

    return read
