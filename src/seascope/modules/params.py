"""Validation of module parameters (pydantic models) into seascope errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from seascope.errors import InvalidParameters

__all__ = ["parse_params", "validation_messages"]

ParamsT = TypeVar("ParamsT", bound=BaseModel)


def parse_params(
    model: type[ParamsT], raw: Mapping[str, Any] | BaseModel | None, *, what: str = "parameters"
) -> ParamsT:
    """Validate ``raw`` into ``model``.

    Raises:
        InvalidParameters: with one list of messages per offending field.
    """
    if isinstance(raw, model):
        return raw
    values = raw.model_dump() if isinstance(raw, BaseModel) else dict(raw or {})
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        fields = validation_messages(exc)
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        raise InvalidParameters(f"invalid {what}: {summary}", fields) from exc


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as field name to messages (DEEPaaS's 422 body shape)."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "__root__"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "Unknown field."
        elif error["type"] == "missing":
            message = "Missing data for required field."
        fields.setdefault(name, []).append(message)
    return fields
