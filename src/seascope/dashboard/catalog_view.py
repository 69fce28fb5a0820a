"""What the catalog page shows: the filters a visitor chose and the values to choose from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seascope.catalog import CatalogEntry, CatalogQuery

__all__ = ["CatalogFilters", "Facets"]


@dataclass(frozen=True)
class CatalogFilters:
    """The catalog page's query parameters (``/?text=plankton&task=Classification``).

    Each filter holds one value, chosen from a list, so a filtered page is an ordinary
    link that works without JavaScript.
    """

    text: str = ""
    task: str = ""
    data_type: str = ""
    library: str = ""
    tag: str = ""

    def query(self) -> CatalogQuery:
        """The catalog search these filters ask for."""
        return CatalogQuery(
            text=self.text,
            task=self.task,
            data_type=self.data_type,
            library=self.library,
            tags=(self.tag,) if self.tag else (),
        )

    @property
    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == CatalogFilters()


@dataclass(frozen=True)
class Facets:
    """The distinct values of each filter over the whole catalog, sorted."""

    tasks: tuple[str, ...]
    data_types: tuple[str, ...]
    libraries: tuple[str, ...]
    tags: tuple[str, ...]

    @classmethod
    def of(cls, entries: Sequence[CatalogEntry]) -> Facets:
        """The values found in ``entries``."""
        return cls(
            tasks=_distinct(term for entry in entries for term in entry.tasks),
            data_types=_distinct(term for entry in entries for term in entry.data_types),
            libraries=_distinct(term for entry in entries for term in entry.libraries),
            tags=_distinct(tag for entry in entries for tag in entry.tags),
        )


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    # Tags differ in case between metadata files ("FlowCam", "flowcam"): show each once.
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(sorted(seen.values(), key=str.casefold))
