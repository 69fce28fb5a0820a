"""``POST /v1/datasets/uploads``: upload a labelled image set (a zip) to train on.

The archive is extracted with :func:`seascope.datasets.extract_zip` (no zip-slip, no
links, capped uncompressed size) into a folder of the uploader's own, read as a
folder-per-class dataset, and its server path is returned: pass it as the ``dataset``
training parameter. The request size is capped by the server's request limit
(``SEASCOPE_MAX_REQUEST_BYTES``) before anything is read.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections import Counter
from pathlib import Path

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seascope.api.deps import CurrentUser
from seascope.datasets import extract_zip, scan_class_folders
from seascope.datasets.formats.safe_zip import DEFAULT_MAX_UNCOMPRESSED_BYTES
from seascope.errors import DatasetError, InvalidInput
from seascope.platform import owner_key

__all__ = ["UploadedDataset", "build_dataset_upload_router", "dataset_root"]

_IGNORED = frozenset({"__MACOSX"})
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A zip of one folder of images per class "
                            "(optionally inside one top folder).",
                        }
                    },
                }
            }
        },
    }
}


class UploadedDataset(BaseModel):
    """An uploaded dataset, ready to train on."""

    id: str
    path: str = Field(description="The dataset folder on the server: the 'dataset' parameter.")
    images: int
    classes: dict[str, int] = Field(description="Images per class.")


def build_dataset_upload_router(
    *, folder: Path, max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES
) -> APIRouter:
    """The upload route, storing datasets below ``folder`` (include it under the base path).

    Args:
        folder: Where uploads are kept, one sub-folder per user.
        max_uncompressed_bytes: Largest total size an archive may extract to.
    """
    router = APIRouter(prefix="/v1/datasets", tags=["datasets"])

    @router.post(
        "/uploads", response_model=UploadedDataset, status_code=201, openapi_extra=_UPLOAD_BODY
    )
    async def upload_dataset(request: Request, user: CurrentUser) -> UploadedDataset:
        """Upload a zip of class folders; returns the path to train on."""
        form = await request.form(max_files=1, max_fields=5)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput(
                    "send the dataset as a zip archive in the multipart field 'file'"
                )
            owner = hashlib.sha256(owner_key(user).encode()).hexdigest()[:16]
            destination = folder / owner / uuid.uuid4().hex
            return await run_in_threadpool(
                _store, upload, destination, max_bytes=max_uncompressed_bytes
            )
        finally:
            await form.close()

    return router


def _store(upload: UploadFile, destination: Path, *, max_bytes: int) -> UploadedDataset:
    destination.mkdir(parents=True, exist_ok=False)
    archive = destination.with_name(destination.name + ".zip")
    try:
        with archive.open("wb") as handle:
            shutil.copyfileobj(upload.file, handle)
        extract_zip(archive, destination, max_bytes=max_bytes)
        root = dataset_root(destination)
        counts = Counter(item.label for item in scan_class_folders(root))
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise
    finally:
        archive.unlink(missing_ok=True)
    return UploadedDataset(
        id=destination.name,
        path=str(root),
        images=sum(counts.values()),
        classes=dict(sorted(counts.items())),
    )


def dataset_root(folder: Path) -> Path:
    """The folder holding the class folders: ``folder``, or its only sub-folder when the
    archive wrapped everything in one top folder (as zipping a folder does).

    Raises:
        DatasetError: the archive holds no folder at all.
    """
    root = folder
    while True:
        entries = [
            p for p in root.iterdir() if not p.name.startswith(".") and p.name not in _IGNORED
        ]
        folders = [p for p in entries if p.is_dir()]
        if not folders:
            raise DatasetError("the archive holds no folder: zip one folder of images per class")
        if len(folders) == 1 and len(entries) == 1 and _holds_folders(folders[0]):
            root = folders[0]
            continue
        return root


def _holds_folders(folder: Path) -> bool:
    return any(p.is_dir() and not p.name.startswith(".") for p in folder.iterdir())
