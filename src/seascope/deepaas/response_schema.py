"""``ResponseSchema``: a DEEPaaS module's ``schema`` attribute (documents and checks results)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import marshmallow

from seascope.deepaas.marshmallow_fields import (
    field_property,
    normalized_messages,
    quiet_marshmallow,
)
from seascope.errors import ManifestInvalid, ModuleFailed
from seascope.types import JsonValue

__all__ = ["ResponseSchema"]

_log = logging.getLogger("seascope.deepaas")


class ResponseSchema:
    """A module's ``schema`` attribute: documents and validates its JSON output.

    Args:
        declared: A dict of fields or a ``marshmallow.Schema`` subclass (or instance).

    Raises:
        ManifestInvalid: ``declared`` is neither.
    """

    NAME = "ModelPredictionResponse"

    def __init__(self, declared: object) -> None:
        try:
            with quiet_marshmallow():
                if isinstance(declared, Mapping):
                    schema_class = marshmallow.Schema.from_dict(dict(declared), name=self.NAME)
                elif isinstance(declared, marshmallow.Schema):
                    schema_class = type(declared)
                elif isinstance(declared, type) and issubclass(declared, marshmallow.Schema):
                    schema_class = declared
                else:
                    raise TypeError(f"{type(declared).__name__} is not a dict or a Schema")
                self._schema_class: type[marshmallow.Schema] = schema_class
                self._fields = schema_class().fields
        except Exception as exc:
            raise ManifestInvalid(f"the module's response schema is invalid: {exc}") from exc

    def definition(self) -> dict[str, JsonValue]:
        """Swagger 2.0 definition (``definitions.ModelPredictionResponse``)."""
        properties: dict[str, JsonValue] = {}
        required: list[JsonValue] = []
        for name, field in self._fields.items():
            if field.dump_only:
                continue
            key = field.data_key or name
            properties[key] = field_property(field)
            if field.required:
                required.append(key)
        definition: dict[str, JsonValue] = {"type": "object", "properties": properties}
        if required:
            definition["required"] = required
        return definition

    def validate(self, value: object) -> None:
        """Check a JSON result against the schema.

        Keys the schema does not declare are logged and let through (DEEPaaS answers
        500 for them, which only hides the module's result).

        Raises:
            ModuleFailed: the result does not match the declared fields.
        """
        try:
            self._schema_class(unknown=marshmallow.EXCLUDE).load(value)  # type: ignore[arg-type]
        except marshmallow.ValidationError as exc:
            raise ModuleFailed(
                f"the module's response does not match its schema: {normalized_messages(exc)}",
                error_type="ResponseValidationError",
            ) from exc
        if isinstance(value, Mapping):
            declared = {field.data_key or name for name, field in self._fields.items()}
            unknown = sorted(str(k) for k in value if k not in declared)
            if unknown:
                _log.warning("response keys not declared in the module's schema: %s", unknown)
