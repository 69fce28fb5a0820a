"""``EntryStore``: imported catalog entries, one JSON file each in a folder.

Files are written atomically (a temporary file in the same folder, flushed, then
renamed), so a reader — another process, the server while the CLI imports — sees the old
or the new entry, never half of one. A file that cannot be read becomes a problem in the
listing instead of breaking it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from seascope.catalog.entry import ENTRY_ID_PATTERN, CatalogEntry
from seascope.catalog.errors import CatalogEntryNotFound

__all__ = ["EntryStore", "StoreProblem"]

_SUFFIX = ".json"
_ID = re.compile(ENTRY_ID_PATTERN)


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """A stored entry that could not be read, and why.

    ``source`` is the file's name only: problems are shown to API callers, who need not
    learn the server's folders.
    """

    source: str
    message: str


class EntryStore:
    """The imported entries kept in ``folder`` (created on the first write).

    Example:
        >>> import tempfile
        >>> store = EntryStore(Path(tempfile.mkdtemp()) / "catalog")
        >>> store.entries()
        []
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_of(self, entry_id: str) -> Path:
        """The file of the entry ``entry_id``.

        Raises:
            CatalogEntryNotFound: ``entry_id`` is not a valid id (so it cannot name a
                file outside the folder).
        """
        if not _ID.match(entry_id):
            raise CatalogEntryNotFound(f"no catalog entry {entry_id!r} (not a valid id)")
        return self.folder / f"{entry_id}{_SUFFIX}"

    def entries(self) -> list[CatalogEntry]:
        """Every readable stored entry, by id."""
        return self._scan()[0]

    def problems(self) -> list[StoreProblem]:
        """Stored files that could not be read."""
        return self._scan()[1]

    def get(self, entry_id: str) -> CatalogEntry:
        """The stored entry ``entry_id``.

        Raises:
            CatalogEntryNotFound: no such entry is stored (or it cannot be read).
        """
        path = self.path_of(entry_id)
        try:
            entry = self._read(path)
        except (OSError, ValidationError) as exc:
            raise CatalogEntryNotFound(f"no catalog entry {entry_id!r}") from exc
        if entry.id != entry_id or entry.source != "imported":
            raise CatalogEntryNotFound(f"no catalog entry {entry_id!r} (its file is not usable)")
        return entry

    def contains(self, entry_id: str) -> bool:
        """True when a file for ``entry_id`` exists."""
        return bool(_ID.match(entry_id)) and self.path_of(entry_id).is_file()

    def save(self, entry: CatalogEntry) -> Path:
        """Write ``entry`` atomically, replacing a stored entry of the same id."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = entry.model_dump_json(by_alias=True, indent=2) + "\n"
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{entry.id}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            target = self.path_of(entry.id)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return target

    def delete(self, entry_id: str) -> None:
        """Remove the stored entry ``entry_id``.

        Raises:
            CatalogEntryNotFound: no such entry is stored.
        """
        try:
            self.path_of(entry_id).unlink()
        except FileNotFoundError:
            raise CatalogEntryNotFound(f"no imported catalog entry {entry_id!r}") from None

    def _scan(self) -> tuple[list[CatalogEntry], list[StoreProblem]]:
        entries: list[CatalogEntry] = []
        problems: list[StoreProblem] = []
        if not self.folder.is_dir():
            return entries, problems
        for path in sorted(self.folder.glob(f"*{_SUFFIX}")):
            if path.name.startswith("."):
                continue
            try:
                entry = self._read(path)
            except (OSError, ValidationError) as exc:
                problems.append(StoreProblem(path.name, _explain(exc)))
                continue
            if path.name != f"{entry.id}{_SUFFIX}":
                problems.append(
                    StoreProblem(path.name, f"holds entry {entry.id!r}, not {path.stem!r}")
                )
                continue
            if entry.source != "imported":
                problems.append(StoreProblem(path.name, "not an imported entry"))
                continue
            entries.append(entry)
        return entries, problems

    @staticmethod
    def _read(path: Path) -> CatalogEntry:
        return CatalogEntry.model_validate_json(path.read_bytes())


def _explain(exc: OSError | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "entry"
        return f"not a catalog entry ({exc.error_count()} errors; first: {where}: {first['msg']})"
    return f"cannot read: {exc.strerror or type(exc).__name__}"
