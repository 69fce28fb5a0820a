"""``build_deepaas_router``: the DEEPaaS v2 API (2.6.0) as a FastAPI router.

Every path, status and body follows DEEPaaS 2.6.0 (see ``docs/deepaas-compatibility.md``):
308 redirects for missing trailing slashes (query string kept), 405 for other methods
and ``HEAD``, text ``404: Not Found`` for unknown models and trainings, 402 for disabled
predict/train routes, the versions document at exactly ``{base}`` (``/`` without a base
path). The router holds no global state: everything it serves is passed in.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from seascope.deepaas.debug import DebugLog
from seascope.deepaas.documents import DocumentEndpoints
from seascope.deepaas.loading import DeepaasModels
from seascope.deepaas.request_values import read_request_values
from seascope.deepaas.responses import (
    error_response,
    json_response,
    outcome_response,
    text_status,
    unexpected_error_response,
)
from seascope.deepaas.route_options import DeepaasRouteOptions, RouteOptions
from seascope.deepaas.served import ServedModel
from seascope.deepaas.served_deepaas import ServedDeepaasModel
from seascope.deepaas.served_seascope import ServedSeascopeModule
from seascope.deepaas.status_endpoints import (
    Endpoint,
    not_allowed,
    not_found,
    payment_required,
    slash_redirect,
)
from seascope.deepaas.trainings import training_object
from seascope.errors import JobNotFound, SeascopeError
from seascope.inference import ModuleHost
from seascope.platform import (
    Authenticator,
    Principal,
    authenticate_off_loop,
    owner_key,
    require_user,
)
from seascope.training import JobManager, JobRecord
from seascope.types import JsonValue

__all__ = ["DeepaasRouteOptions", "RouteOptions", "build_deepaas_router", "served_models"]

_log = logging.getLogger("seascope.deepaas")

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def served_models(host: ModuleHost, legacy: DeepaasModels | None) -> dict[str, ServedModel]:
    """Every model on the v2 routes: DEEPaaS modules first, then seascope modules.

    A seascope module and a DEEPaaS module with the same name (a package may declare
    both entry points) are served once, as the seascope module.
    """
    served: dict[str, ServedModel] = {}
    for model in legacy or ():
        served[model.name] = ServedDeepaasModel(model)
    for name in host.registry.names():
        if name in served:
            _log.warning(
                "%r is both a seascope module and a DEEPaaS model; serving the seascope module",
                name,
            )
        served[name] = ServedSeascopeModule(host, name)
    return served


def build_deepaas_router(
    *,
    host: ModuleHost,
    jobs: JobManager,
    options: RouteOptions,
    legacy: DeepaasModels | None = None,
    debug_log: DebugLog | None = None,
) -> APIRouter:
    """Build the DEEPaaS v2 routes for ``host``'s modules and the ``legacy`` DEEPaaS models.

    Args:
        host: seascope modules (loaded on demand through ``Predictor``).
        jobs: Where trainings run (persisted; they survive restarts).
        options: Base path, endpoint switches and limits (``ServerOptions`` works).
        legacy: Unmodified DEEPaaS modules (``load_deepaas_models``); warm them before
            serving if wanted (``legacy.warm()``).
        debug_log: Log buffer served at ``/v2/debug/`` when the debug endpoint is on; if
            omitted, one is created and attached to the root logger.

    Returns:
        A router to include in the app without a prefix (paths carry the base path).

    Example:
        >>> router = build_deepaas_router(host=host, jobs=jobs, options=opts)  # doctest: +SKIP
        >>> app.include_router(router)  # doctest: +SKIP
    """
    if options.debug_endpoint and debug_log is None:
        debug_log = DebugLog()
        logging.getLogger().addHandler(debug_log)
    routes = _DeepaasRoutes(
        models=served_models(host, legacy),
        jobs=jobs,
        options=DeepaasRouteOptions(
            base_path=options.base_path.rstrip("/"),
            max_files_per_request=options.max_files_per_request,
            predict_endpoint=options.predict_endpoint,
            train_endpoint=options.train_endpoint,
            doc_endpoint=options.doc_endpoint,
            debug_endpoint=options.debug_endpoint,
        ),
        debug_log=debug_log,
    )
    return routes.router()


class _DeepaasRoutes:
    """The route handlers, bound to the objects they serve."""

    def __init__(
        self,
        *,
        models: dict[str, ServedModel],
        jobs: JobManager,
        options: DeepaasRouteOptions,
        debug_log: DebugLog | None,
    ) -> None:
        self.models = models
        self.jobs = jobs
        self.options = options
        self.base = options.base_path
        self.documents = DocumentEndpoints(
            models=lambda: list(models.values()), options=options, debug_log=debug_log
        )

    def router(self) -> APIRouter:
        router = APIRouter()
        base = self.base
        v2 = f"{base}/v2"
        model = f"{v2}/models/{{name}}"
        docs = self.documents

        def add(path: str, endpoints: Mapping[str, Endpoint]) -> None:
            for method, endpoint in endpoints.items():
                router.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
            others = [m for m in _METHODS if m not in endpoints]
            if others:
                allowed = ", ".join(endpoints)
                router.add_api_route(
                    path, not_allowed(allowed), methods=others, include_in_schema=False
                )

        def redirect(path: str, check: Callable[[Request], bool] | None = None) -> None:
            add(path, dict.fromkeys(_METHODS, slash_redirect(check)))

        # Predict first: a request is matched against the routes in order, and predict
        # is the one route called per image (paths never overlap, so order is free).
        if self.options.predict_endpoint:
            add(f"{model}/predict/", {"POST": self.predict})
        else:
            add(f"{model}/predict/", dict.fromkeys(_METHODS, payment_required))
        # DEEPaaS refuses HEAD on the v2 routes only; documents outside /v2 allow it.
        add(base or "/", {"GET": docs.versions, "HEAD": docs.versions})
        if base:
            add(f"{base}/", dict.fromkeys(_METHODS, not_found))
        add(f"{v2}/", {"GET": docs.v2_version})
        redirect(v2)
        add(f"{v2}/debug/", {"GET": docs.debug})
        redirect(f"{v2}/debug")
        add(f"{v2}/models/", {"GET": self.list_models})
        redirect(f"{v2}/models")
        add(f"{model}/", {"GET": self.model_metadata})
        redirect(model, self._known)
        redirect(f"{model}/predict", self._known)
        if self.options.train_endpoint:
            add(f"{model}/train/", {"POST": self.start_training, "GET": self.list_trainings})
            add(
                f"{model}/train/{{uuid}}",
                {"GET": self.get_training, "DELETE": self.cancel_training},
            )
        else:
            add(f"{model}/train/", dict.fromkeys(_METHODS, payment_required))
            add(f"{model}/train/{{uuid}}", dict.fromkeys(_METHODS, payment_required))
        redirect(f"{model}/train", self._known)
        add(f"{base}/swagger.json", {"GET": docs.swagger, "HEAD": docs.swagger})
        if self.options.doc_endpoint:
            add(f"{base}/api", {"GET": docs.swagger_ui, "HEAD": docs.swagger_ui})
            add(f"{base}/ui", {"GET": docs.ui_redirect, "HEAD": docs.ui_redirect})
            add(
                f"{base}/static/swagger/{{asset}}",
                {"GET": docs.swagger_asset, "HEAD": docs.swagger_asset},
            )
        add(f"{v2}/{{rest:path}}", dict.fromkeys(_METHODS, not_found))
        return router

    # -- models --------------------------------------------------------------------

    async def list_models(self, _request: Request) -> Response:
        entries = []
        for name, model in self.models.items():
            try:
                entries.append(await run_in_threadpool(self._metadata, model, name))
            except SeascopeError as exc:
                # One broken get_metadata() must not hide the other models.
                entries.append(
                    {
                        "id": name,
                        "name": name,
                        "links": [{"rel": "self", "href": self._href(name)}],
                        "description": f"get_metadata() failed: {exc.message}",
                    }
                )
        return json_response({"models": entries})

    async def model_metadata(self, request: Request) -> Response:
        name = request.path_params["name"]
        model = self.models.get(name)
        if model is None:
            return text_status(404)
        try:
            return json_response(await run_in_threadpool(self._metadata, model, name))
        except SeascopeError as exc:
            return error_response(exc)

    def _metadata(self, model: ServedModel, name: str) -> dict[str, JsonValue]:
        metadata: dict[str, JsonValue] = {
            "id": name,
            "name": name,
            "links": [{"rel": "self", "href": self._href(name)}],
        }
        metadata.update(model.metadata())
        return metadata

    def _href(self, name: str) -> str:
        return f"{self.base}/v2/models/{name}"

    def _known(self, request: Request) -> bool:
        return request.path_params.get("name") in self.models

    # -- predict -------------------------------------------------------------------

    async def predict(self, request: Request) -> Response:
        model = self.models.get(request.path_params["name"])
        if model is None:
            return text_status(404)
        try:
            await _signed_in(request)
            async with read_request_values(
                request, max_files=self.options.max_files_per_request
            ) as values:
                outcome = await model.predict_async(values)
        except SeascopeError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - always answer, never hang
            return unexpected_error_response(exc)
        return outcome_response(outcome)

    # -- training ------------------------------------------------------------------

    async def start_training(self, request: Request) -> Response:
        name = request.path_params["name"]
        model = self.models.get(name)
        if model is None:
            return text_status(404)
        try:
            owner = owner_key(await _signed_in(request))
            async with read_request_values(
                request, max_files=self.options.max_files_per_request
            ) as values:
                training = await run_in_threadpool(model.training_request, values)
            try:
                record = await run_in_threadpool(
                    lambda: self.jobs.submit(
                        module=name, runner=training.runner, args=training.args, owner=owner
                    )
                )
            except BaseException:
                if training.uploads is not None:
                    shutil.rmtree(training.uploads, ignore_errors=True)
                raise
            return json_response(training_object(record, model.training_args(record)))
        except SeascopeError as exc:
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001
            return unexpected_error_response(exc)

    async def list_trainings(self, request: Request) -> Response:
        name = request.path_params["name"]
        model = self.models.get(name)
        if model is None:
            return text_status(404)
        try:
            owner = owner_key(await _signed_in(request))
        except SeascopeError as exc:
            return error_response(exc)
        records = await run_in_threadpool(lambda: self.jobs.list(module=name, owner=owner))
        # DEEPaaS lists trainings in the order they were started: a bare array.
        return json_response(
            [training_object(r, model.training_args(r)) for r in reversed(records)]
        )

    async def get_training(self, request: Request) -> Response:
        found = await self._training(request)
        if isinstance(found, Response):
            return found
        model, record = found
        return json_response(training_object(record, model.training_args(record)))

    async def cancel_training(self, request: Request) -> Response:
        found = await self._training(request)
        if isinstance(found, Response):
            return found
        model, record = found
        try:
            record = await run_in_threadpool(
                lambda: self.jobs.cancel(record.id, owner=record.owner)
            )
        except JobNotFound:
            return text_status(404)
        _remove_leftover_uploads(record)
        return json_response(training_object(record, model.training_args(record)))

    async def _training(self, request: Request) -> tuple[ServedModel, JobRecord] | Response:
        name = request.path_params["name"]
        model = self.models.get(name)
        if model is None:
            return text_status(404)
        try:
            owner = owner_key(await _signed_in(request))
        except SeascopeError as exc:
            return error_response(exc)
        try:
            record = await run_in_threadpool(
                lambda: self.jobs.get(request.path_params["uuid"], owner=owner)
            )
        except JobNotFound:  # missing, or someone else's: the same answer
            return text_status(404)
        if record.module != name:
            return text_status(404)
        return model, record


async def _signed_in(request: Request) -> Principal:
    """The signed-in caller of ``request`` (the app's authenticator decides).

    Raises:
        AuthError: anonymous or bad credentials (401).
    """
    authenticator: Authenticator = request.app.state.authenticator
    header = request.headers.get("authorization")
    return require_user(await authenticate_off_loop(authenticator, header))


def _remove_leftover_uploads(record: JobRecord) -> None:
    """A job cancelled before its worker started leaves its uploads in a temp folder."""
    uploads = record.args.get("uploads") if isinstance(record.args, dict) else None
    if isinstance(uploads, str) and "seascope-deepaas-train-" in uploads:
        shutil.rmtree(uploads, ignore_errors=True)
