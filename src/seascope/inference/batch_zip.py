"""Images inside a zip archive, read one entry at a time (nothing is extracted to disk).

Entry names are checked with the dataset importer's rules
(:mod:`seascope.datasets.formats.safe_zip`): an absolute name, a ``..`` part, a link or
an encrypted entry is *refused* — it becomes an error row naming the entry, and the
other entries are still read. Each entry's uncompressed size is capped while reading,
so a forged header cannot inflate one entry past the limit.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from seascope.errors import DatasetError, InvalidInput, PayloadTooLarge
from seascope.inference.input_refs import InputRef, failing_reader, is_hidden, takes_name

__all__ = ["count_zip_inputs", "iter_zip_inputs", "zip_key"]

ZipSource = Path | BinaryIO


def zip_key(label: str, entry: str) -> str:
    """The key of ``entry`` inside the archive called ``label``: ``label!/entry``."""
    return f"{label}!/{entry}"


def iter_zip_inputs(
    source: ZipSource,
    label: str,
    *,
    wanted: Callable[[str], bool],
    all_files: bool,
    max_bytes: int,
) -> Iterator[InputRef]:
    """Yield the image entries of a zip archive as input refs.

    The bytes of a wanted entry are read here, while the archive is open, so a ref stays
    readable after the archive is closed; the caller reads only ``chunk`` entries ahead.

    Args:
        source: The archive's path, or an open binary file (fsspec).
        label: How the archive is named in keys (its path or URL).
        wanted: Called with each key; ``False`` leaves the entry out unread.
        all_files: Take every entry, not only image suffixes.
        max_bytes: Largest uncompressed entry read.
    """
    safe_name = _entry_name_check()
    try:
        with zipfile.ZipFile(source) as bundle:
            for info in bundle.infolist():
                try:
                    name = safe_name(info, Path(label))
                except DatasetError as exc:
                    key = zip_key(label, info.filename)
                    if wanted(key):
                        yield InputRef(key, failing_reader(InvalidInput(exc.message)))
                    continue
                if name is None or not _takes_entry(name, all_files):
                    continue
                key = zip_key(label, name)
                if wanted(key):
                    yield InputRef(key, _read_entry(bundle, info, key, max_bytes))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        if wanted(label):
            error = InvalidInput(f"{label}: not a readable zip archive ({exc})")
            yield InputRef(label, failing_reader(error))


def count_zip_inputs(source: ZipSource, *, all_files: bool) -> int:
    """How many entries :func:`iter_zip_inputs` would yield (reads only the directory)."""
    safe_name = _entry_name_check()
    total = 0
    try:
        with zipfile.ZipFile(source) as bundle:
            for info in bundle.infolist():
                try:
                    name = safe_name(info, Path("archive"))
                except DatasetError:
                    total += 1
                    continue
                if name is not None and _takes_entry(name, all_files):
                    total += 1
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return 1
    return total


def _entry_name_check() -> Callable[[zipfile.ZipInfo, Path], str | None]:
    """The dataset importer's entry-name check (imported late: datasets is large)."""
    from seascope.datasets.formats.safe_zip import checked_entry_name  # noqa: PLC0415

    return checked_entry_name


def _takes_entry(name: str, all_files: bool) -> bool:
    return not is_hidden(name) and takes_name(name, all_files=all_files)


def _read_entry(
    bundle: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, max_bytes: int
) -> Callable[[], bytes]:
    try:
        if info.file_size > max_bytes:
            raise PayloadTooLarge(f"{key}: larger than {max_bytes / 2**20:.0f} MiB; not read")
        with bundle.open(info) as entry:
            data = entry.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"{key}: larger than its header says; not read")
    except InvalidInput as exc:
        return failing_reader(exc)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        return failing_reader(InvalidInput(f"{key}: cannot read the archive entry ({exc})"))

    def read() -> bytes:
        return data

    return read
