"""``predict_request``: one multipart predict request through a :class:`ModuleHost`.

Shared by the routes that predict with the server's own host
(``/v1/modules/{name}/predict`` and ``/v1/tries/{id}/predict``), so they parse the form,
batch and answer alike.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from seascope.api.forms import read_predict_form
from seascope.api.schemas import PredictResponse, Timing
from seascope.errors import InvalidInput
from seascope.inference import ModuleHost

__all__ = ["PREDICT_REQUEST_BODY", "predict_request"]

PREDICT_REQUEST_BODY: dict[str, Any] = {
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
                            "description": "One or more images (JPEG, PNG, TIFF, BMP, WebP); "
                            "any file field counts (DEEPaaS clients send 'data' or 'files').",
                        },
                        "params": {
                            "type": "string",
                            "description": "Module parameters as a JSON object; single "
                            "parameters may also be sent as form fields or in the query.",
                        },
                    },
                }
            }
        },
    }
}
"""OpenAPI ``openapi_extra`` of a route that calls :func:`predict_request`."""


async def predict_request(
    host: ModuleHost, module: str, request: Request, *, max_files: int
) -> PredictResponse:
    """Predict the images of a multipart ``request`` with ``module``.

    The request waits on the event loop: the module's micro-batcher decodes the files
    and shares the module call with other requests in its own worker threads (the first
    request loads the module, in a thread).

    Raises:
        ModuleNotFound: the host does not serve ``module``.
        InvalidInput: no image in the request, or unusable parameters or images.
    """
    started = time.perf_counter()
    manifest = host.manifest(module)
    form = await read_predict_form(request, max_files=max_files)
    if not form.files:
        raise InvalidInput("no image in the request: send files in the multipart field 'images'")
    batcher = host.loaded_batcher(module)
    if batcher is None:  # loading takes seconds: off the event loop
        batcher = await run_in_threadpool(host.batcher, module)
    result = await batcher.predict_files_async(form.files, form.params)
    return PredictResponse(
        module=module,
        version=manifest.version,
        predictions=result.predictions,
        timing=Timing(
            decode=result.decode_seconds,
            predict=result.predict_seconds,
            total=time.perf_counter() - started,
        ),
    )
