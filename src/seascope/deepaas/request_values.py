"""Read what a Starlette request carries into :class:`RequestValues`.

The form stays open (its files spooled) for as long as the context manager is active,
so upload parts can be copied into ``UploadedFile`` temp files or read as bytes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from seascope.deepaas.arguments import ArgumentError, FilePart, RequestValues
from seascope.errors import InvalidInput, PayloadTooLarge

__all__ = ["read_request_values"]

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_MAX_FORM_FIELDS = 1000


@asynccontextmanager
async def read_request_values(request: Request, *, max_files: int) -> AsyncIterator[RequestValues]:
    """Parse the query string, a form body or a JSON body, and the headers.

    Args:
        request: The incoming request.
        max_files: Most file parts accepted in one multipart body.

    Raises:
        PayloadTooLarge: too many files.
        InvalidInput: a malformed multipart body.
        ArgumentError: a JSON body that does not parse (``{"json": [...]}``).
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form: FormData | None = None
    form_pairs: list[tuple[str, str | FilePart]] = []
    body: dict[str, Any] | None = None
    if content_type in _FORM_TYPES:
        form = await _read_form(request, max_files)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                form_pairs.append(
                    (key, FilePart(key, value.filename, value.content_type, value.file))
                )
            else:
                form_pairs.append((key, value))
    elif content_type == "application/json" or content_type.endswith("+json"):
        body = await _read_json(request)
    try:
        yield RequestValues(
            query=list(request.query_params.multi_items()),
            form=form_pairs,
            json=body,
            headers=[(k.lower(), v) for k, v in request.headers.items()],
            cookies=dict(request.cookies),
        )
    finally:
        if form is not None:
            await form.close()


async def _read_form(request: Request, max_files: int) -> FormData:
    try:
        return await request.form(max_files=max_files, max_fields=_MAX_FORM_FIELDS)
    except HTTPException as exc:
        detail = str(exc.detail)
        if "Too many files" in detail:
            raise PayloadTooLarge(f"{detail} (at most {max_files} files per request)") from exc
        raise InvalidInput(f"the form body cannot be read: {detail}") from exc


async def _read_json(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArgumentError({"json": ["Invalid JSON body."]}) from exc
    return value if isinstance(value, dict) else None
