"""``ServePlan``: everything needed to build the server, in one value that crosses processes.

With one worker the CLI builds the app in-process. With several, uvicorn starts worker
processes that each import :func:`app_from_environment` by name (uvicorn needs an import
string for that); the plan travels to them as JSON in an environment variable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from seascope.catalog import Catalog
from seascope.cli.state import configure_logging
from seascope.errors import ConfigError
from seascope.inference import MicroBatchOptions, ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager

if TYPE_CHECKING:
    from fastapi import FastAPI

    from seascope.app import ServerOptions
    from seascope.platform import AuthConfig, Database
    from seascope.platform.deployments import DeploymentService
    from seascope.platform.tries import TryService
    from seascope.settings import Settings

__all__ = [
    "PLAN_VARIABLE",
    "AuthPlan",
    "ServePlan",
    "app_from_environment",
    "build_app",
    "prepare_database",
    "tune_interpreter",
]

PLAN_VARIABLE = "_SEASCOPE_SERVE_PLAN"
"""Environment variable carrying the JSON plan to uvicorn's worker processes."""

APP_FACTORY = "seascope.cli.serve_plan:app_from_environment"
"""Import string of :func:`app_from_environment`, for ``uvicorn.run(..., factory=True)``."""


class AuthPlan(BaseModel):
    """Who may use the server: the auth mode and, for ``oidc``, how tokens are checked.

    Mirrors the ``auth_mode`` and ``oidc_*`` fields of :class:`seascope.settings.Settings`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["local", "token", "oidc"] = "local"
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_groups_claims: str = "keycloak:realm_access.roles,egi:eduperson_entitlement"
    oidc_leeway: float = 30.0
    oidc_timeout: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthPlan:
        """The auth part of ``settings``."""
        return cls(
            mode=settings.auth_mode,
            oidc_issuer=settings.oidc_issuer,
            oidc_audience=settings.oidc_audience,
            oidc_jwks_url=settings.oidc_jwks_url,
            oidc_algorithms=tuple(settings.oidc_algorithms),
            oidc_groups_claims=settings.oidc_groups_claims,
            oidc_leeway=settings.oidc_leeway,
            oidc_timeout=settings.oidc_timeout,
        )

    def config(self) -> AuthConfig:
        """The platform's auth configuration (checks the OIDC options)."""
        from seascope.platform import AuthConfig, AuthMode, OidcOptions

        oidc = None
        if self.mode == "oidc":
            oidc = OidcOptions(
                issuer=self.oidc_issuer,
                audience=self.oidc_audience,
                jwks_url=self.oidc_jwks_url,
                algorithms=self.oidc_algorithms,
                groups_claims=self.oidc_groups_claims,
                leeway=self.oidc_leeway,
                timeout=self.oidc_timeout,
            )
        return AuthConfig(mode=AuthMode(self.mode), oidc=oidc)


class ServePlan(BaseModel):
    """How to serve: where, which modules, with which weights and switches.

    Attributes:
        modules: seascope modules to serve; ``None`` serves every installed one.
        deepaas_models: DEEPaaS (``deepaas.v2.model``) modules to serve; empty with
            ``include_deepaas_modules`` serves all of them.
        verbose: Debug logging in the server.
        Other fields mirror :class:`seascope.settings.Settings` and
        :class:`seascope.app.ServerOptions`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = Field(ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    device: str = "cpu"
    home: Path
    jobs_database: Path
    jobs_directory: Path
    modules: tuple[str, ...] | None = None
    weights: dict[str, Path] = Field(default_factory=dict)
    max_image_pixels: int
    base_path: str = ""
    max_request_bytes: int = Field(ge=0)
    max_files_per_request: int = Field(ge=1)
    predict_endpoint: bool = True
    train_endpoint: bool = True
    doc_endpoint: bool = True
    debug_endpoint: bool = False
    deepaas_models: tuple[str, ...] = ()
    include_deepaas_modules: bool = True
    warm: bool = True
    verbose: bool = False
    batching: MicroBatchOptions = Field(default_factory=MicroBatchOptions)
    gil_switch_ms: float = Field(default=1.0, gt=0.0)
    access_log: bool = True
    tracking_uri: str = ""
    auth: AuthPlan = Field(default_factory=lambda: AuthPlan())
    database_url: str = ""
    allow_insecure_bind: bool = False
    # Deployments and try-it sessions (issue 5); off in a deployment's own server.
    platform_services: bool = True
    try_minutes: float = Field(default=10.0, gt=0.0)
    try_limit: int = Field(default=2, ge=1)
    deployment_max_restarts: int = Field(default=3, ge=0)

    @property
    def platform_database_url(self) -> str:
        """The platform database (SQLite in the home unless ``database_url`` is set)."""
        return self.database_url or f"sqlite:///{self.home / 'platform.sqlite'}"

    @property
    def cache_directory(self) -> Path:
        """Folder modules may use for caches."""
        return self.home / "cache"

    def server_options(self) -> ServerOptions:
        """The app's options (imports ``seascope.app`` only when called)."""
        from seascope.app import ServerOptions

        return ServerOptions(
            base_path=self.base_path,
            max_request_bytes=self.max_request_bytes,
            max_files_per_request=self.max_files_per_request,
            predict_endpoint=self.predict_endpoint,
            train_endpoint=self.train_endpoint,
            doc_endpoint=self.doc_endpoint,
            debug_endpoint=self.debug_endpoint,
            deepaas_models=self.deepaas_models,
            include_deepaas_modules=self.include_deepaas_modules,
            warm=self.warm,
        )


def build_app(plan: ServePlan, registry: ModuleRegistry) -> tuple[FastAPI, JobManager]:
    """Wire the registry, module host and job manager into the ASGI app.

    Args:
        plan: What to serve.
        registry: The installed modules (restricted to ``plan.modules`` here).

    Returns:
        The app and its job manager (the caller closes the manager when the server stops).
    """
    from seascope.app import create_app
    from seascope.platform import Database, build_authenticator

    served = registry if plan.modules is None else registry.only(plan.modules)
    host = ModuleHost(
        served,
        device=plan.device,
        weights=plan.weights,
        max_image_pixels=plan.max_image_pixels,
        cache_dir=plan.cache_directory,
        batching=plan.batching,
    )
    jobs = JobManager(
        database=plan.jobs_database,
        jobs_dir=plan.jobs_directory,
        device=plan.device,
        tracking_uri=plan.tracking_uri or None,
    )
    catalog = Catalog.open(
        registry=served, folder=plan.home / "catalog", packages=plan.home / "packages"
    )
    # The parent process migrated the database before starting (see ``prepare_database``).
    database = Database(plan.platform_database_url)
    config = plan.auth.config()
    deployments, tries = (
        _platform_services(plan, database, registry=registry, host=host)
        if plan.platform_services
        else (None, None)
    )
    app = create_app(
        host=host,
        jobs=jobs,
        options=plan.server_options(),
        catalog=catalog,
        authenticator=build_authenticator(config, database=database),
        auth_mode=config.mode,
        deployments=deployments,
        tries=tries,
    )
    return app, jobs


def _platform_services(
    plan: ServePlan, database: Database, *, registry: ModuleRegistry, host: ModuleHost
) -> tuple[DeploymentService, TryService]:
    """Deployments (any installed module; reattached at start) and tries (on ``host``)."""
    from datetime import timedelta

    from seascope.platform.deployments import DeploymentService, RestartPolicy
    from seascope.platform.tries import TryService

    deployments = DeploymentService.local(
        database,
        registry,
        home=plan.home,
        policy=RestartPolicy(max_restarts=plan.deployment_max_restarts),
    )
    deployments.recover()  # servers of the last platform process: reattach or mark failed
    tries = TryService(
        database,
        host.registry,
        duration=timedelta(minutes=plan.try_minutes),
        limit=plan.try_limit,
    )
    return deployments, tries


def prepare_database(plan: ServePlan) -> None:
    """Create or update the platform database's tables, once, before any worker starts.

    Raises:
        DatabaseError: the database cannot be reached or migrated.
    """
    from seascope.platform import Database, upgrade_database

    plan.auth.config()  # bad OIDC options fail here, before anything is written
    database = Database(plan.platform_database_url)
    try:
        upgrade_database(database)
    finally:
        database.close()


def tune_interpreter(plan: ServePlan) -> None:
    """Set the serving process's GIL switch interval (``SEASCOPE_GIL_SWITCH_MS``).

    A server's threads mostly run native code (decoding, the model) and need the GIL
    only briefly in between; with Python's 5 ms default a thread coming back from
    native code often waits that long behind the event loop, and the cores idle.
    """
    sys.setswitchinterval(plan.gil_switch_ms / 1000.0)


def app_from_environment() -> FastAPI:
    """Build the app of a uvicorn worker process from the plan in :data:`PLAN_VARIABLE`.

    Raises:
        ConfigError: the variable is missing (the function was called outside
            ``seascope serve --workers N``).
    """
    text = os.environ.get(PLAN_VARIABLE)
    if not text:
        raise ConfigError(f"{PLAN_VARIABLE} is not set; start the server with 'seascope serve'")
    plan = ServePlan.model_validate_json(text)
    configure_logging(verbose=plan.verbose)
    tune_interpreter(plan)
    app, _ = build_app(plan, ModuleRegistry.from_entry_points())
    return app
