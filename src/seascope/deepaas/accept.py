"""The ``accept`` argument of DEEPaaS modules, with DEEPaaS 2.6.0's exact semantics."""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow
from marshmallow import fields as mfields
from marshmallow import validate as mvalidate

from seascope.deepaas.arguments import ArgumentError, ArgumentSpec, Location
from seascope.deepaas.marshmallow_fields import default_of, message_list, validators_of

__all__ = ["ACCEPT", "ANY_MEDIA", "AcceptSpec"]

ACCEPT = "accept"
"""Name of the argument that selects the result's media type."""

ANY_MEDIA = "*/*"
"""Accepted besides the declared choices; means JSON."""


@dataclass(frozen=True)
class AcceptSpec:
    """The ``accept`` argument of a DEEPaaS module, with DEEPaaS's exact semantics.

    DEEPaaS reads it from the ``Accept`` header only, accepts exactly one of the declared
    choices or ``*/*``, and defaults to the module's default or else the first choice.
    A query parameter ``accept=`` is ignored.

    Attributes:
        choices: The module's declared choices, in order.
        default: Value used when the header is absent.
        description: Help text.
    """

    choices: tuple[str, ...]
    default: str
    description: str = ""
    _field: mfields.Field | None = None

    @classmethod
    def from_field(cls, field: mfields.Field) -> AcceptSpec:
        """Read the module's ``accept`` field (``fields.Str(validate=OneOf([...]))``)."""
        choices: tuple[str, ...] = ()
        for validator in validators_of(field):
            if isinstance(validator, mvalidate.OneOf):
                choices = tuple(str(choice) for choice in validator.choices)
        if not choices and isinstance(field.metadata.get("enum"), list | tuple):
            choices = tuple(str(choice) for choice in field.metadata["enum"])
        if not choices:
            # DEEPaaS crashes at start-up here; seascope serves JSON instead.
            choices = ("application/json",)
        has_default, default = default_of(field)
        first = str(default) if has_default and default is not None else choices[0]
        description = str(field.metadata.get("description", ""))
        return cls(choices=choices, default=first, description=description, _field=field)

    @property
    def produces(self) -> list[str]:
        """Swagger ``produces``: the choices and ``*/*``."""
        return [*self.choices, ANY_MEDIA]

    def resolve(self, header: str | None) -> str:
        """The accept value a request asks for.

        Raises:
            ArgumentError: the header is not exactly one choice or ``*/*``.
        """
        if header is None:
            return self.default
        if header in self.choices or header == ANY_MEDIA:
            return header
        raise ArgumentError({ACCEPT: self._messages(header)})

    def _messages(self, value: str) -> list[str]:
        if self._field is not None:
            for validator in validators_of(self._field):
                if isinstance(validator, mvalidate.OneOf):
                    try:
                        validator(value)
                    except marshmallow.ValidationError as exc:
                        return [str(m) for m in message_list(exc.messages)]
        return [f"Must be one of: {', '.join(self.choices)}."]

    def spec(self) -> ArgumentSpec:
        """The Swagger parameter DEEPaaS documents (``in: header``)."""
        return ArgumentSpec(
            name=ACCEPT,
            key=ACCEPT,
            kind="string",
            required=False,
            description=self.description,
            location=Location.HEADERS,
            has_default=True,
            default=self.default,
            schema={"enum": self.produces},
        )
