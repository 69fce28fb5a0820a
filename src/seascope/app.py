"""The HTTP composition root: one ASGI app serving the native API and the DEEPaaS v2 API.

``create_app`` wires objects built by its caller (the CLI, tests, benchmarks); it reads
no settings and starts nothing at import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seascope._version import __version__
from seascope.api import build_api_router, error_body, install_error_handlers
from seascope.api.catalog_routes import build_catalog_router
from seascope.api.dataset_uploads import build_dataset_upload_router
from seascope.api.deployment_routes import build_deployment_router
from seascope.api.job_files import build_job_files_router
from seascope.api.metrics import Metrics, MetricsMiddleware, build_metrics_router
from seascope.api.router import ApiContext
from seascope.api.try_routes import build_try_router
from seascope.catalog import Catalog
from seascope.dashboard import install_dashboard
from seascope.deepaas.loading import DeepaasModels, load_deepaas_models
from seascope.deepaas.routes import build_deepaas_router
from seascope.errors import PayloadTooLarge
from seascope.inference import ModuleHost
from seascope.platform import Authenticator, AuthMode, LocalAuthenticator
from seascope.platform.deployments import DeploymentService
from seascope.platform.tries import TryService
from seascope.training import JobManager

__all__ = ["BodyLimit", "ServerOptions", "create_app"]

_log = logging.getLogger("seascope.server")


@dataclass(frozen=True)
class ServerOptions:
    """How the server behaves (built from ``Settings`` and command-line options).

    Attributes:
        base_path: URL prefix for every route ("" or "/something").
        max_request_bytes: Largest request body; 0 means unlimited (DEEPaaS's default).
        max_files_per_request: Most files in one multipart request.
        predict_endpoint / train_endpoint: DEEPaaS's switches; disabled routes answer 402.
        doc_endpoint: Serve Swagger UI at ``/api`` (and ``/docs``).
        debug_endpoint: Serve DEEPaaS's ``/v2/debug/``.
        deepaas_models: DEEPaaS modules to serve (empty: all installed, or
            ``DEEPAAS_V2_MODEL``).
        include_deepaas_modules: Also host ``deepaas.v2.model`` entry points.
        warm: Load every module at start-up instead of on first use.
    """

    base_path: str = ""
    max_request_bytes: int = 64 * 1024 * 1024
    max_files_per_request: int = 256
    predict_endpoint: bool = True
    train_endpoint: bool = True
    doc_endpoint: bool = True
    debug_endpoint: bool = False
    deepaas_models: tuple[str, ...] = field(default_factory=tuple)
    include_deepaas_modules: bool = True
    warm: bool = True


def create_app(
    *,
    host: ModuleHost,
    jobs: JobManager,
    options: ServerOptions,
    catalog: Catalog,
    authenticator: Authenticator | None = None,
    auth_mode: AuthMode = AuthMode.LOCAL,
    deployments: DeploymentService | None = None,
    tries: TryService | None = None,
) -> FastAPI:
    """Build the ASGI application.

    Args:
        host: The seascope modules to serve.
        jobs: Where training jobs run.
        options: Server behaviour.
        catalog: The module catalog served at ``/v1/catalog``.
        authenticator: Who is calling (default: the single local user, no login).
        auth_mode: The mode ``authenticator`` implements (reported by ``/v1/me``).
        deployments: Serves ``/v1/deployments`` when given (closed at shutdown; the
            deployments' servers keep running).
        tries: Serves ``/v1/tries`` when given, predicting with ``host``.
    """
    warm_names = host.registry.names() if options.warm else []
    legacy: DeepaasModels | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if options.warm:
            # Load in the background: /v1/health answers at once, /v1/ready when loaded.
            threading.Thread(target=_warm, args=(host, warm_names, legacy), daemon=True).start()
        yield
        if tries is not None:
            tries.close()
        if deployments is not None:
            deployments.close()
        jobs.close()
        host.close()

    docs = options.doc_endpoint
    app = FastAPI(
        title="seascope",
        version=__version__,
        summary="AI image analysis for aquatic science: native API (/v1) and DEEPaaS v2 API (/v2).",
        root_path_in_servers=False,
        docs_url=f"{options.base_path}/docs" if docs else None,
        redoc_url=None,
        openapi_url=f"{options.base_path}/openapi.json",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.authenticator = authenticator or LocalAuthenticator()
    api = ApiContext(
        host=host,
        jobs=jobs,
        prefix=options.base_path,
        max_files=options.max_files_per_request,
        warm=warm_names,
        auth_mode=auth_mode.value,
    )
    app.include_router(build_api_router(api), prefix=options.base_path)
    # Right after the native routes: requests are matched against the routes in order,
    # and the two predict routes are the ones called per image.
    legacy = _mount_deepaas(app, host=host, jobs=jobs, options=options)
    app.include_router(
        build_catalog_router(catalog),
        prefix=options.base_path,
    )
    metrics = Metrics(
        host=host,
        jobs=jobs,
        deployments=deployments.status_counts if deployments is not None else None,
        tries=tries.status_counts if tries is not None else None,
    )
    app.state.metrics = metrics
    app.include_router(build_metrics_router(metrics), prefix=options.base_path)
    # The dashboard's API routes: evaluation files of a job, uploaded training datasets.
    app.include_router(build_job_files_router(jobs), prefix=options.base_path)
    app.include_router(
        build_dataset_upload_router(folder=jobs.jobs_dir.parent / "uploads"),
        prefix=options.base_path,
    )
    if deployments is not None:
        app.include_router(build_deployment_router(deployments), prefix=options.base_path)
    if tries is not None:
        try_router = build_try_router(tries, host, max_files=options.max_files_per_request)
        app.include_router(try_router, prefix=options.base_path)
    install_dashboard(
        app,
        catalog=catalog,
        host=host,
        base_path=options.base_path,
        api_docs=options.doc_endpoint,
    )
    if options.max_request_bytes:
        app.add_middleware(BodyLimit, max_bytes=options.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _mount_deepaas(
    app: FastAPI, *, host: ModuleHost, jobs: JobManager, options: ServerOptions
) -> DeepaasModels | None:
    """Add the DEEPaaS v2 routes; returns the hosted third-party DEEPaaS modules, if any.

    The router's paths already carry the base path, and its versions document owns ``/``.
    """
    legacy = None
    if options.include_deepaas_modules:
        legacy = load_deepaas_models(options.deepaas_models)
    app.include_router(build_deepaas_router(host=host, jobs=jobs, options=options, legacy=legacy))
    return legacy


def _warm(host: ModuleHost, names: list[str], legacy: DeepaasModels | None) -> None:
    failures = host.warm(names)
    if legacy is not None:
        failures.update(legacy.warm())
    for name, error in failures.items():
        _log.error("module %s could not be loaded: %s", name, error.message)


class BodyLimit:
    """Refuse request bodies above ``max_bytes`` with a JSON 413, before reading them.

    The ``Content-Length`` header is checked first; chunked bodies are counted as they
    stream in and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, int(declared))
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._message(received))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge as exc:
            if response_started:
                raise
            response = JSONResponse(error_body(exc), status_code=413)
            await response(scope, receive, send)

    def _message(self, size: int) -> str:
        return (
            f"request body of {size} bytes is above the limit of {self.max_bytes} bytes "
            "(raise it with --client-max-size or SEASCOPE_MAX_REQUEST_BYTES)"
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        response = JSONResponse(error_body(PayloadTooLarge(self._message(size))), status_code=413)
        await response(scope, receive, send)
