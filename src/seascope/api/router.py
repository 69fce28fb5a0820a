"""``build_api_router``: the native ``/v1`` routes, bound to the objects they serve."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from seascope._version import __version__
from seascope.api.forms import read_predict_form
from seascope.api.schemas import (
    HealthResponse,
    JobResponse,
    ModuleDetail,
    ModuleList,
    ModuleSummary,
    PredictResponse,
    ReadyResponse,
    Timing,
)
from seascope.errors import CapabilityNotSupported, InvalidInput
from seascope.inference import ModuleHost
from seascope.modules.params import parse_params
from seascope.training import TRAIN_MODULE, JobManager

__all__ = ["ApiContext", "build_api_router"]

_PREDICT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["images"],
                    "properties": {
                        "images": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "One or more images (JPEG, PNG, TIFF, BMP, WebP).",
                        },
                        "params": {
                            "type": "string",
                            "description": "Module parameters as a JSON object "
                            "(see GET /v1/modules/{name} for their schema); single "
                            "parameters may also be sent as form fields or in the query.",
                        },
                    },
                }
            }
        },
    }
}


@dataclass
class ApiContext:
    """What the native routes serve.

    Attributes:
        host: The loaded modules.
        jobs: Training jobs.
        prefix: The base path the app is mounted under (for links).
        max_files: Most images in one predict request.
        warm: Modules loaded at start-up (``/v1/ready`` waits for them).
    """

    host: ModuleHost
    jobs: JobManager
    prefix: str = ""
    max_files: int = 256
    warm: list[str] = field(default_factory=list)


def build_api_router(ctx: ApiContext) -> APIRouter:
    """The ``/v1`` routes."""
    router = APIRouter(prefix="/v1")
    host, jobs = ctx.host, ctx.jobs

    @router.get("/health", response_model=HealthResponse, tags=["health"])
    async def health() -> HealthResponse:
        """Liveness: the process answers."""
        return HealthResponse(version=__version__)

    @router.get("/ready", response_model=ReadyResponse, tags=["health"])
    async def ready() -> JSONResponse:
        """Readiness: 200 once every module to warm is loaded, else 503."""
        failed = {n: e.message for n in ctx.warm if (e := host.failure(n)) is not None}
        loaded = [n for n in ctx.warm if host.is_loaded(n)]
        pending = [n for n in ctx.warm if n not in loaded and n not in failed]
        body = ReadyResponse(
            ready=not pending and not failed, loaded=loaded, pending=pending, failed=failed
        )
        return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)

    @router.get("/modules", response_model=ModuleList, tags=["modules"])
    async def list_modules() -> ModuleList:
        """Every module this server can serve."""
        return ModuleList(
            modules=[
                ModuleSummary.of(m, loaded=host.is_loaded(m.name), prefix=ctx.prefix)
                for m in host.manifests()
            ],
            problems=[{"source": p.source, "message": p.message} for p in host.registry.problems],
        )

    @router.get("/modules/{name}", response_model=ModuleDetail, tags=["modules"])
    async def show_module(name: str) -> ModuleDetail:
        """One module: manifest, parameter schemas, and what it reports once loaded."""
        manifest = host.manifest(name)
        module_class = await run_in_threadpool(host.registry.load_class, name)
        runtime: dict[str, Any] = {}
        error = host.failure(name)
        if host.is_loaded(name):
            runtime = host.predictor(name).module.describe()
        return ModuleDetail(
            manifest=manifest.model_dump(mode="json"),
            predict_params=module_class.predict_params.model_json_schema(),
            train_params=module_class.train_params.model_json_schema()
            if "train" in manifest.capabilities
            else None,
            loaded=host.is_loaded(name),
            runtime=runtime,
            error=error.message if error else None,
        )

    @router.post(
        "/modules/{name}/predict",
        response_model=PredictResponse,
        tags=["predict"],
        openapi_extra=_PREDICT_BODY,
    )
    async def predict(name: str, request: Request) -> PredictResponse:
        """Predict one or more images (multipart field ``images``)."""
        started = time.perf_counter()
        manifest = host.manifest(name)
        form = await read_predict_form(request, max_files=ctx.max_files)
        if not form.files:
            raise InvalidInput(
                "no image in the request: send files in the multipart field 'images'"
            )
        # Decoding runs in this request's thread; the module call is shared with other
        # requests by the micro-batcher.
        batcher = host.loaded_batcher(name)
        if batcher is None:  # the first request loads the module (seconds): off the loop
            batcher = await run_in_threadpool(host.batcher, name)
        result = await run_in_threadpool(batcher.predict_files, form.files, form.params)
        return PredictResponse(
            module=name,
            version=manifest.version,
            predictions=result.predictions,
            timing=Timing(
                decode=result.decode_seconds,
                predict=result.predict_seconds,
                total=time.perf_counter() - started,
            ),
        )

    @router.post(
        "/modules/{name}/trainings", response_model=JobResponse, status_code=202, tags=["training"]
    )
    async def start_training(
        name: str, params: dict[str, Any] = Body(default_factory=dict)
    ) -> JobResponse:  # noqa: B008
        """Start a training job with the module's training parameters (JSON body)."""
        manifest = host.manifest(name)
        if "train" not in manifest.capabilities:
            raise CapabilityNotSupported(f"module {name!r} cannot train")
        module_class = await run_in_threadpool(host.registry.load_class, name)
        parsed = parse_params(module_class.train_params, params, what="training parameters")
        record = await run_in_threadpool(
            lambda: jobs.submit(
                module=name, runner=TRAIN_MODULE, args=parsed.model_dump(mode="json")
            )
        )
        return JobResponse.of(record)

    @router.get("/modules/{name}/trainings", response_model=list[JobResponse], tags=["training"])
    async def list_module_trainings(name: str) -> list[JobResponse]:
        """Training jobs of one module, newest first."""
        host.manifest(name)
        return [JobResponse.of(r) for r in jobs.list(module=name)]

    @router.get("/jobs", response_model=list[JobResponse], tags=["training"])
    async def list_jobs() -> list[JobResponse]:
        """Every training job, newest first."""
        return [JobResponse.of(r) for r in jobs.list()]

    @router.get("/jobs/{job_id}", response_model=JobResponse, tags=["training"])
    async def show_job(job_id: str) -> JobResponse:
        """One training job."""
        return JobResponse.of(jobs.get(job_id))

    @router.get("/jobs/{job_id}/log", response_class=PlainTextResponse, tags=["training"])
    async def job_log(job_id: str, tail: int = 200) -> str:
        """The last ``tail`` lines of the job's log."""
        record = jobs.get(job_id)
        if not record.log_path.exists():
            return ""
        lines = record.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-max(1, tail) :]) + "\n"

    @router.post("/jobs/{job_id}/resume", response_model=JobResponse, tags=["training"])
    async def resume_job(job_id: str) -> JobResponse:
        """Run an interrupted, failed or cancelled job again from its last checkpoint."""
        return JobResponse.of(await run_in_threadpool(jobs.resume, job_id))

    @router.delete("/jobs/{job_id}", response_model=JobResponse, tags=["training"])
    async def cancel_job(job_id: str) -> JobResponse:
        """Cancel a job (a finished job is returned unchanged)."""
        return JobResponse.of(await run_in_threadpool(jobs.cancel, job_id))

    return router
