"""Extract a dataset archive without trusting it.

Every entry name is checked before anything is written: absolute names, drive letters,
``..`` parts (zip-slip), symbolic links and encrypted entries refuse the whole archive.
The total uncompressed size is capped twice: by the sizes the archive declares, and by
the bytes actually written (a forged header cannot get past the second count).
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
import zlib
from pathlib import Path

from seascope.errors import DatasetError

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "checked_entry_name",
    "extract_zip",
]

DEFAULT_MAX_UNCOMPRESSED_BYTES = 8 * 1024**3
"""8 GiB: far above an EcoTaxa export of a few hundred thousand crops."""

DEFAULT_MAX_ENTRIES = 1_000_000
"""Most files one archive may hold."""

_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


def extract_zip(
    archive: Path,
    destination: Path,
    *,
    max_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> list[str]:
    """Extract the regular files of ``archive`` below ``destination``.

    Args:
        archive: The ``.zip`` file.
        destination: The folder to extract into (created if needed; existing files with
            the same names are overwritten).
        max_bytes: Largest total uncompressed size accepted.
        max_entries: Most entries accepted.

    Returns:
        The extracted files' POSIX paths relative to ``destination``, in archive order.

    Raises:
        DatasetError: the file is not a zip archive, an entry is unsafe (absolute, with
            ``..``, a link, encrypted), or the archive is larger than allowed. Nothing is
            written when an entry name is unsafe; files written before a size overrun are
            removed.

    Example:
        >>> extract_zip(Path("export.zip"), Path("export"))  # doctest: +SKIP
        ['ecotaxa_export.tsv', 'images/a.jpg']
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = _checked_members(bundle, archive, max_bytes, max_entries)
            return _extract(bundle, members, archive, destination, max_bytes)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DatasetError(f"{archive}: not a readable zip archive ({exc})") from exc
    except FileNotFoundError as exc:
        raise DatasetError(f"zip archive not found: {archive}") from exc


def _checked_members(
    bundle: zipfile.ZipFile, archive: Path, max_bytes: int, max_entries: int
) -> list[tuple[zipfile.ZipInfo, str]]:
    infos = bundle.infolist()
    if len(infos) > max_entries:
        raise DatasetError(
            f"{archive}: {len(infos)} entries is more than the limit of {max_entries}"
        )
    members: list[tuple[zipfile.ZipInfo, str]] = []
    declared = 0
    for info in infos:
        name = checked_entry_name(info, archive)
        if name is None:
            continue
        declared += info.file_size
        members.append((info, name))
    if declared > max_bytes:
        raise DatasetError(
            f"{archive}: {declared / 1e6:.1f} MB uncompressed is above the limit of "
            f"{max_bytes / 1e6:.1f} MB"
        )
    return members


def checked_entry_name(info: zipfile.ZipInfo, archive: Path) -> str | None:
    """The normalised relative name of a file entry; ``None`` for a folder entry."""
    raw = info.filename
    name = raw.replace("\\", "/")
    if "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        raise DatasetError(f"{archive}: refusing absolute entry name {raw!r}")
    if ".." in name.split("/"):
        raise DatasetError(f"{archive}: refusing entry {raw!r} with '..' (zip-slip)")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise DatasetError(f"{archive}: refusing symbolic link entry {raw!r}")
    if info.flag_bits & 0x1:
        raise DatasetError(f"{archive}: entry {raw!r} is encrypted")
    if info.is_dir() or name.endswith("/"):
        return None
    normal = posixpath.normpath(name)
    return None if normal == "." else normal


def _extract(
    bundle: zipfile.ZipFile,
    members: list[tuple[zipfile.ZipInfo, str]],
    archive: Path,
    destination: Path,
    max_bytes: int,
) -> list[str]:
    destination.mkdir(parents=True, exist_ok=True)
    top = destination.resolve()
    written: list[Path] = []
    total = 0
    try:
        for info, name in members:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.resolve().is_relative_to(top):
                # A folder that already exists under destination links elsewhere.
                raise DatasetError(f"{archive}: entry {name!r} would be written outside {top}")
            with bundle.open(info) as source, target.open("wb") as sink:
                written.append(target)
                while chunk := source.read(_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise DatasetError(
                            f"{archive}: more than {max_bytes / 1e6:.1f} MB uncompressed "
                            "(the archive declares less; refusing it)"
                        )
                    sink.write(chunk)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [name for _, name in members]
