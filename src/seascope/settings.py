"""Settings read from ``SEASCOPE_*`` environment variables.

Only composition roots (the CLI commands and the app factory's callers) build a
:class:`Settings`; everything below them receives plain values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

MIB = 1024 * 1024


def _default_home() -> Path:
    return Path.home() / ".seascope"


class Settings(BaseSettings):
    """Platform settings. Every field can be set as ``SEASCOPE_<FIELD>``.

    Example:
        >>> Settings(home=Path("/tmp/x"), port=8080).port
        8080
    """

    model_config = SettingsConfigDict(env_prefix="SEASCOPE_", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Where seascope keeps its database, jobs, models and logs.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=5000, ge=0, le=65535, description="Port the server listens on.")
    base_path: str = Field(default="", description="URL prefix for every route (reverse proxies).")
    max_request_bytes: int = Field(
        default=64 * MIB, ge=0, description="Largest accepted request body; 0 means unlimited."
    )
    max_image_pixels: int = Field(
        default=180_000_000,
        ge=1,
        description="Largest accepted image in pixels (width x height); guards against bombs.",
    )
    max_files_per_request: int = Field(default=256, ge=1)
    predict_threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads of one module call in servers (engine and preprocessing); "
        "0 shares the cores among the batch workers (cores / SEASCOPE_BATCH_WORKERS).",
    )
    batch_max_images: int = Field(
        default=32, ge=1, description="Most images the server gives a module in one call."
    )
    batch_max_wait_ms: float = Field(
        default=0.0,
        ge=0.0,
        description="How long a free batch worker waits for more requests (ms). 0 runs "
        "what is waiting at once; batches grow by themselves under load.",
    )
    batch_workers: int = Field(
        default=0, ge=0, description="Threads calling each module; 0 = one per CPU core."
    )
    max_queued_images: int = Field(
        default=1024, ge=1, description="Images allowed to wait per module before 503s."
    )
    gil_switch_ms: float = Field(
        default=1.0,
        gt=0.0,
        le=100.0,
        description="How long (ms) a server thread may hold Python's GIL while others "
        "wait. Python's 5 ms lets request handling starve the batch workers; 1 ms "
        "measured 25-35 % more predictions/s on 2 cores (docs/benchmarks.md).",
    )
    access_log: bool = Field(
        default=True,
        description="Log one line per HTTP request on standard output (uvicorn's access "
        "log). Turn it off for instrument-scale traffic: with one image per request it is a "
        "line per image, and /metrics counts every request either way.",
    )
    predict_timeout: float = Field(
        default=120.0, gt=0.0, description="Seconds a request may wait for its predictions."
    )
    tracking_uri: str = Field(
        default="",
        description="Where training runs are tracked: empty = MLflow embedded in "
        "<home>/tracking, 'none' = off, http(s)://... = an MLflow server, "
        "postgresql://... = an MLflow database.",
    )
    database_url: str = Field(
        default="", description="Platform database; empty = sqlite:///<home>/platform.sqlite."
    )
    auth_mode: Literal["local", "token", "oidc"] = Field(
        default="local",
        description="local: one user, loopback only; token: API tokens; oidc: bearer JWTs.",
    )
    allow_insecure_bind: bool = Field(
        default=False, description="Let local mode listen beyond loopback."
    )
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_groups_claims: str = "keycloak:realm_access.roles,egi:eduperson_entitlement"
    oidc_leeway: float = 30.0
    oidc_timeout: float = 5.0
    # Deployments and try-it sessions (docs/deployments.md).
    try_minutes: float = Field(
        default=10.0, gt=0.0, description="How long a try-it session lasts, in minutes."
    )
    try_limit: int = Field(default=2, ge=1, description="Concurrent try-it sessions per user.")
    deployment_max_restarts: int = Field(
        default=3, ge=0, description="Restarts of a failing deployment before it is 'failed'."
    )
    deployment_id: str = Field(
        default="",
        description="Set by the platform in a deployment's own server: that server serves "
        "its module only and runs no deployments or tries of its own.",
    )
    modules: list[str] = Field(
        default_factory=list, description="Serve only these modules (default: all installed)."
    )
    deepaas_model: str = Field(
        default="",
        validation_alias="DEEPAAS_V2_MODEL",
        description="DEEPaaS's own variable: serve only this DEEPaaS module.",
    )

    @property
    def platform_database_url(self) -> str:
        """The platform database URL (SQLite in the home unless ``database_url`` is set)."""
        return self.database_url or f"sqlite:///{self.home / 'platform.sqlite'}"

    @property
    def jobs_database(self) -> Path:
        """SQLite file holding training-job records."""
        return self.home / "jobs.sqlite"

    @property
    def jobs_directory(self) -> Path:
        """Folder with one sub-folder of logs and outputs per job."""
        return self.home / "jobs"
