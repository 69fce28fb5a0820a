"""An unmodified DEEPaaS module on the v2 routes (arguments, accept, output, training)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from seascope.deepaas.arguments import (
    ArgumentError,
    ArgumentSpec,
    RequestValues,
    collect_raw_values,
)
from seascope.deepaas.models import DeepaasModel
from seascope.deepaas.outcomes import Outcome, shape_output
from seascope.deepaas.runner import DEEPAAS_TRAIN_RUNNER
from seascope.deepaas.served import TrainingRequest
from seascope.deepaas.trainings import echo_arguments
from seascope.deepaas.uploads import UploadStore, uploads_to_markers
from seascope.errors import SeascopeError
from seascope.training import JobRecord
from seascope.types import JsonValue

__all__ = ["ServedDeepaasModel"]


class ServedDeepaasModel:
    """Serve one :class:`DeepaasModel`.

    Args:
        model: The loaded DEEPaaS module.
    """

    def __init__(self, model: DeepaasModel) -> None:
        self.model = model

    @property
    def name(self) -> str:
        """Entry-point name."""
        return self.model.name

    @property
    def can_train(self) -> bool:
        """Whether the module has ``train``."""
        return self.model.has("train")

    def metadata(self) -> dict[str, JsonValue]:
        """``get_metadata()`` of the module (DEEPaaS's placeholder when missing)."""
        return self.model.get_metadata()

    def predict_arguments(self) -> list[ArgumentSpec]:
        """Arguments of ``predict``."""
        return self.model.predict_arguments()

    def train_arguments(self) -> list[ArgumentSpec]:
        """Arguments of ``train``."""
        return self.model.train_arguments()

    def produces(self) -> list[str] | None:
        """The accept choices and ``*/*`` (JSON for modules without ``accept``).

        DEEPaaS writes ``null`` for modules without ``accept``, which stops ``deepaas_ui``;
        ``["application/json", "*/*"]`` says the same and keeps the UI working.
        """
        accept = self.model.predict_schema.accept
        return accept.produces if accept is not None else ["application/json", "*/*"]

    def response_definition(self) -> dict[str, JsonValue] | None:
        """The module's ``schema`` as a Swagger definition."""
        schema = self.model.response_schema
        return schema.definition() if schema is not None else None

    def predict(self, values: RequestValues) -> Outcome:
        """Validate (with ``accept``), call ``predict`` and shape its result.

        Uploaded files are saved as temporary files for the call and removed afterwards.
        """
        schema = self.model.predict_schema
        raw = collect_raw_values(schema.specs(with_accept=False), values)
        accept, accept_error = self._accept(values)
        store = UploadStore()
        try:
            try:
                kwargs = self.model.load_arguments(schema, raw, store)
            except ArgumentError as exc:
                raise (exc.merged(accept_error) if accept_error is not None else exc) from None
            if accept_error is not None:
                raise accept_error
            if schema.accept is not None:
                kwargs["accept"] = accept
            output = self.model.call("predict", kwargs)
            return shape_output(output, accept=accept, schema=self.model.response_schema)
        finally:
            store.cleanup()

    async def predict_async(self, values: RequestValues) -> Outcome:
        """:meth:`predict` in a worker thread: the module's code may block."""
        return await run_in_threadpool(self.predict, values)

    def training_request(self, values: RequestValues) -> TrainingRequest:
        """Validate a training request; uploads are kept for the job's worker."""
        if not self.can_train:
            self.model.call("train", {})  # raises DEEPaaS's 501
        schema = self.model.train_schema
        raw = collect_raw_values(schema.specs(with_accept=False), values)
        store = UploadStore(prefix="seascope-deepaas-train-")
        try:
            converted = {key: store.convert(value) for key, value in raw.items()}
            kwargs = schema.load(converted)
        except SeascopeError:
            store.cleanup()
            raise
        uploads = store.directory
        return TrainingRequest(
            runner=DEEPAAS_TRAIN_RUNNER,
            args={
                "raw": {key: uploads_to_markers(value) for key, value in converted.items()},
                "args": echo_arguments(kwargs),
                "uploads": str(uploads) if uploads is not None else None,
            },
            uploads=uploads,
        )

    def training_args(self, record: JobRecord) -> JsonValue:
        """The echoed arguments stored with the job."""
        if record.runner == DEEPAAS_TRAIN_RUNNER and isinstance(record.args, dict):
            return record.args.get("args", {})
        return record.args

    def _accept(self, values: RequestValues) -> tuple[str | None, ArgumentError | None]:
        accept = self.model.predict_schema.accept
        if accept is None:
            return None, None
        header = next((value for name, value in values.headers if name == "accept"), None)
        try:
            return accept.resolve(header), None
        except ArgumentError as exc:
            return None, exc
