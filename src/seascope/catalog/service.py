"""``Catalog``: the installed modules and the imported ai4-metadata entries, searchable.

Installed entries come from the module registry each time the catalog is built; imported
ones live in a folder (``<home>/catalog/*.json``) and are read on each call, so entries
imported by another process (``seascope catalog import`` next to a running server) show
up at once. The same holds for the trained model packages of installed entries
(``model_packages``), read from a :class:`~seascope.catalog.packages.PackageShelf` on each
call.
"""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from seascope.catalog.ai4_files import (
    MetadataFormat,
    dump_ai4_metadata,
    format_of,
    parse_ai4_metadata,
    read_ai4_metadata,
)
from seascope.catalog.ai4_metadata import ai4_metadata_from_entry, entry_from_ai4_metadata
from seascope.catalog.entry import CatalogEntry, EntrySource, ModelPackageRef
from seascope.catalog.errors import CatalogEntryNotFound, ModelPackageNotFound
from seascope.catalog.installed import entry_from_manifest
from seascope.catalog.packages import PackageShelf
from seascope.catalog.search import CatalogQuery, sort_entries
from seascope.catalog.store import EntryStore
from seascope.errors import InvalidInput
from seascope.modules import ModuleRegistry
from seascope.types import JsonValue

__all__ = ["RESERVED_IDS", "Catalog", "CatalogProblem"]

RESERVED_IDS = frozenset({"import", "modules", "tools", "detail", "tags"})
"""Ids an imported entry may not take: they name (or may name) catalog routes."""


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """Something that could not become a catalog entry: a broken module or stored file."""

    source: str
    message: str


class Catalog:
    """Every model this platform knows: installed modules first, then imported entries.

    Build one in a composition root (the server, a CLI command) and pass it down.

    Example:
        >>> import tempfile
        >>> catalog = Catalog.open(
        ...     registry=ModuleRegistry.from_entry_points(),
        ...     folder=Path(tempfile.mkdtemp()) / "catalog",
        ... )
        >>> catalog.get("reference").source
        'installed'
        >>> [e.id for e in catalog.search(text="CENTROID", tags_any=["ifcb*"])]
        ['reference']
    """

    def __init__(
        self,
        *,
        installed: Iterable[CatalogEntry] = (),
        store: EntryStore,
        problems: Iterable[CatalogProblem] = (),
        packages: PackageShelf | None = None,
    ) -> None:
        self._installed = {entry.id: entry for entry in installed}
        self._store = store
        self._problems = list(problems)
        self._packages = packages

    @classmethod
    def open(
        cls, *, registry: ModuleRegistry, folder: Path, packages: Path | None = None
    ) -> Catalog:
        """The catalog of ``registry``'s modules plus the entries imported into ``folder``.

        Args:
            registry: The installed modules.
            folder: Where imported entries are kept (``<home>/catalog``).
            packages: Where trained model packages are published (``<home>/packages``);
                ``None`` lists none.
        """
        return cls(
            installed=[entry_from_manifest(m) for m in registry.manifests()],
            store=EntryStore(folder),
            problems=[CatalogProblem(p.source, p.message) for p in registry.problems],
            packages=PackageShelf(packages) if packages is not None else None,
        )

    @property
    def folder(self) -> Path:
        """Where imported entries are kept."""
        return self._store.folder

    @property
    def packages_folder(self) -> Path | None:
        """Where trained model packages are published (``None``: packages are not listed)."""
        return self._packages.folder if self._packages is not None else None

    def problems(self) -> builtins.list[CatalogProblem]:
        """Modules that could not be read, and stored entries and published packages that
        could not be loaded."""
        stored = [CatalogProblem(p.source, p.message) for p in self._store.problems()]
        shelved = (
            [CatalogProblem(p.source, p.message) for p in self._packages.problems()]
            if self._packages is not None
            else []
        )
        return [*self._problems, *stored, *shelved]

    def list(self) -> list[CatalogEntry]:
        """Every entry: installed first, then by title.

        An imported entry whose id is now taken by an installed module is hidden.
        """
        imported = [e for e in self._store.entries() if e.id not in self._installed]
        installed = [self._with_packages(entry) for entry in self._installed.values()]
        return sort_entries([*installed, *imported])

    def search(
        self,
        *,
        text: str = "",
        task: str = "",
        data_type: str = "",
        library: str = "",
        source: EntrySource | None = None,
        tags: Sequence[str] = (),
        tags_any: Sequence[str] = (),
        not_tags: Sequence[str] = (),
        not_tags_any: Sequence[str] = (),
    ) -> builtins.list[CatalogEntry]:
        """The entries matching every criterion given (see :class:`CatalogQuery`)."""
        query = CatalogQuery(
            text=text,
            task=task,
            data_type=data_type,
            library=library,
            source=source,
            tags=tuple(tags),
            tags_any=tuple(tags_any),
            not_tags=tuple(not_tags),
            not_tags_any=tuple(not_tags_any),
        )
        return self.find(query)

    def find(self, query: CatalogQuery) -> builtins.list[CatalogEntry]:
        """The entries matching ``query``, installed first, then by title."""
        return [entry for entry in self.list() if query.matches(entry)]

    def get(self, entry_id: str) -> CatalogEntry:
        """The entry ``entry_id``.

        Raises:
            CatalogEntryNotFound: no entry has that id.
        """
        if entry_id in self._installed:
            return self._with_packages(self._installed[entry_id])
        if entry_id not in RESERVED_IDS and self._store.contains(entry_id):
            return self._store.get(entry_id)
        known = [*self._installed, *(e.id for e in self._store.entries())]
        close = difflib.get_close_matches(entry_id, known, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise CatalogEntryNotFound(f"no catalog entry {entry_id!r} ({len(known)} entries){hint}")

    def packages(self, entry_id: str) -> builtins.list[ModelPackageRef]:
        """The trained model packages published for ``entry_id``, newest first.

        Raises:
            CatalogEntryNotFound: no entry has that id.
        """
        return builtins.list(self.get(entry_id).model_packages)

    def package_card(self, entry_id: str, version: str) -> dict[str, JsonValue]:
        """The ``model-card.json`` of ``entry_id``'s published package ``version``.

        Raises:
            CatalogEntryNotFound: no entry has that id.
            ModelPackageNotFound: the entry has no package of that version.
        """
        entry = self.get(entry_id)
        if not entry.is_installed or entry.module is None or self._packages is None:
            raise ModelPackageNotFound(
                f"catalog entry {entry_id!r} has no published model packages here"
            )
        return self._packages.card(entry.module, version)

    def import_file(self, path: Path, *, entry_id: str | None = None) -> CatalogEntry:
        """Import the ai4-metadata file at ``path`` (YAML or JSON), replacing an imported
        entry of the same id.

        Raises:
            Ai4MetadataInvalid: the file is not valid ai4-metadata v2 (every problem listed).
            InvalidInput: the id is taken by an installed module or reserved.
            PayloadTooLarge: the file is too large to be ai4-metadata.
        """
        document = read_ai4_metadata(path)
        return self._add(entry_from_ai4_metadata(document, entry_id=entry_id, source=path.name))

    def import_bytes(
        self,
        data: bytes,
        *,
        filename: str = "<upload>",
        fmt: MetadataFormat | None = None,
        entry_id: str | None = None,
    ) -> CatalogEntry:
        """Import an uploaded ai4-metadata file (see :meth:`import_file`).

        The format is ``fmt``, else the one ``filename``'s suffix names (``.json``,
        ``.yml``), else guessed from the content.
        """
        document = parse_ai4_metadata(data, source=filename, fmt=fmt or format_of(filename))
        return self._add(entry_from_ai4_metadata(document, entry_id=entry_id, source=filename))

    def remove(self, entry_id: str) -> CatalogEntry:
        """Remove the imported entry ``entry_id`` and return it.

        Raises:
            CatalogEntryNotFound: no entry has that id.
            InvalidInput: the entry is an installed module (uninstall its package instead).
        """
        entry = self.get(entry_id)
        if entry.is_installed:
            raise InvalidInput(
                f"catalog entry {entry_id!r} is the installed module {entry.module!r}; "
                "it leaves the catalog when its package is uninstalled"
            )
        self._store.delete(entry_id)
        return entry

    def export(self, entry_id: str) -> dict[str, JsonValue]:
        """The entry ``entry_id`` as an ai4-metadata 2.3.0 document."""
        return ai4_metadata_from_entry(self.get(entry_id))

    def export_text(self, entry_id: str, fmt: MetadataFormat = "yaml") -> str:
        """The entry ``entry_id`` as an ai4-metadata 2.3.0 file (YAML or JSON text)."""
        return dump_ai4_metadata(self.export(entry_id), fmt)

    def _with_packages(self, entry: CatalogEntry) -> CatalogEntry:
        if self._packages is None or entry.module is None:
            return entry
        packages = tuple(self._packages.list(entry.module))
        return entry.model_copy(update={"model_packages": packages}) if packages else entry

    def _add(self, entry: CatalogEntry) -> CatalogEntry:
        if entry.id in self._installed:
            raise InvalidInput(
                f"catalog id {entry.id!r} is taken by an installed module; import under "
                "another id (--id, or the 'id' parameter)"
            )
        if entry.id in RESERVED_IDS:
            raise InvalidInput(f"catalog id {entry.id!r} is reserved; choose another id")
        self._store.save(entry)
        return entry
