"""``CatalogQuery``: filter catalog entries by text, vocabulary terms and tags.

Tag filters keep the AI4OS platform's (OpenStack-style) semantics: ``tags`` = has all
of them, ``tags_any`` = has at least one, ``not_tags`` = does not have all of them,
``not_tags_any`` = has none of them. A pattern may use ``*`` as a wildcard (``plankton*``,
``*plankton``, ``*plankton*``); matching ignores case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from seascope.catalog.entry import CatalogEntry, EntrySource

__all__ = ["CatalogQuery", "sort_entries", "tag_pattern"]


class CatalogQuery(BaseModel):
    """What to look for in the catalog; every given criterion must hold.

    Attributes:
        text: Words that must all appear (in any case) in the title, summary,
            description or tags.
        task: An ai4-metadata task (``Classification``) or a seascope task
            (``image-classification``).
        data_type: An ai4-metadata data type (``Image``).
        library: An ai4-metadata library (``PyTorch``).
        source: ``installed`` or ``imported``.
        tags / tags_any / not_tags / not_tags_any: Tag patterns (see the module doc).

    Example:
        >>> CatalogQuery(text="plankton", tags_any=["ifcb", "flowcam"]).is_empty()
        False
    """

    model_config = ConfigDict(frozen=True)

    text: str = ""
    task: str = ""
    data_type: str = ""
    library: str = ""
    source: EntrySource | None = None
    tags: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    not_tags: tuple[str, ...] = ()
    not_tags_any: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when the query keeps every entry."""
        return self == CatalogQuery()

    def matches(self, entry: CatalogEntry) -> bool:
        """True when ``entry`` satisfies every criterion."""
        if self.source is not None and entry.source != self.source:
            return False
        if self.task and not _has_term(self.task, (*entry.tasks, entry.seascope_task or "")):
            return False
        if self.data_type and not _has_term(self.data_type, entry.data_types):
            return False
        if self.library and not _has_term(self.library, entry.libraries):
            return False
        return self._matches_text(entry) and self._matches_tags(entry.tags)

    def _matches_text(self, entry: CatalogEntry) -> bool:
        words = self.text.casefold().split()
        if not words:
            return True
        haystack = "\n".join(
            [entry.id, entry.title, entry.summary, entry.description, *entry.tags]
        ).casefold()
        return all(word in haystack for word in words)

    def _matches_tags(self, tags: Sequence[str]) -> bool:
        def present(pattern: str) -> bool:
            regex = tag_pattern(pattern)
            return any(regex.fullmatch(tag) for tag in tags)

        if self.tags and not all(map(present, self.tags)):
            return False
        if self.tags_any and not any(map(present, self.tags_any)):
            return False
        if self.not_tags and all(map(present, self.not_tags)):
            return False
        return not (self.not_tags_any and any(map(present, self.not_tags_any)))


def tag_pattern(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regular expression for a tag ``pattern`` where ``*`` is a wildcard.

    Example:
        >>> bool(tag_pattern("*plankton*").fullmatch("Phytoplankton images"))
        True
    """
    parts = (re.escape(part) for part in pattern.strip().split("*"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


def sort_entries(entries: Iterable[CatalogEntry]) -> list[CatalogEntry]:
    """Installed entries first, then by title (ignoring case), then by id."""
    return sorted(entries, key=lambda e: (not e.is_installed, e.title.casefold(), e.id))


def _has_term(wanted: str, terms: Iterable[str]) -> bool:
    folded = wanted.strip().casefold()
    return any(term.casefold() == folded for term in terms)
