"""Reading DEEPaaS modules' marshmallow fields: Swagger properties and argument specs.

DEEPaaS 2.x modules declare arguments as dicts of marshmallow 3 (webargs) fields, in two
styles that both occur in the wild and must both work:

* ``fields.Str(load_default="x", metadata={"description": "...", "location": "form"})``
* ``fields.Str(missing="x", description="...", enum=[...], type="file", location="form")``
  (legacy keyword arguments, which marshmallow 3 moves into ``field.metadata``).

marshmallow is imported only by ``seascope.deepaas``, and the module's own field objects
are never mutated (DEEPaaS mutates the ``accept`` field in place).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import marshmallow
from marshmallow import fields as mfields
from marshmallow import validate as mvalidate
from marshmallow.warnings import Marshmallow4Warning

from seascope.deepaas.arguments import ArgumentSpec, Location
from seascope.deepaas.jsonable import to_jsonable
from seascope.types import JsonValue

__all__ = [
    "default_of",
    "field_property",
    "is_file_field",
    "message_list",
    "normalized_messages",
    "quiet_marshmallow",
    "spec_from_field",
    "type_and_format",
    "validators_of",
]

# Most specific classes first: custom field classes resolve through isinstance.
_TYPES: tuple[tuple[type[Any], str | None, str | None], ...] = (
    (mfields.Boolean, "boolean", None),
    (mfields.Integer, "integer", "int32"),
    (mfields.Float, "number", "float"),
    (mfields.Number, "number", None),
    (mfields.UUID, "string", "uuid"),
    (mfields.Email, "string", "email"),
    (mfields.Url, "string", "url"),
    (mfields.String, "string", None),
    (mfields.Date, "string", "date"),
    (mfields.DateTime, "string", "date-time"),
    (mfields.Time, "string", None),
    (mfields.TimeDelta, "integer", None),
    (mfields.List, "array", None),
    (mfields.Tuple, "array", None),
    (mfields.Mapping, "object", None),
    (mfields.Nested, "object", None),
)

# Metadata keys copied into Swagger, as apispec does (``x-`` extensions too).
_PROPERTY_KEYS = (
    "format",
    "enum",
    "type",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "title",
    "example",
    "collectionFormat",
)


@contextlib.contextmanager
def quiet_marshmallow() -> Iterator[None]:
    """Silence marshmallow-4 deprecation warnings raised by module code.

    DEEPaaS modules use ``missing=``, metadata keyword arguments and bare
    ``fields.Field()`` on purpose (they must also run on DEEPaaS); the warnings are noise.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Marshmallow4Warning)
        yield


def type_and_format(field: mfields.Field) -> tuple[str | None, str | None]:
    for field_class, kind, fmt in _TYPES:
        if isinstance(field, field_class):
            return kind, fmt
    return None, None


def is_file_field(field: mfields.Field) -> bool:
    """Whether ``field`` (or the item field of a list) declares ``type: file``."""
    if field.metadata.get("type") == "file":
        return True
    inner = getattr(field, "inner", None)
    return isinstance(inner, mfields.Field) and inner.metadata.get("type") == "file"


def default_of(field: mfields.Field) -> tuple[bool, JsonValue]:
    default = field.load_default
    if default is marshmallow.missing or callable(default):
        return False, None
    try:
        return True, to_jsonable(default)
    except (TypeError, ValueError):
        return True, str(default)


def field_property(field: mfields.Field) -> dict[str, JsonValue]:
    """The Swagger 2.0 property of ``field`` (type, format, enum, range, items ...)."""
    kind, fmt = type_and_format(field)
    prop: dict[str, JsonValue] = {}
    if kind is not None:
        prop["type"] = kind
    if fmt is not None:
        prop["format"] = fmt
    has_default, default = default_of(field)
    if has_default:
        prop["default"] = default
    for validator in validators_of(field):
        prop.update(_validator_property(validator, kind))
    inner = getattr(field, "inner", None)
    if isinstance(inner, mfields.Field):
        prop["items"] = field_property(inner)
    nested = getattr(field, "schema", None) if isinstance(field, mfields.Nested) else None
    if isinstance(nested, marshmallow.Schema):
        prop["properties"] = {
            name: field_property(sub) for name, sub in nested.fields.items() if not sub.dump_only
        }
    for key, value in field.metadata.items():
        if key in _PROPERTY_KEYS or key.startswith("x-"):
            with contextlib.suppress(TypeError, ValueError):
                prop[key] = to_jsonable(value)
    description = field.metadata.get("description")
    if description:
        prop["description"] = str(description)
    return prop


def validators_of(field: mfields.Field) -> list[Any]:
    found: list[Any] = []
    for validator in field.validators:
        if isinstance(validator, mvalidate.And):
            found.extend(validator.validators)
        else:
            found.append(validator)
    return found


def _validator_property(validator: Any, kind: str | None) -> dict[str, JsonValue]:
    if isinstance(validator, mvalidate.OneOf):
        with contextlib.suppress(TypeError, ValueError):
            return {"enum": to_jsonable(list(validator.choices))}
        return {}
    if isinstance(validator, mvalidate.Range):
        prop: dict[str, JsonValue] = {}
        if validator.min is not None:
            prop["minimum"] = to_jsonable(validator.min)
            if not validator.min_inclusive:
                prop["exclusiveMinimum"] = True
        if validator.max is not None:
            prop["maximum"] = to_jsonable(validator.max)
            if not validator.max_inclusive:
                prop["exclusiveMaximum"] = True
        return prop
    if isinstance(validator, mvalidate.Length):
        low, high = ("minItems", "maxItems") if kind == "array" else ("minLength", "maxLength")
        prop = {}
        if validator.equal is not None:
            prop[low] = prop[high] = validator.equal
        if validator.min is not None:
            prop[low] = validator.min
        if validator.max is not None:
            prop[high] = validator.max
        return prop
    if isinstance(validator, mvalidate.Regexp):
        return {"pattern": validator.regex.pattern}
    return {}


def spec_from_field(name: str, field: mfields.Field) -> ArgumentSpec:
    """Describe one marshmallow field as an :class:`ArgumentSpec`."""
    prop = field_property(field)
    is_file = is_file_field(field)
    multiple = isinstance(field, mfields.List)
    kind_value = prop.pop("type", None)
    kind = "file" if is_file else (str(kind_value) if kind_value is not None else None)
    description = str(prop.pop("description", ""))
    has_default = "default" in prop
    default = prop.pop("default", None)
    if is_file:
        prop.pop("items", None)
    if multiple and not is_file:
        prop.setdefault("collectionFormat", "multi")
    return ArgumentSpec(
        name=name,
        key=field.data_key or name,
        kind=kind,
        required=bool(field.required),
        description=description,
        location=Location.FORM if is_file else Location.parse(field.metadata.get("location")),
        multiple=multiple,
        has_default=has_default,
        default=default,
        schema=prop,
    )


def normalized_messages(exc: marshmallow.ValidationError) -> Any:
    return exc.normalized_messages()  # type: ignore[no-untyped-call]


def message_list(messages: Any) -> list[Any]:
    if isinstance(messages, list):
        return messages
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in message_list(value)]
    return [messages]
