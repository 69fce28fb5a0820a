"""Framework-free description of a DEEPaaS argument and where its value is read from.

Both kinds of served models describe their arguments as :class:`ArgumentSpec` objects:
DEEPaaS modules from marshmallow fields, seascope modules from pydantic models. The
Swagger 2.0 document, the request reader and the ``deepaas-cli`` options are all built
from these specs, so the three always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from seascope.errors import InvalidParameters
from seascope.types import JsonValue

__all__ = [
    "MISSING",
    "ArgumentError",
    "ArgumentSpec",
    "FilePart",
    "Location",
    "RequestValues",
    "collect_raw_values",
]


class _Missing:
    """Marker for "the request does not carry this key" (``None`` is a real value)."""

    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
"""Returned by lookups when a key is absent."""


class Location(StrEnum):
    """Where a value may be read from.

    ``any`` is webargs' default order: query string, then form (urlencoded or multipart),
    then JSON body; the first location that has the key wins.
    """

    ANY = "any"
    QUERY = "query"
    FORM = "form"
    JSON = "json"
    HEADERS = "headers"
    COOKIES = "cookies"

    @classmethod
    def parse(cls, value: object) -> Location:
        """Read DEEPaaS/webargs spellings (``querystring``, ``files``, ``header`` ...)."""
        text = str(value or "").strip().lower()
        aliases = {
            "": cls.ANY,
            "query": cls.QUERY,
            "querystring": cls.QUERY,
            "form": cls.FORM,
            "files": cls.FORM,
            "formdata": cls.FORM,
            "json": cls.JSON,
            "body": cls.JSON,
            "headers": cls.HEADERS,
            "header": cls.HEADERS,
            "cookies": cls.COOKIES,
        }
        return aliases.get(text, cls.ANY)

    def order(self) -> tuple[Location, ...]:
        """Locations searched, in order."""
        if self is Location.ANY:
            return (Location.QUERY, Location.FORM, Location.JSON)
        return (self,)


@dataclass(frozen=True, slots=True)
class ArgumentSpec:
    """One argument of ``predict`` or ``train``.

    Attributes:
        name: Keyword the module receives.
        key: Name on the wire (a marshmallow ``data_key``, else ``name``).
        kind: Swagger 2.0 type (``string``, ``integer``, ``number``, ``boolean``,
            ``array``, ``object``, ``file``) or ``None`` for an untyped field.
        required: Whether the request must carry it.
        description: Help text.
        location: Where it is read from.
        multiple: Whether repeated keys make a list (list fields, multi-file fields).
        has_default / default: The documented default (JSON).
        schema: Further Swagger keys (``format``, ``enum``, ``minimum``, ``items`` ...).
    """

    name: str
    key: str
    kind: str | None = "string"
    required: bool = False
    description: str = ""
    location: Location = Location.ANY
    multiple: bool = False
    has_default: bool = False
    default: JsonValue = None
    schema: Mapping[str, JsonValue] = field(default_factory=dict)

    @property
    def is_file(self) -> bool:
        """Whether the argument carries uploaded files."""
        return self.kind == "file"


@dataclass(frozen=True, slots=True)
class FilePart:
    """One uploaded multipart file, still in the request's spool file.

    Attributes:
        field: The multipart field name.
        filename: The client's file name.
        content_type: The part's content type.
        stream: Readable binary stream of the content.
    """

    field: str
    filename: str | None
    content_type: str | None
    stream: IO[bytes]


@dataclass(frozen=True, slots=True)
class RequestValues:
    """What a request carries, by location (multi-valued where HTTP allows repeats).

    Attributes:
        query: Query-string pairs in order.
        form: Form pairs in order; file parts are :class:`FilePart`.
        json: The JSON body when it is an object, else ``None``.
        headers: Header pairs (names lower-cased).
        cookies: Cookies.
    """

    query: Sequence[tuple[str, str]] = ()
    form: Sequence[tuple[str, str | FilePart]] = ()
    json: Mapping[str, JsonValue] | None = None
    headers: Sequence[tuple[str, str]] = ()
    cookies: Mapping[str, str] = field(default_factory=dict)

    def lookup(self, location: Location, key: str, *, multiple: bool) -> Any:
        """The value of ``key`` at ``location``, a list when ``multiple``, or ``MISSING``."""
        if location is Location.JSON:
            if self.json is None or key not in self.json:
                return MISSING
            return self.json[key]
        if location is Location.COOKIES:
            return self.cookies.get(key, MISSING)
        pairs: Sequence[tuple[str, Any]]
        if location is Location.QUERY:
            pairs = self.query
        elif location is Location.FORM:
            pairs = self.form
        else:
            pairs = self.headers
            key = key.lower()
        values = [value for name, value in pairs if name == key]
        if not values:
            return MISSING
        return values if multiple else values[0]


def collect_raw_values(specs: Sequence[ArgumentSpec], values: RequestValues) -> dict[str, Any]:
    """Pick each argument's raw value from the first location that has its key.

    Keys the specs do not name are ignored (DEEPaaS ignores unknown parameters).

    Returns:
        Wire key to raw value (strings, lists, JSON values or :class:`FilePart`).
    """
    raw: dict[str, Any] = {}
    for spec in specs:
        for location in spec.location.order():
            value = values.lookup(location, spec.key, multiple=spec.multiple)
            if value is not MISSING:
                raw[spec.key] = value
                break
    return raw


class ArgumentError(InvalidParameters):
    """Arguments failed validation; ``body`` is DEEPaaS's exact 422 body.

    marshmallow reports errors inside lists as nested mappings (``{"nums": {"1": [...]}}``);
    ``body`` keeps that shape for DEEPaaS clients while ``fields`` (of
    :class:`~seascope.errors.InvalidParameters`) holds the flattened form.

    Args:
        body: Field name to messages, possibly nested.
    """

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body: dict[str, JsonValue] = _jsonable_messages(body)
        flat = dict(_flatten(self.body))
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in flat.items())
        super().__init__(f"invalid arguments: {summary}", flat)

    def merged(self, other: ArgumentError) -> ArgumentError:
        """Both errors' messages in one error (``other`` after ``self``)."""
        return ArgumentError({**self.body, **other.body})


def _jsonable_messages(body: Mapping[Any, Any]) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for key, value in body.items():
        if isinstance(value, Mapping):
            out[str(key)] = _jsonable_messages(value)
        elif isinstance(value, list | tuple):
            out[str(key)] = [str(item) for item in value]
        else:
            out[str(key)] = [str(value)]
    return out


def _flatten(body: Mapping[str, Any], prefix: str = "") -> list[tuple[str, list[str]]]:
    items: list[tuple[str, list[str]]] = []
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items.extend(_flatten(value, f"{name}."))
        else:
            items.append((name, [str(item) for item in value]))
    return items
