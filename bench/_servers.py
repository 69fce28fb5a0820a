"""uvicorn app factories for ``api_overhead.py``: seascope itself and a bare FastAPI baseline.

Both are started by the benchmark as ``uvicorn --factory --app-dir bench _servers:<name>``
with identical uvicorn settings. The bare app does the same work as seascope's predict
route and nothing else: read the multipart body, decode each upload with Pillow into an
RGB numpy array, call the same reference module's ``predict`` in the threadpool, and
return the predictions as JSON.

The seascope factory keeps its job database in ``$SEASCOPE_BENCH_WORKDIR`` (a temporary
folder the benchmark creates and removes).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.inference import ModuleHost
from seascope.modules import ModelModule, ModuleRegistry, SetupContext
from seascope.training import JobManager
from seascope.types import ImageInput

__all__ = ["MODULE", "WORKDIR_ENV", "bare_app", "seascope_app"]

MODULE = "reference"
WORKDIR_ENV = "SEASCOPE_BENCH_WORKDIR"


def seascope_app() -> FastAPI:
    """seascope's own app, wired as the CLI wires it (serving only the benchmarked module)."""
    workdir = Path(os.environ.get(WORKDIR_ENV) or tempfile.mkdtemp(prefix="seascope-bench-"))
    registry = ModuleRegistry.from_entry_points().only([MODULE])
    host = ModuleHost(registry)
    jobs = JobManager(database=workdir / "jobs.sqlite3", jobs_dir=workdir / "jobs")
    catalog = Catalog.open(registry=registry, folder=workdir / "catalog")
    return create_app(host=host, jobs=jobs, options=ServerOptions(), catalog=catalog)


def bare_app() -> FastAPI:
    """The baseline: one FastAPI route doing exactly the predict work, nothing more."""
    module = ModuleRegistry.from_entry_points().create(MODULE, SetupContext(device="cpu"))
    params_model: type[BaseModel] = module.predict_params
    app = FastAPI(title="bare baseline", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ready": True}

    @app.post("/predict")
    async def predict(request: Request, top_k: int = 5) -> JSONResponse:
        form = await request.form()
        try:
            files = [
                (value.filename or key, await value.read())
                for key, value in form.multi_items()
                if isinstance(value, UploadFile)
            ]
        finally:
            await form.close()
        params = params_model(top_k=top_k)
        predictions = await run_in_threadpool(_predict, module, files, params)
        return JSONResponse({"predictions": predictions})

    return app


def _predict(
    module: ModelModule,  # type: ignore[type-arg]
    files: Sequence[tuple[str, bytes]],
    params: BaseModel,
) -> list[dict[str, Any]]:
    images = [_decode(name, data) for name, data in files]
    return [p.model_dump(mode="json") for p in module.predict(images, params)]


def _decode(name: str, data: bytes) -> ImageInput:
    with Image.open(io.BytesIO(data)) as image:
        array = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return ImageInput(name=name, array=array)
