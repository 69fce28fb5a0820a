"""Catalog entries to and from ai4-metadata v2 documents.

Import validates against the real 2.3.0 schema first, so every schema error is reported
at once, with its JSON path. Export writes a 2.3.0 document that validates. Keys the
schema does not define are kept: those seascope understands (``id``, ``version``,
``license``, ``authors``, ``citation``) become entry fields, the rest go to
``CatalogEntry.extra`` and are written back unchanged, so import → export → import gives
the same entry.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from seascope.catalog.ai4_schema import (
    FORBIDDEN_V1_KEYS,
    SCHEMA_VERSION,
    check_ai4_metadata,
    json_path,
)
from seascope.catalog.entry import ENTRY_ID_PATTERN, CatalogEntry
from seascope.catalog.errors import Ai4MetadataInvalid, MetadataProblem
from seascope.types import JsonValue

__all__ = ["ai4_metadata_from_entry", "entry_from_ai4_metadata", "entry_id_for"]

# ai4-metadata key -> CatalogEntry field, for keys whose value is copied as is.
_SCHEMA_FIELDS = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "doi": "doi",
    "links": "links",
    "dates": "dates",
    "libraries": "libraries",
    "tasks": "tasks",
    "categories": "categories",
    "tags": "tags",
    "data-type": "data_types",
    "resources": "resources",
}
# Keys outside the schema that seascope reads when they have the expected shape.
_TEXT_EXTENSIONS = ("version", "license", "citation")
_NOT_COPIED = {"metadata_version", "id", "authors", *_SCHEMA_FIELDS, *_TEXT_EXTENSIONS}
_ID_RE = re.compile(ENTRY_ID_PATTERN)


def entry_from_ai4_metadata(
    document: dict[str, JsonValue], *, entry_id: str | None = None, source: str = "<upload>"
) -> CatalogEntry:
    """An imported catalog entry from an ai4-metadata v2 ``document``.

    Args:
        document: The parsed file (see :func:`~seascope.catalog.parse_ai4_metadata`).
        entry_id: The catalog id; by default the document's ``id`` or a name derived
            from its links or title (see :func:`entry_id_for`).
        source: Name used in error messages.

    Raises:
        Ai4MetadataInvalid: the document breaks the schema (every problem listed).
    """
    problems = check_ai4_metadata(document)
    if problems:
        raise Ai4MetadataInvalid(source, problems)
    chosen = entry_id if entry_id is not None else entry_id_for(document)
    if not _ID_RE.match(chosen):
        raise Ai4MetadataInvalid(
            source,
            [
                MetadataProblem(
                    "$.id",
                    f"{chosen!r} is not a usable catalog id: use lower-case letters, digits, "
                    "'.', '_' and '-' (64 at most, starting with a letter or digit)",
                )
            ],
        )
    fields: dict[str, Any] = {
        field: document[key] for key, field in _SCHEMA_FIELDS.items() if key in document
    }
    extra = {key: value for key, value in document.items() if key not in _NOT_COPIED}
    for key in _TEXT_EXTENSIONS:
        value = document.get(key)
        if isinstance(value, str):
            fields[key] = value
        elif key in document:
            extra[key] = document[key]
    authors = document.get("authors")
    if isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        fields["authors"] = authors
    elif "authors" in document:
        extra["authors"] = authors
    try:
        return CatalogEntry.model_validate(
            {**fields, "id": chosen, "source": "imported", "extra": extra}
        )
    except ValidationError as exc:  # the schema allows little that the entry refuses
        raise Ai4MetadataInvalid(
            source,
            [
                MetadataProblem(json_path([str(p) for p in err["loc"]]), err["msg"])
                for err in exc.errors()
            ],
        ) from exc


def ai4_metadata_from_entry(entry: CatalogEntry) -> dict[str, JsonValue]:
    """``entry`` as an ai4-metadata 2.3.0 document (valid against the schema).

    Example:
        >>> from seascope.catalog.entry import EntryLinks
        >>> entry = CatalogEntry(id="demo", title="Demo", summary="A demo.",
        ...     links=EntryLinks(source_code="https://example.org/demo"), source="imported")
        >>> sorted(ai4_metadata_from_entry(entry))[:4]
        ['categories', 'description', 'id', 'libraries']
    """
    document: dict[str, JsonValue] = {
        "metadata_version": SCHEMA_VERSION,
        "title": entry.title,
        "summary": entry.summary,
        "description": entry.description,
    }
    if entry.doi:
        document["doi"] = entry.doi
    if entry.dates is not None:
        document["dates"] = _sparse(entry.dates)
    document["links"] = _sparse(entry.links)
    # The schema wants unique items; entries built in code may repeat some.
    document["tags"] = list(dict.fromkeys(entry.tags))
    document["tasks"] = list(dict.fromkeys(entry.tasks)) or ["Other"]
    document["categories"] = list(dict.fromkeys(entry.categories))
    document["libraries"] = list(dict.fromkeys(entry.libraries)) or ["Other"]
    if entry.data_types:
        document["data-type"] = list(dict.fromkeys(entry.data_types))
    resources = _sparse(entry.resources)
    for phase in ("inference", "training"):
        needs = getattr(entry.resources, phase)
        if needs is not None:
            resources[phase] = _sparse(needs)
    if resources:
        document["resources"] = resources
    document["id"] = entry.id
    for key in _TEXT_EXTENSIONS:
        if getattr(entry, key):
            document[key] = getattr(entry, key)
    if entry.authors:
        document["authors"] = list(entry.authors)
    for key, value in entry.extra.items():
        if key not in FORBIDDEN_V1_KEYS:
            document.setdefault(key, value)
    return document


def entry_id_for(document: dict[str, JsonValue]) -> str:
    """The catalog id of an imported document.

    The document's own ``id`` (AI4OS writes it) when usable; else the last part of
    ``links.source_code`` (the module's repository name, as the AI4OS catalog names
    modules), of ``links.docker_image``, or the title, lower-cased.

    Example:
        >>> entry_id_for({"links": {"source_code": "https://github.com/ai4os-hub/Phyto-X.git"}})
        'phyto-x'
    """
    given = document.get("id")
    if isinstance(given, str) and _ID_RE.match(given):
        return given
    links = document.get("links")
    candidates: list[str] = []
    if isinstance(links, dict):
        for key in ("source_code", "docker_image"):
            value = links.get(key)
            if isinstance(value, str):
                candidates.append(_last_name(value))
    title = document.get("title")
    if isinstance(title, str):
        candidates.append(title)
    for candidate in candidates:
        slug = _slug(candidate)
        if slug:
            return slug
    return "unnamed"


def _last_name(location: str) -> str:
    """``phyto`` from ``https://github.com/org/phyto.git``, ``org/phyto:latest`` or
    ``urn:seascope:module:phyto``."""
    location = location.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if location.lower().startswith("urn:"):
        return location.rsplit(":", 1)[-1]
    tail = location.rsplit("/", 1)[-1]
    if "://" not in location:  # a Docker image: drop its tag
        tail = tail.split(":", 1)[0]
    return tail.removesuffix(".git")


def _sparse(model: BaseModel) -> dict[str, JsonValue]:
    """``model`` as JSON without its unset declared fields (extra keys are all kept)."""
    declared = {info.alias or name for name, info in type(model).model_fields.items()}
    data: dict[str, JsonValue] = model.model_dump(mode="json", by_alias=True)
    return {
        key: value
        for key, value in data.items()
        if key not in declared or (value is not None and not isinstance(value, dict))
    }


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return slug[:64].rstrip("-._")
