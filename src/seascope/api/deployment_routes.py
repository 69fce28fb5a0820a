"""``build_deployment_router``: ``/v1/deployments``, the caller's own deployments.

Every route needs a signed-in user and shows or touches only that user's deployments;
someone else's deployment is a 404, exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from seascope.api.deps import CurrentUser
from seascope.platform.deployments import DeploymentInfo, DeploymentResources, DeploymentService

__all__ = ["DeploymentRequest", "DeploymentResponse", "build_deployment_router"]


class DeploymentRequest(BaseModel):
    """``POST /v1/deployments``: which module, with which resources."""

    model_config = ConfigDict(extra="forbid")

    module: str = Field(description="Name of the module to serve (see GET /v1/modules).")
    resources: DeploymentResources = Field(default_factory=DeploymentResources)


class DeploymentResponse(BaseModel):
    """A deployment as its owner sees it."""

    id: str
    module: str
    status: str = Field(description="queued, starting, running, failed or stopped.")
    endpoint: str | None = Field(
        description="Base URL of the deployment's own server (its /v1 and /v2 APIs)."
    )
    resources: DeploymentResources
    restarts: int = Field(description="Restarts made by the restart policy.")
    message: str = Field(description="Why it is in its state; empty when all is well.")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None

    @classmethod
    def of(cls, info: DeploymentInfo) -> DeploymentResponse:
        """The response for ``info``."""
        return cls(
            id=str(info.id),
            module=info.module,
            status=info.status.value,
            endpoint=info.endpoint,
            resources=info.resources,
            restarts=info.restarts,
            message=info.message,
            created_at=info.created_at,
            updated_at=info.updated_at,
            started_at=info.started_at,
            stopped_at=info.stopped_at,
        )


def build_deployment_router(service: DeploymentService) -> APIRouter:
    """The ``/v1/deployments`` routes over ``service``."""
    router = APIRouter(prefix="/v1", tags=["deployments"])

    @router.post("/deployments", response_model=DeploymentResponse, status_code=201)
    async def start_deployment(body: DeploymentRequest, user: CurrentUser) -> DeploymentResponse:
        """Start serving a module with the given resources; it turns running when healthy."""
        info = await run_in_threadpool(service.start, user, body.module, body.resources)
        return DeploymentResponse.of(info)

    @router.get("/deployments", response_model=list[DeploymentResponse])
    async def list_deployments(user: CurrentUser) -> list[DeploymentResponse]:
        """Your deployments, newest first."""
        return [DeploymentResponse.of(i) for i in await run_in_threadpool(service.list, user)]

    @router.get("/deployments/{deployment_id}", response_model=DeploymentResponse)
    async def show_deployment(deployment_id: str, user: CurrentUser) -> DeploymentResponse:
        """One of your deployments."""
        return DeploymentResponse.of(await run_in_threadpool(service.get, user, deployment_id))

    @router.delete("/deployments/{deployment_id}", response_model=DeploymentResponse)
    async def stop_deployment(deployment_id: str, user: CurrentUser) -> DeploymentResponse:
        """Stop a deployment; answers its record, ``stopped`` (an ended one is unchanged)."""
        return DeploymentResponse.of(await run_in_threadpool(service.stop, user, deployment_id))

    @router.get("/deployments/{deployment_id}/log", response_class=PlainTextResponse)
    async def deployment_log(
        deployment_id: str,
        user: CurrentUser,
        tail: int = Query(default=200, ge=1, le=10_000, description="Lines from the end."),
    ) -> str:
        """The last lines of the deployment's server log (every start appends to it)."""
        return await run_in_threadpool(lambda: service.logs(user, deployment_id, tail=tail))

    return router
