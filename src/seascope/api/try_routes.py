"""``build_try_router``: ``/v1/tries``, try a module for a few minutes, then it stops.

Predictions of a try run in this server's own :class:`~seascope.inference.ModuleHost`
(micro-batched with everyone else's), answered like ``/v1/modules/{name}/predict``.
Every route needs a signed-in user and touches only that user's tries (others' are 404).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from seascope.api.deps import CurrentUser
from seascope.api.predict_requests import PREDICT_REQUEST_BODY, predict_request
from seascope.api.schemas import PredictResponse
from seascope.inference import ModuleHost
from seascope.platform.timestamps import utc_now
from seascope.platform.tries import TryInfo, TryService

__all__ = ["TryRequest", "TryResponse", "build_try_router"]


class TryRequest(BaseModel):
    """``POST /v1/tries``: which module to try."""

    model_config = ConfigDict(extra="forbid")

    module: str = Field(description="Name of the module to try (see GET /v1/modules).")


class TryResponse(BaseModel):
    """A try as its owner sees it."""

    id: str
    module: str
    status: str = Field(description="running, or stopped once its time is up or on request.")
    expires_at: datetime
    seconds_left: float = Field(description="Seconds until it ends (0 once it has).")
    created_at: datetime
    stopped_at: datetime | None
    message: str = Field(description="Why it ended; empty while it runs.")

    @classmethod
    def of(cls, info: TryInfo) -> TryResponse:
        """The response for ``info``, with the seconds left now."""
        return cls(
            id=str(info.id),
            module=info.module,
            status=info.status.value,
            expires_at=info.expires_at,
            seconds_left=round(info.seconds_left(utc_now()), 3),
            created_at=info.created_at,
            stopped_at=info.stopped_at,
            message=info.message,
        )


def build_try_router(service: TryService, host: ModuleHost, *, max_files: int = 256) -> APIRouter:
    """The ``/v1/tries`` routes: ``service`` keeps the tries, ``host`` predicts."""
    router = APIRouter(prefix="/v1", tags=["try it"])

    @router.post("/tries", response_model=TryResponse, status_code=201)
    async def start_try(body: TryRequest, user: CurrentUser) -> TryResponse:
        """Start trying a module; 429 when you already have as many tries as allowed."""
        return TryResponse.of(await run_in_threadpool(service.start, user, body.module))

    @router.get("/tries", response_model=list[TryResponse])
    async def list_tries(user: CurrentUser) -> list[TryResponse]:
        """Your tries, newest first."""
        return [TryResponse.of(info) for info in await run_in_threadpool(service.list, user)]

    @router.get("/tries/{try_id}", response_model=TryResponse)
    async def show_try(try_id: str, user: CurrentUser) -> TryResponse:
        """One of your tries."""
        return TryResponse.of(await run_in_threadpool(service.get, user, try_id))

    @router.delete("/tries/{try_id}", response_model=TryResponse)
    async def stop_try(try_id: str, user: CurrentUser) -> TryResponse:
        """End a try now (an ended one is returned unchanged)."""
        return TryResponse.of(await run_in_threadpool(service.stop, user, try_id))

    @router.post(
        "/tries/{try_id}/predict",
        response_model=PredictResponse,
        openapi_extra=PREDICT_REQUEST_BODY,
    )
    async def predict_in_try(try_id: str, request: Request, user: CurrentUser) -> PredictResponse:
        """Predict images with the try's module while the try runs (410 once it has ended)."""
        trial = await run_in_threadpool(service.require_running, user, try_id)
        return await predict_request(host, trial.module, request, max_files=max_files)

    return router
