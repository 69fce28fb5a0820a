"""DEEPaaS argument specs generated from a seascope module's pydantic parameter model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from seascope.deepaas.arguments import ArgumentSpec, Location
from seascope.types import JsonValue

__all__ = ["specs_from_model"]

_COPIED = (
    "format",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)
_SWAGGER_TYPES = {"string", "integer", "number", "boolean", "array", "object"}


def specs_from_model(model: type[BaseModel]) -> list[ArgumentSpec]:
    """One query argument per field of ``model`` (type, format, enum, default, range, help).

    Example:
        >>> from pydantic import Field
        >>> class Params(BaseModel):
        ...     top_k: int = Field(default=5, ge=1, le=100, description="Classes per image.")
        >>> spec = specs_from_model(Params)[0]
        >>> spec.kind, spec.default, dict(spec.schema)
        ('integer', 5, {'minimum': 1, 'maximum': 100})
    """
    schema = model.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    specs: list[ArgumentSpec] = []
    for name, raw_property in schema.get("properties", {}).items():
        prop = _resolve(raw_property, definitions)
        swagger = _swagger_property(prop, definitions)
        kind = swagger.pop("type", None)
        swagger.pop("description", None)
        has_default = "default" in raw_property
        multiple = kind == "array"
        if multiple:
            swagger.setdefault("collectionFormat", "multi")
        field = model.model_fields.get(name)
        key = field.alias if field is not None and field.alias else name
        specs.append(
            ArgumentSpec(
                name=name,
                key=key,
                kind=str(kind) if kind is not None else None,
                required=name in required or key in required,
                description=str(raw_property.get("description") or prop.get("description") or ""),
                location=Location.ANY,
                multiple=multiple,
                has_default=has_default,
                default=raw_property.get("default"),
                schema=swagger,
            )
        )
    return specs


def _resolve(prop: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and drop the ``null`` branch of ``Optional[X]``."""
    if "$ref" in prop:
        target = definitions.get(prop["$ref"].rsplit("/", 1)[-1], {})
        return _resolve({**target, **{k: v for k, v in prop.items() if k != "$ref"}}, definitions)
    for combinator in ("anyOf", "oneOf"):
        options = [option for option in prop.get(combinator, ()) if option.get("type") != "null"]
        if combinator in prop and len(options) == 1:
            merged = {k: v for k, v in prop.items() if k != combinator}
            return _resolve({**options[0], **merged}, definitions)
    if "allOf" in prop and len(prop["allOf"]) == 1:
        merged = {k: v for k, v in prop.items() if k != "allOf"}
        return _resolve({**prop["allOf"][0], **merged}, definitions)
    return prop


def _swagger_property(prop: dict[str, Any], definitions: dict[str, Any]) -> dict[str, JsonValue]:
    """A JSON Schema (2020-12) property rewritten for Swagger 2.0."""
    out: dict[str, JsonValue] = {}
    kind = prop.get("type")
    if "const" in prop and "enum" not in prop:
        prop = {**prop, "enum": [prop["const"]]}
    if kind is None and "enum" in prop:
        values = prop["enum"]
        kind = _kind_of_values(values)
    if isinstance(kind, str) and kind in _SWAGGER_TYPES:
        out["type"] = kind
    if kind == "number":
        out["format"] = "float"
    for key in _COPIED:
        if key in prop:
            out[key] = prop[key]
    for bound, exclusive, name in (
        ("minimum", "exclusiveMinimum", "minimum"),
        ("maximum", "exclusiveMaximum", "maximum"),
    ):
        if exclusive in prop and not isinstance(prop[exclusive], bool):
            out[name] = prop[exclusive]
            out[exclusive] = True
        elif bound in prop:
            out[name] = prop[bound]
    if kind == "array" and isinstance(prop.get("items"), dict):
        out["items"] = _swagger_property(_resolve(prop["items"], definitions), definitions)
    if prop.get("description"):
        out["description"] = prop["description"]
    return out


def _kind_of_values(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return "string"
