"""Where the inputs of a batch run come from: files, folders, globs, zip archives, URLs.

:func:`iter_inputs` turns command-line specs into a *generator* of :class:`InputRef`, so a
run over a million files never holds the list in memory. Rules:

- a file named explicitly is always read, whatever its suffix;
- files found by walking a folder (recursively), expanding a glob or listing a zip
  archive are read when their suffix is an image suffix (every file with ``all_files``);
  hidden files and folders (``.name``) and ``__MACOSX`` are left out;
- a spec with a scheme (``s3://``, ``webdav://``, ``file://``, ``memory://`` ...) goes
  through fsspec (:mod:`seascope.inference.batch_remote`).

Reading problems never stop a run: the ref's :attr:`InputRef.read` raises
:class:`~seascope.errors.InvalidInput`, and the run records the input as an error.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from seascope.errors import ConfigError, InvalidInput, PayloadTooLarge
from seascope.inference.batch_zip import count_zip_inputs, iter_zip_inputs
from seascope.inference.input_refs import DEFAULT_MAX_INPUT_BYTES, InputRef, takes_name

__all__ = [
    "check_specs",
    "count_inputs",
    "has_glob",
    "is_url",
    "iter_inputs",
    "read_local_file",
    "walk_files",
]

_GLOB_CHARACTERS = frozenset("*?[")


def is_url(spec: str) -> bool:
    """Whether ``spec`` is a URL (``scheme://...``) rather than a local path or glob."""
    scheme, separator, _ = spec.partition("://")
    return bool(separator) and scheme.replace("+", "").replace("-", "").isalnum()


def has_glob(spec: str) -> bool:
    """Whether ``spec`` holds glob characters (``*``, ``?``, ``[``)."""
    return any(character in _GLOB_CHARACTERS for character in spec)


def check_specs(specs: Iterable[str]) -> None:
    """Refuse local specs that name nothing, before a run starts.

    A mistyped folder should stop the command, not produce a results file with one error.
    Globs are checked lazily (an empty glob only logs a warning) and URLs when listed.

    Raises:
        ConfigError: a local path does not exist.
    """
    missing = [s for s in specs if not is_url(s) and not has_glob(s) and not Path(s).exists()]
    if missing:
        raise ConfigError("no such file or folder: " + ", ".join(missing))


def iter_inputs(
    specs: Iterable[str],
    *,
    wanted: Callable[[str], bool] | None = None,
    all_files: bool = False,
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES,
) -> Iterator[InputRef]:
    """Yield the inputs named by ``specs``, lazily, in the order found.

    Args:
        specs: Files, folders, globs (``data/**/*.png``), ``.zip`` archives or URLs.
        wanted: Called with each key before anything is read; ``False`` leaves the input
            out (a resumed run passes "not done yet"). Default: every input.
        all_files: Take every file found, not only image suffixes.
        max_bytes: Largest file read; a larger one becomes an error.

    Raises:
        ConfigError: a URL needs fsspec (or a protocol package) that is not installed.
    """
    keep = wanted if wanted is not None else _always
    for spec in specs:
        if is_url(spec):
            from seascope.inference.batch_remote import iter_remote_inputs

            yield from iter_remote_inputs(
                spec, wanted=keep, all_files=all_files, max_bytes=max_bytes
            )
        elif has_glob(spec) and not Path(spec).exists():
            for match in glob.iglob(spec, recursive=True):
                yield from _local(Path(match), keep, all_files, max_bytes, named=False)
        else:
            yield from _local(Path(spec), keep, all_files, max_bytes, named=True)


def count_inputs(specs: Iterable[str], *, all_files: bool = False) -> int:
    """How many inputs :func:`iter_inputs` would yield (reads no image data).

    Used to give the progress bar a total while the run has already started.
    """
    total = 0
    for spec in specs:
        if is_url(spec):
            from seascope.inference.batch_remote import count_remote_inputs

            total += count_remote_inputs(spec, all_files=all_files)
        elif has_glob(spec) and not Path(spec).exists():
            for match in glob.iglob(spec, recursive=True):
                total += _count_local(Path(match), all_files, named=False)
        else:
            total += _count_local(Path(spec), all_files, named=True)
    return total


def _always(_: str) -> bool:
    return True


def _local(
    path: Path, wanted: Callable[[str], bool], all_files: bool, max_bytes: int, *, named: bool
) -> Iterator[InputRef]:
    if path.is_dir():
        for file in walk_files(path):
            if takes_name(file.name, all_files=all_files):
                key = str(file)
                if wanted(key):
                    yield InputRef(key, _file_reader(file, max_bytes))
    elif path.suffix.lower() == ".zip" and path.is_file():
        yield from iter_zip_inputs(
            path, str(path), wanted=wanted, all_files=all_files, max_bytes=max_bytes
        )
    elif named or takes_name(path.name, all_files=all_files):
        key = str(path)
        if wanted(key):
            yield InputRef(key, _file_reader(path, max_bytes))


def _count_local(path: Path, all_files: bool, *, named: bool) -> int:
    if path.is_dir():
        return sum(1 for file in walk_files(path) if takes_name(file.name, all_files=all_files))
    if path.suffix.lower() == ".zip" and path.is_file():
        return count_zip_inputs(path, all_files=all_files)
    return int(named or takes_name(path.name, all_files=all_files))


def walk_files(folder: Path) -> Iterator[Path]:
    """Files below ``folder``, streamed (no listing is held in memory).

    Hidden entries are left out; links to folders are not followed (no cycles), links
    to files are.
    """
    subfolders: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name == "__MACOSX":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(Path(entry.path))
                elif entry.is_file():
                    yield Path(entry.path)
    except OSError:
        # A folder that vanished or cannot be listed has no inputs; the others go on.
        return
    for subfolder in sorted(subfolders):
        yield from walk_files(subfolder)


def _file_reader(path: Path, max_bytes: int) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_local_file(path, max_bytes)

    return read


def read_local_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, or an :class:`InvalidInput` naming the problem."""
    try:
        with path.open("rb") as file:
            # read(n) allocates n bytes up front: asking for max_bytes + 1 (512 MiB) for a
            # 20 kB crop cost ~0.1-1 ms per file in page faults. The file's size sets the
            # request instead (special files that report 0 still get the full limit).
            size = os.fstat(file.fileno()).st_size
            data = file.read((min(size, max_bytes) if size else max_bytes) + 1)
            if size and size < len(data) <= max_bytes:  # it grew since fstat: read the rest
                data += file.read(max_bytes + 1 - len(data))
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{path}: is a folder, not an image file") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{path}: larger than {max_bytes / 2**20:.0f} MiB; not read")
    return data
