"""``GET /v1/jobs/{id}/files/{name}``: a finished job's evaluation files, for its owner.

Only a short allow-list of output files is served (confusion matrices, per-class
metrics, the model card), by name: the caller never gives a path, so nothing outside the
job's folder can be reached. Someone else's job is a 404, like a missing one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from seascope.api.deps import CurrentUser
from seascope.errors import JobNotFound
from seascope.platform import owner_key
from seascope.training import JobManager, JobRecord

__all__ = ["JOB_FILES", "build_job_files_router", "job_file_path"]

_EVALUATION = "output/model-package/evaluation"
_SPLITS = ("val", "test", "test-tta")


def _evaluation_files() -> dict[str, tuple[str, str]]:
    files: dict[str, tuple[str, str]] = {}
    for split in _SPLITS:
        for suffix, media_type in (
            ("confusion-matrix.csv", "text/csv"),
            ("confusion-matrix.png", "image/png"),
            ("per-class.csv", "text/csv"),
            ("coverage.csv", "text/csv"),
            ("metrics.json", "application/json"),
        ):
            name = f"{split}-{suffix}"
            files[name] = (f"{_EVALUATION}/{name}", media_type)
    return files


JOB_FILES: dict[str, tuple[str, str]] = {
    **_evaluation_files(),
    "model-card.json": ("output/model-package/model-card.json", "application/json"),
    "classes.json": ("output/classes.json", "application/json"),
}
"""Name → (path inside the job folder, media type) of every file that may be served."""

_NAME = PathParam(description=f"One of: {', '.join(sorted(JOB_FILES))}.")


def job_file_path(record: JobRecord, name: str) -> Path:
    """Where the allowed file ``name`` of ``record`` is.

    Raises:
        JobNotFound: ``name`` is not an allowed file or the job has not written it.
    """
    allowed = JOB_FILES.get(name)
    if allowed is None:
        known = ", ".join(sorted(JOB_FILES))
        raise JobNotFound(f"job {record.id} has no file {name!r} to serve (files: {known})")
    path = record.directory / allowed[0]
    if not path.is_file():
        raise JobNotFound(f"job {record.id} has no file {name!r} (yet)")
    return path


def build_job_files_router(jobs: JobManager) -> APIRouter:
    """The ``/v1/jobs/{id}/files/{name}`` route (include it under the base path)."""
    router = APIRouter(prefix="/v1/jobs", tags=["training"])

    @router.get(
        "/{job_id}/files/{name}",
        response_class=FileResponse,
        responses={200: {"description": "The file.", "content": {"text/csv": {}, "image/png": {}}}},
    )
    def job_file(
        job_id: str,
        name: Annotated[str, _NAME],
        user: CurrentUser,
    ) -> FileResponse:
        """One of your job's evaluation files: confusion matrix (CSV, PNG), per-class
        metrics, coverage, the model card."""
        record = jobs.get(job_id, owner=owner_key(user))
        return FileResponse(
            job_file_path(record, name),
            media_type=JOB_FILES[name][1],
            filename=name,
            content_disposition_type="inline",
        )

    return router
