"""A seascope module on the DEEPaaS v2 routes, through the one ``Predictor`` path.

Arguments come from the module's pydantic ``predict_params``/``train_params`` plus a file
argument ``data`` (one or more image parts). The JSON result has the shape of the VLIZ
``planktonclas`` module, so existing phytoplankton clients read it unchanged::

    {"status": "OK",
     "predictions": {"filenames": ["cell.jpg"], "pred_lab": [["Chaetoceros", ...]],
                     "pred_prob": [[0.91, ...]], "aphia_ids": [[148985, ...]]}}
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from seascope.deepaas.arguments import (
    ArgumentError,
    ArgumentSpec,
    FilePart,
    Location,
    RequestValues,
    collect_raw_values,
)
from seascope.deepaas.jsonable import dumps_json
from seascope.deepaas.outcomes import JsonOutcome, Outcome
from seascope.deepaas.pydantic_args import specs_from_model
from seascope.deepaas.served import TrainingRequest
from seascope.errors import CapabilityNotSupported, InvalidParameters, SeascopeError
from seascope.inference import ModuleHost, PredictionResult
from seascope.modules import ModelModule
from seascope.modules.params import parse_params
from seascope.training import TRAIN_MODULE, JobRecord
from seascope.types import JsonValue

__all__ = ["DATA_FIELD", "ServedSeascopeModule", "planktonclas_predictions"]

DATA_FIELD = "data"
"""Multipart field carrying the images (repeat it to send several)."""

_MISSING_MESSAGE = "Missing data for required field."


class ServedSeascopeModule:
    """Serve the seascope module ``name`` of ``host``.

    Args:
        host: Loads modules on demand.
        name: Module name.
    """

    def __init__(self, host: ModuleHost, name: str) -> None:
        self.host = host
        self._name = name
        self._lock = threading.Lock()
        self._module_class: type[ModelModule] | None = None  # type: ignore[type-arg]
        self._class_error: SeascopeError | None = None
        self._specs: dict[type[BaseModel], list[ArgumentSpec]] = {}

    @property
    def name(self) -> str:
        """Module name."""
        return self._name

    @property
    def can_train(self) -> bool:
        """Whether the manifest declares ``train``."""
        return "train" in self.host.manifest(self._name).capabilities

    def metadata(self) -> dict[str, JsonValue]:
        """Manifest facts in DEEPaaS's metadata keys (plus seascope's own)."""
        manifest = self.host.manifest(self._name)
        return {
            "name": manifest.name,
            "title": manifest.title,
            "summary": manifest.summary,
            "description": manifest.description or manifest.summary,
            "license": manifest.license,
            "author": ", ".join(manifest.authors),
            "version": manifest.version,
            "url": manifest.homepage,
            "task": manifest.task,
            "capabilities": sorted(manifest.capabilities),
            "tags": list(manifest.tags),
        }

    def predict_arguments(self) -> list[ArgumentSpec]:
        """``data`` (image files) then the module's prediction parameters."""
        return [self._data_spec(), *self._param_specs("predict")]

    def train_arguments(self) -> list[ArgumentSpec]:
        """The module's training parameters."""
        return self._param_specs("train") if self.can_train else []

    def produces(self) -> list[str] | None:
        """JSON only."""
        return ["application/json", "*/*"]

    def response_definition(self) -> dict[str, JsonValue] | None:
        """None: results are wrapped in ``{"status", "predictions"}`` as DEEPaaS does."""
        return None

    def predict(self, values: RequestValues) -> Outcome:
        """Validate, decode, predict and shape the result (blocks the calling thread)."""
        files, params = self._predict_arguments(values)
        result = self.host.batcher(self._name).predict_files(files, params)
        return _outcome(result)

    async def predict_async(self, values: RequestValues) -> Outcome:
        """:meth:`predict` from the event loop, without a thread waiting for the batch.

        The first request (which loads the module) and uploads spooled to disk go
        through :meth:`predict` in a worker thread instead.
        """
        batcher = self.host.loaded_batcher(self._name)
        if batcher is None or not _in_memory(values):
            return await run_in_threadpool(self.predict, values)
        files, params = self._predict_arguments(values)
        return _outcome(await batcher.predict_files_async(files, params))

    def _predict_arguments(
        self, values: RequestValues
    ) -> tuple[list[tuple[str, bytes]], BaseModel]:
        """The uploaded files and the parsed parameters (422 with every field's error)."""
        params_model = self._params_model("predict")
        specs = [self._data_spec(), *self._specs_of(params_model)]
        raw = collect_raw_values(specs, values)
        parts = raw.pop(DATA_FIELD, [])
        errors: dict[str, Any] = {}
        files: list[tuple[str, bytes]] = []
        if not parts:
            errors[DATA_FIELD] = [_MISSING_MESSAGE]
        elif not all(isinstance(part, FilePart) for part in parts):
            errors[DATA_FIELD] = ["Not a valid file."]
        else:
            files = [_read(part) for part in parts]
        params: BaseModel | None = None
        try:
            params = parse_params(params_model, raw)
        except InvalidParameters as exc:
            errors.update(exc.fields)
        if errors or params is None:
            raise ArgumentError(errors)
        return files, params

    def training_request(self, values: RequestValues) -> TrainingRequest:
        """Validate the training parameters for the built-in ``train_module`` runner."""
        if not self.can_train:
            raise CapabilityNotSupported(f"module {self._name!r} cannot train")
        params_model = self._params_model("train")
        raw = collect_raw_values(self._specs_of(params_model), values)
        try:
            params = parse_params(params_model, raw, what="training parameters")
        except InvalidParameters as exc:
            raise ArgumentError(exc.fields) from exc
        return TrainingRequest(runner=TRAIN_MODULE, args=params.model_dump(mode="json"))

    def training_args(self, record: JobRecord) -> JsonValue:
        """The training parameters of the job."""
        return record.args

    def _data_spec(self) -> ArgumentSpec:
        types = ", ".join(self.host.manifest(self._name).input_media_types)
        return ArgumentSpec(
            name=DATA_FIELD,
            key=DATA_FIELD,
            kind="file",
            required=True,
            description=(
                f"Image files to analyse ({types}); repeat the '{DATA_FIELD}' part to send "
                "several images in one request."
            ),
            location=Location.FORM,
            multiple=True,
        )

    def _param_specs(self, which: str) -> list[ArgumentSpec]:
        try:
            return self._specs_of(self._params_model(which))
        except SeascopeError:
            return []  # the module cannot be imported: requests will say why (503)

    def _specs_of(self, params_model: type[BaseModel]) -> list[ArgumentSpec]:
        """The argument specs of ``params_model``, built once (JSON schemas are slow)."""
        specs = self._specs.get(params_model)
        if specs is None:
            specs = self._specs[params_model] = specs_from_model(params_model)
        return specs

    def _params_model(self, which: str) -> type[BaseModel]:
        module_class = self._load_class()
        return module_class.predict_params if which == "predict" else module_class.train_params

    def _load_class(self) -> type[ModelModule]:  # type: ignore[type-arg]
        with self._lock:
            if self._module_class is None and self._class_error is None:
                try:
                    self._module_class = self.host.registry.load_class(self._name)
                except SeascopeError as exc:
                    self._class_error = exc
            if self._class_error is not None:
                raise self._class_error
            assert self._module_class is not None
            return self._module_class


def _outcome(result: PredictionResult) -> Outcome:
    body = {"status": "OK", "predictions": planktonclas_predictions(result)}
    return JsonOutcome(dumps_json(body))


def _in_memory(values: RequestValues) -> bool:
    """Whether every uploaded part is still in memory (reading it cannot block).

    Starlette spools parts to ``SpooledTemporaryFile``; its ``_rolled`` flag says whether
    a part went to disk (the test Starlette's own ``UploadFile`` uses).
    """
    return all(
        not getattr(value.stream, "_rolled", True)
        for _, value in values.form
        if isinstance(value, FilePart)
    )


def _read(part: FilePart) -> tuple[str, bytes]:
    with contextlib.suppress(OSError, ValueError):
        part.stream.seek(0)
    return part.filename or part.field, part.stream.read()


def planktonclas_predictions(result: PredictionResult) -> dict[str, JsonValue]:
    """Predictions in the ``planktonclas`` layout: lists aligned with ``filenames``.

    Detection results add ``boxes`` (one list per image); modules' free-form extras add
    ``extra`` (one object per image).
    """
    predictions = result.predictions
    shaped: dict[str, JsonValue] = {
        "filenames": [p.input for p in predictions],
        "pred_lab": [[c.label for c in p.classes] for p in predictions],
        "pred_prob": [[c.score for c in p.classes] for p in predictions],
        "aphia_ids": [[c.aphia_id for c in p.classes] for p in predictions],
    }
    if any(p.boxes for p in predictions):
        shaped["boxes"] = [[box.model_dump(mode="json") for box in p.boxes] for p in predictions]
    if any(p.extra for p in predictions):
        shaped["extra"] = [dict(p.extra) for p in predictions]
    return shaped
