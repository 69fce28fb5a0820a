"""``build_api_router``: the native ``/v1`` routes, bound to the objects they serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from seascope._version import __version__
from seascope.api.deps import CurrentPrincipal, CurrentUser
from seascope.api.predict_requests import PREDICT_REQUEST_BODY, predict_request
from seascope.api.schemas import (
    HealthResponse,
    JobResponse,
    MeResponse,
    ModuleDetail,
    ModuleList,
    ModuleSummary,
    PredictResponse,
    ReadyResponse,
)
from seascope.errors import CapabilityNotSupported
from seascope.inference import ModuleHost
from seascope.modules.params import parse_params
from seascope.platform import owner_key
from seascope.training import TRAIN_MODULE, JobManager

__all__ = ["ApiContext", "build_api_router"]


@dataclass
class ApiContext:
    """What the native routes serve.

    Attributes:
        host: The loaded modules.
        jobs: Training jobs.
        prefix: The base path the app is mounted under (for links).
        max_files: Most images in one predict request.
        warm: Modules loaded at start-up (``/v1/ready`` waits for them).
        auth_mode: The server's auth mode (``local``, ``token``, ``oidc``), for ``/v1/me``.
    """

    host: ModuleHost
    jobs: JobManager
    prefix: str = ""
    max_files: int = 256
    warm: list[str] = field(default_factory=list)
    auth_mode: str = "local"


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

    @router.get("/me", response_model=MeResponse, tags=["auth"])
    async def me(principal: CurrentPrincipal) -> MeResponse:
        """Who the server takes you for (anonymous without credentials)."""
        return MeResponse.of(principal, auth_mode=ctx.auth_mode)

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
        openapi_extra=PREDICT_REQUEST_BODY,
    )
    async def predict(name: str, request: Request, _user: CurrentUser) -> PredictResponse:
        """Predict one or more images (multipart field ``images``); needs a signed-in user."""
        return await predict_request(host, name, request, max_files=ctx.max_files)

    @router.post(
        "/modules/{name}/trainings", response_model=JobResponse, status_code=202, tags=["training"]
    )
    async def start_training(
        name: str, user: CurrentUser, params: dict[str, Any] = Body(default_factory=dict)
    ) -> JobResponse:  # noqa: B008
        """Start a training job with the module's training parameters (JSON body)."""
        manifest = host.manifest(name)
        if "train" not in manifest.capabilities:
            raise CapabilityNotSupported(f"module {name!r} cannot train")
        module_class = await run_in_threadpool(host.registry.load_class, name)
        parsed = parse_params(module_class.train_params, params, what="training parameters")
        record = await run_in_threadpool(
            lambda: jobs.submit(
                module=name,
                runner=TRAIN_MODULE,
                args=parsed.model_dump(mode="json"),
                owner=owner_key(user),
            )
        )
        return JobResponse.of(record)

    @router.get("/modules/{name}/trainings", response_model=list[JobResponse], tags=["training"])
    async def list_module_trainings(name: str, user: CurrentUser) -> list[JobResponse]:
        """Your training jobs of one module, newest first."""
        host.manifest(name)
        return [JobResponse.of(r) for r in jobs.list(module=name, owner=owner_key(user))]

    @router.get("/jobs", response_model=list[JobResponse], tags=["training"])
    async def list_jobs(user: CurrentUser) -> list[JobResponse]:
        """Your training jobs, newest first."""
        return [JobResponse.of(r) for r in jobs.list(owner=owner_key(user))]

    @router.get("/jobs/{job_id}", response_model=JobResponse, tags=["training"])
    async def show_job(job_id: str, user: CurrentUser) -> JobResponse:
        """One of your training jobs (someone else's is a 404)."""
        return JobResponse.of(jobs.get(job_id, owner=owner_key(user)))

    @router.get("/jobs/{job_id}/log", response_class=PlainTextResponse, tags=["training"])
    async def job_log(job_id: str, user: CurrentUser, tail: int = 200) -> str:
        """The last ``tail`` lines of the job's log."""
        record = jobs.get(job_id, owner=owner_key(user))
        if not record.log_path.exists():
            return ""
        lines = record.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-max(1, tail) :]) + "\n"

    @router.post("/jobs/{job_id}/resume", response_model=JobResponse, tags=["training"])
    async def resume_job(job_id: str, user: CurrentUser) -> JobResponse:
        """Run an interrupted, failed or cancelled job again from its last checkpoint."""
        owner = owner_key(user)
        return JobResponse.of(await run_in_threadpool(lambda: jobs.resume(job_id, owner=owner)))

    @router.delete("/jobs/{job_id}", response_model=JobResponse, tags=["training"])
    async def cancel_job(job_id: str, user: CurrentUser) -> JobResponse:
        """Cancel a job (a finished job is returned unchanged)."""
        owner = owner_key(user)
        return JobResponse.of(await run_in_threadpool(lambda: jobs.cancel(job_id, owner=owner)))

    return router
