"""Response models of the native API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from seascope.modules import ModuleManifest
from seascope.platform import Principal
from seascope.training import JobRecord
from seascope.types import JsonValue, Prediction

__all__ = [
    "HealthResponse",
    "JobResponse",
    "ModuleDetail",
    "ModuleList",
    "ModuleSummary",
    "PredictResponse",
    "ReadyResponse",
    "Timing",
]


class ModuleSummary(BaseModel):
    """A module in listings."""

    name: str
    version: str
    title: str
    summary: str
    task: str
    capabilities: list[str]
    license: str
    tags: list[str]
    loaded: bool
    links: dict[str, str]

    @classmethod
    def of(cls, manifest: ModuleManifest, *, loaded: bool, prefix: str) -> ModuleSummary:
        """Summarise ``manifest``; ``prefix`` is the API's base URL path."""
        base = f"{prefix}/v1/modules/{manifest.name}"
        return cls(
            name=manifest.name,
            version=manifest.version,
            title=manifest.title,
            summary=manifest.summary,
            task=manifest.task,
            capabilities=sorted(manifest.capabilities),
            license=manifest.license,
            tags=list(manifest.tags),
            loaded=loaded,
            links={"self": base, "predict": f"{base}/predict"},
        )


class ModuleList(BaseModel):
    """``GET /v1/modules``."""

    modules: list[ModuleSummary]
    problems: list[dict[str, str]] = Field(
        default_factory=list, description="Installed modules that could not be read."
    )


class ModuleDetail(BaseModel):
    """``GET /v1/modules/{name}``: the manifest, parameter schemas and runtime facts."""

    manifest: dict[str, Any]
    predict_params: dict[str, Any]
    train_params: dict[str, Any] | None
    loaded: bool
    runtime: dict[str, Any]
    error: str | None = None


class Timing(BaseModel):
    """Where a request's time went, in seconds."""

    decode: float
    predict: float
    total: float


class PredictResponse(BaseModel):
    """``POST /v1/modules/{name}/predict``."""

    module: str
    version: str
    predictions: list[Prediction]
    timing: Timing


class JobResponse(BaseModel):
    """A training job."""

    id: str
    module: str
    owner: str
    status: str
    args: dict[str, JsonValue]
    created_at: str
    started_at: str | None
    finished_at: str | None
    message: str
    progress: dict[str, JsonValue]
    metrics: list[dict[str, JsonValue]]
    result: JsonValue

    @classmethod
    def of(cls, record: JobRecord) -> JobResponse:
        """Shape ``record`` for the API (ISO-8601 UTC times)."""
        return cls(
            id=record.id,
            module=record.module,
            owner=record.owner,
            status=record.status.value,
            args=record.args,
            created_at=record.created_at.isoformat(),
            started_at=record.started_at.isoformat() if record.started_at else None,
            finished_at=record.finished_at.isoformat() if record.finished_at else None,
            message=record.message,
            progress=record.progress,
            metrics=record.metrics,
            result=record.result,
        )


class HealthResponse(BaseModel):
    """``GET /v1/health``: the process answers."""

    status: str = "ok"
    version: str


class ReadyResponse(BaseModel):
    """``GET /v1/ready``: every module to warm is loaded."""

    ready: bool
    loaded: list[str]
    pending: list[str]
    failed: dict[str, str]


class MeResponse(BaseModel):
    """``GET /v1/me``: who the server takes the caller for."""

    anonymous: bool
    subject: str
    name: str
    email: str
    method: str
    auth_mode: str = Field(description="The server's auth mode: local, token or oidc.")
    groups: dict[str, str] = Field(default_factory=dict, description="VO to access level.")

    @classmethod
    def of(cls, principal: Principal, *, auth_mode: str) -> MeResponse:
        """The response for ``principal``."""
        return cls(
            anonymous=principal.is_anonymous,
            subject=principal.subject,
            name=principal.name,
            email=principal.email,
            method=principal.method.value,
            auth_mode=auth_mode,
            groups={vo: level.value for vo, level in principal.groups.items()},
        )
