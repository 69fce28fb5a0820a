"""Reading images and parameters out of a predict request."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from seascope.errors import InvalidParameters, UnsupportedMediaType

__all__ = ["PredictForm", "read_predict_form"]

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class PredictForm:
    """Files and parameters of one predict request."""

    def __init__(self, files: list[tuple[str, bytes]], params: dict[str, Any]) -> None:
        self.files = files
        self.params = params


async def read_predict_form(request: Request, *, max_files: int) -> PredictForm:
    """Collect every uploaded file and every parameter.

    Parameters come from the query string, from non-file form fields and from an
    optional ``params`` field holding a JSON object; a key given several times becomes
    a list. Every file part is an image, whatever its field name (``images`` by convention).

    Raises:
        UnsupportedMediaType: the body is not a form.
        InvalidParameters: ``params`` is not a JSON object.
    """
    params: dict[str, Any] = {}
    _merge(params, request.query_params.multi_items())
    content_type = request.headers.get("content-type", "")
    files: list[tuple[str, bytes]] = []
    if not content_type.startswith(_FORM_TYPES):
        raise UnsupportedMediaType(
            f"send images as multipart/form-data (field 'images'), not {content_type or 'no body'}"
        )
    form = await request.form(max_files=max_files, max_fields=1000)
    try:
        fields: list[tuple[str, str]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.append((value.filename or key, await value.read()))
            elif key == "params":
                params.update(_json_object(value))
            else:
                fields.append((key, value))
        _merge(params, fields)
    finally:
        await form.close()
    return PredictForm(files, params)


def _merge(params: dict[str, Any], items: list[tuple[str, str]]) -> None:
    for key, value in items:
        if key in params:
            existing = params[key]
            params[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            params[key] = value


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameters(
            f"'params' is not valid JSON: {exc}", {"params": ["Not valid JSON."]}
        ) from exc
    if not isinstance(value, dict):
        raise InvalidParameters("'params' must be a JSON object", {"params": ["Not an object."]})
    return value
