"""``ArgumentSchema``: validate wire values with a DEEPaaS module's marshmallow fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow
from marshmallow import fields as mfields

from seascope.deepaas.accept import ACCEPT, AcceptSpec
from seascope.deepaas.arguments import ArgumentError, ArgumentSpec
from seascope.deepaas.marshmallow_fields import (
    normalized_messages,
    quiet_marshmallow,
    spec_from_field,
)
from seascope.errors import ManifestInvalid

__all__ = ["ArgumentSchema"]


class ArgumentSchema:
    """The arguments of one DEEPaaS method (``predict`` or ``train``) as a loader.

    Args:
        arguments: The module's dict of fields (``get_predict_args()``), or a
            ``marshmallow.Schema`` class or instance (its ``fields``).
        name: Name of the generated schema class.

    Raises:
        ManifestInvalid: the arguments are not marshmallow fields.
    """

    def __init__(self, arguments: object, *, name: str) -> None:
        declared = _field_dict(arguments, name)
        self.accept: AcceptSpec | None = None
        accept = declared.pop(ACCEPT, None)
        if accept is not None:
            self.accept = AcceptSpec.from_field(accept)
        self.fields = declared
        try:
            with quiet_marshmallow():
                self._schema = marshmallow.Schema.from_dict(dict(declared), name=name)
                self._schema(unknown=marshmallow.EXCLUDE)
        except Exception as exc:
            raise ManifestInvalid(f"{name}: the arguments cannot form a schema: {exc}") from exc

    def specs(self, *, with_accept: bool = True) -> list[ArgumentSpec]:
        """Every argument in declaration order (``accept`` last, as a header)."""
        specs = [spec_from_field(name, field) for name, field in self.fields.items()]
        if with_accept and self.accept is not None:
            specs.append(self.accept.spec())
        return specs

    def load(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate wire values into the keyword arguments the module receives.

        Raises:
            ArgumentError: with marshmallow's messages, keyed by wire name.
        """
        # No quiet_marshmallow() here: warnings.catch_warnings is not thread-safe, and
        # loading (unlike declaring fields) raises no deprecation warnings.
        try:
            loaded: dict[str, Any] = self._schema(unknown=marshmallow.EXCLUDE).load(raw)
        except marshmallow.ValidationError as exc:
            messages = normalized_messages(exc)
            raise ArgumentError(
                messages if isinstance(messages, dict) else {"_schema": messages}
            ) from exc
        return loaded


def _field_dict(arguments: object, name: str) -> dict[str, mfields.Field]:
    if arguments is None:
        return {}
    if isinstance(arguments, type) and issubclass(arguments, marshmallow.Schema):
        with quiet_marshmallow():
            arguments = arguments()
    if isinstance(arguments, marshmallow.Schema):
        arguments = arguments.fields
    if not isinstance(arguments, Mapping):
        raise ManifestInvalid(
            f"{name}: expected a dict of marshmallow fields, got {type(arguments).__name__}"
        )
    result: dict[str, mfields.Field] = {}
    for key, field in arguments.items():
        if isinstance(field, type) and issubclass(field, mfields.Field):
            with quiet_marshmallow():
                field = field()
        if not isinstance(field, mfields.Field):
            raise ManifestInvalid(
                f"{name}: argument {key!r} is {type(field).__name__}, not a marshmallow field"
            )
        result[str(key)] = field
    return result
