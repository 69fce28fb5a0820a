"""``build_catalog_router``: the ``/v1/catalog`` routes over a :class:`~seascope.catalog.Catalog`.

Reading the catalog is open to anonymous callers. Importing and removing entries change
what every user sees: once users exist they must require a signed-in user (the app
factory adds that dependency; this router does not authenticate).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seascope.api.deps import CurrentUser
from seascope.catalog import (
    MAX_METADATA_BYTES,
    Catalog,
    CatalogEntry,
    CatalogQuery,
    EntrySource,
    MetadataFormat,
    dump_ai4_metadata,
)
from seascope.catalog.packages import VERSION_PATTERN
from seascope.errors import InvalidInput, PayloadTooLarge

__all__ = ["CatalogList", "build_catalog_router"]

_ID = Path(
    pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$",
    description="Catalog id (an installed module's name, or the id given at import).",
)
_TAG_HELP = "Repeat the parameter or separate patterns with commas; '*' is a wildcard."
_MEDIA_TYPES: dict[MetadataFormat, str] = {
    "json": "application/json",
    "yaml": "application/yaml",
}
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An ai4-metadata v2 file (YAML or JSON): as the multipart field "
        "'file', or as the whole body with its content type.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class CatalogList(BaseModel):
    """``GET /v1/catalog``: the matching entries, installed modules first."""

    entries: list[CatalogEntry]
    problems: list[dict[str, str]] = Field(
        default_factory=list,
        description="Installed modules and stored entries that could not be read.",
    )


def build_catalog_router(catalog: Catalog) -> APIRouter:
    """The ``/v1/catalog`` routes serving ``catalog`` (include them under the base path)."""
    router = APIRouter(prefix="/v1/catalog", tags=["catalog"])

    @router.get("", response_model=CatalogList)
    def search_catalog(
        text: Annotated[str, Query(description="Words to find in title, summary, tags.")] = "",
        task: Annotated[
            str, Query(description="'Classification', 'image-classification' ...")
        ] = "",
        data_type: Annotated[str, Query(description="'Image', 'Video' ...")] = "",
        library: Annotated[str, Query(description="'PyTorch', 'TensorFlow', 'Other' ...")] = "",
        source: Annotated[EntrySource | None, Query()] = None,
        tags: Annotated[list[str], Query(description="Has all of these. " + _TAG_HELP)] = [],  # noqa: B006
        tags_any: Annotated[list[str], Query(description="Has one of these.")] = [],  # noqa: B006
        not_tags: Annotated[list[str], Query(description="Lacks one of these.")] = [],  # noqa: B006
        not_tags_any: Annotated[list[str], Query(description="Has none of these.")] = [],  # noqa: B006
    ) -> CatalogList:
        """Search the catalog (no parameters: every entry)."""
        query = CatalogQuery(
            text=text,
            task=task,
            data_type=data_type,
            library=library,
            source=source,
            tags=_patterns(tags),
            tags_any=_patterns(tags_any),
            not_tags=_patterns(not_tags),
            not_tags_any=_patterns(not_tags_any),
        )
        return CatalogList(
            entries=catalog.find(query),
            problems=[{"source": p.source, "message": p.message} for p in catalog.problems()],
        )

    @router.get("/{entry_id}", response_model=CatalogEntry)
    def show_entry(entry_id: Annotated[str, _ID]) -> CatalogEntry:
        """One catalog entry."""
        return catalog.get(entry_id)

    @router.get(
        "/{entry_id}/ai4-metadata",
        response_class=Response,
        responses={
            200: {
                "description": "An ai4-metadata 2.3.0 document.",
                "content": {"application/json": {}, "application/yaml": {}},
            }
        },
    )
    def export_entry(
        entry_id: Annotated[str, _ID],
        fmt: Annotated[Literal["json", "yaml"], Query(alias="format")] = "json",
    ) -> Response:
        """The entry as an ai4-metadata 2.3.0 file (valid for ``ai4-metadata validate``)."""
        text = dump_ai4_metadata(catalog.export(entry_id), fmt)
        suffix = "yml" if fmt == "yaml" else "json"
        return Response(
            text,
            media_type=_MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'inline; filename="{entry_id}.ai4-metadata.{suffix}"'},
        )

    @router.post(
        "/import", response_model=CatalogEntry, status_code=201, openapi_extra=_IMPORT_BODY
    )
    async def import_entry(
        request: Request,
        _user: CurrentUser,
        entry_id: Annotated[
            str | None,
            Query(alias="id", description="Catalog id (default: the file's, or its repo's name)."),
        ] = None,
    ) -> CatalogEntry:
        """Import an ai4-metadata v2 file (signed-in users); 422 lists every schema problem."""
        data, filename, fmt = await _read_upload(request)
        return await run_in_threadpool(
            lambda: catalog.import_bytes(data, filename=filename, fmt=fmt, entry_id=entry_id)
        )

    @router.delete("/{entry_id}", response_model=CatalogEntry)
    def remove_entry(entry_id: Annotated[str, _ID], _user: CurrentUser) -> CatalogEntry:
        """Remove an imported entry (installed modules stay); returns what was removed.

        Browsing the catalog is open to anyone; importing and removing need a signed-in user.
        """
        return catalog.remove(entry_id)

    @router.get(
        "/{entry_id}/packages/{version}/card",
        response_class=JSONResponse,
        responses={
            200: {
                "description": "The package's model-card.json, as published.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    def show_package_card(
        entry_id: Annotated[str, _ID],
        version: Annotated[
            str, Path(pattern=VERSION_PATTERN, description="A version in 'model_packages'.")
        ],
    ) -> JSONResponse:
        """The model card of a trained package published for the entry (404 when unknown)."""
        return JSONResponse(catalog.package_card(entry_id, version))

    return router


def _patterns(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


async def _read_upload(request: Request) -> tuple[bytes, str, MetadataFormat | None]:
    """The uploaded file's bytes, name and format (from its content type, if it says)."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    fmt: MetadataFormat | None = None
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput(
                    "no file in the request: send the ai4-metadata file in the multipart "
                    "field 'file' (or as the request body)"
                )
            data = await upload.read(MAX_METADATA_BYTES + 1)
            filename = upload.filename or "<upload>"
        finally:
            await form.close()
    else:
        data = await _read_body(request)
        filename = "<upload>"
        if content_type == "application/json":
            fmt = "json"
        elif content_type in _YAML_TYPES:
            fmt = "yaml"
    if not data:
        raise InvalidInput("the ai4-metadata file is empty")
    if len(data) > MAX_METADATA_BYTES:
        raise PayloadTooLarge(
            f"{filename}: above the {MAX_METADATA_BYTES} bytes allowed for an ai4-metadata file"
        )
    return data, filename, fmt


async def _read_body(request: Request) -> bytes:
    # Stop reading one byte past the limit: the body may be the server's maximum (64 MiB).
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_METADATA_BYTES:
            break
    return b"".join(chunks)
