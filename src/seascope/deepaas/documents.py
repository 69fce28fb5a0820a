"""The DEEPaaS documents: versions, v2, debug log, ``swagger.json`` and Swagger UI."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from seascope._version import __version__
from seascope.deepaas.debug import DebugLog
from seascope.deepaas.docs_page import SwaggerAssets, swagger_ui_page
from seascope.deepaas.responses import json_response, text_status, unexpected_error_response
from seascope.deepaas.route_options import DeepaasRouteOptions
from seascope.deepaas.served import ServedModel
from seascope.deepaas.swagger import TITLE, SwaggerOptions, swagger_document
from seascope.types import JsonValue

__all__ = ["DocumentEndpoints"]


class DocumentEndpoints:
    """Endpoints of the documents (they hold no state besides what they serve).

    Args:
        models: Returns the served models, in listing order.
        options: Base path and endpoint switches.
        debug_log: Lines for ``/v2/debug/``.
    """

    def __init__(
        self,
        *,
        models: Callable[[], list[ServedModel]],
        options: DeepaasRouteOptions,
        debug_log: DebugLog | None,
    ) -> None:
        self.models = models
        self.options = options
        self.base = options.base_path
        self.debug_log = debug_log
        self.assets = SwaggerAssets()

    async def versions(self, _request: Request) -> Response:
        """The versions document (``{base}``)."""
        body: dict[str, JsonValue] = {"versions": [self._v2_document()]}
        if self.options.doc_endpoint:
            body["links"] = [
                {"rel": "help", "type": "text/html", "href": f"{self.base}/api"},
                {
                    "rel": "describedby",
                    "type": "application/json",
                    "href": f"{self.base}/swagger.json",
                },
            ]
        return json_response(body)

    async def v2_version(self, _request: Request) -> Response:
        """The v2 document."""
        return json_response(self._v2_document())

    def _v2_document(self) -> dict[str, JsonValue]:
        return {
            "version": "stable",
            "id": "v2",
            "links": [{"rel": "self", "type": "application/json", "href": f"{self.base}/v2/"}],
        }

    async def debug(self, _request: Request) -> Response:
        """The debug log, or ``204`` when the endpoint is off."""
        if not self.options.debug_endpoint or self.debug_log is None:
            return Response(status_code=204)
        return Response(self.debug_log.text(), media_type="text/plain")

    async def swagger(self, _request: Request) -> Response:
        """The Swagger 2.0 document."""
        options = SwaggerOptions(
            base_path=self.base,
            version=__version__,
            predict_endpoint=self.options.predict_endpoint,
            train_endpoint=self.options.train_endpoint,
            debug_endpoint=self.options.debug_endpoint,
        )
        try:
            document = await run_in_threadpool(swagger_document, self.models(), options)
        except Exception as exc:  # noqa: BLE001 - a broken module must not hide the API
            return unexpected_error_response(exc)
        return json_response(document)

    async def swagger_ui(self, _request: Request) -> Response:
        """Swagger UI."""
        assets = f"{self.base}/static/swagger" if self.assets.available else None
        page = swagger_ui_page(spec_url=f"{self.base}/swagger.json", assets_url=assets, title=TITLE)
        return HTMLResponse(page)

    async def ui_redirect(self, _request: Request) -> Response:
        """The old ``/ui`` URL: ``302`` to ``/api``."""
        return RedirectResponse(f"{self.base}/api", status_code=302)

    async def swagger_asset(self, request: Request) -> Response:
        """A Swagger UI asset."""
        found = self.assets.read(request.path_params["asset"])
        if found is None:
            return text_status(404)
        content, media_type = found
        return Response(content, media_type=media_type)
