"""What ``deepaas-cli`` runs: a DEEPaaS module or a seascope module, behind one interface."""

from __future__ import annotations

import json
import mimetypes
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from seascope.deepaas.arguments import ArgumentError, ArgumentSpec, FilePart, RequestValues
from seascope.deepaas.jsonable import to_jsonable
from seascope.deepaas.models import DeepaasModel
from seascope.deepaas.outcomes import JsonOutcome, RawOutcome, is_json_accept, shape_output
from seascope.deepaas.served_seascope import DATA_FIELD, ServedSeascopeModule
from seascope.deepaas.trainings import deepaas_date, echo_arguments
from seascope.deepaas.uploads import UploadStore
from seascope.errors import CapabilityNotSupported, InvalidParameters
from seascope.inference import ModuleHost
from seascope.modules import SetupContext
from seascope.modules.params import parse_params
from seascope.types import JsonValue

__all__ = ["CliResult", "CliTarget", "DeepaasTarget", "SeascopeTarget"]

Given = Sequence[tuple[ArgumentSpec, Any]]


@dataclass(frozen=True)
class CliResult:
    """What a method returned, ready to print or store.

    Attributes:
        value: The value as the module returned it (for the legacy ``return:`` line).
        json: Its JSON form, or ``None`` when the result is a raw body.
        raw: A non-JSON result (bytes of the ``accept`` type).
        legacy_text: What DEEPaaS logs after ``return:`` (JSON text or a Python repr).
    """

    value: Any
    json: JsonValue = None
    raw: RawOutcome | None = None
    legacy_text: str = field(default="")


class CliTarget(Protocol):
    """A model the CLI can run."""

    name: str

    def arguments(self, method: str) -> list[ArgumentSpec]:
        """Options of ``predict`` or ``train``."""
        ...

    def get_metadata(self) -> CliResult:
        """The model's metadata."""
        ...

    def warm(self) -> None:
        """Prepare the model (DEEPaaS's ``warm()``)."""
        ...

    def predict(self, given: Given, accept: str | None) -> CliResult:
        """Validate, warm and predict."""
        ...

    def train(self, given: Given) -> CliResult:
        """Validate, warm and train in this process."""
        ...


def _open_file(spec: ArgumentSpec, path: str) -> tuple[FilePart, IO[bytes]]:
    try:
        stream = Path(path).open("rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise ArgumentError({spec.key: [f"Cannot read file: {path} ({exc.strerror})"]}) from exc
    content_type = mimetypes.guess_type(path)[0]
    # deepaas-cli names every file "data", whatever the argument is called.
    return FilePart(DATA_FIELD, path, content_type, stream), stream


def _training_object(start: datetime, args: JsonValue, output: JsonValue) -> dict[str, JsonValue]:
    end = datetime.now()
    return {
        "date": deepaas_date(start),
        "args": args,
        "status": "done",
        "uuid": uuid.uuid4().hex,
        "result": {
            "finish_date": deepaas_date(end),
            "duration": str(end - start),
            "output": output,
        },
    }


def _json_result(value: Any) -> CliResult:
    data = to_jsonable(value)
    return CliResult(value=value, json=data, legacy_text=repr(value))


class DeepaasTarget:
    """An unmodified DEEPaaS module.

    Args:
        model: The loaded module.
    """

    def __init__(self, model: DeepaasModel) -> None:
        self.model = model
        self.name = model.name

    def arguments(self, method: str) -> list[ArgumentSpec]:
        """Every argument, ``accept`` included (``--accept image/png``)."""
        schema = self.model.predict_schema if method == "predict" else self.model.train_schema
        return schema.specs()

    def get_metadata(self) -> CliResult:
        """``get_metadata()`` (DEEPaaS logs it as JSON)."""
        metadata = self.model.get_metadata()
        result = _json_result(metadata)
        return CliResult(metadata, result.json, legacy_text=_json_text(result.json))

    def warm(self) -> None:
        """The module's ``warm()``."""
        self.model.warm()

    def predict(self, given: Given, accept: str | None) -> CliResult:
        """``predict(**kwargs)``; a non-JSON accept gives a raw result."""
        schema = self.model.predict_schema
        chosen: str | None = None
        accept_error: ArgumentError | None = None
        if schema.accept is not None:
            try:
                chosen = schema.accept.resolve(accept)
            except ArgumentError as exc:
                accept_error = exc
        store = UploadStore()
        streams: list[IO[bytes]] = []
        try:
            raw = self._raw(given, store, streams)
            try:
                kwargs = schema.load(raw)
            except ArgumentError as exc:
                raise (exc.merged(accept_error) if accept_error else exc) from None
            if accept_error is not None:
                raise accept_error
            if chosen is not None:
                kwargs["accept"] = chosen
            self.model.warm()
            value = self.model.call("predict", kwargs)
            if not is_json_accept(chosen):
                outcome = shape_output(value, accept=chosen, schema=None)
                assert isinstance(outcome, RawOutcome)
                return CliResult(value=value, raw=outcome, legacy_text=repr(value))
            return _json_result(value)
        finally:
            for stream in streams:
                stream.close()
            store.cleanup()

    def train(self, given: Given) -> CliResult:
        """``train(**kwargs)`` in this process; returns DEEPaaS's training object."""
        schema = self.model.train_schema
        store = UploadStore(prefix="seascope-deepaas-train-")
        streams: list[IO[bytes]] = []
        try:
            raw = self._raw(given, store, streams)
            kwargs = schema.load(raw)
            self.model.warm()
            start = datetime.now()
            output = to_jsonable(self.model.call("train", kwargs))
            body = _training_object(start, echo_arguments(kwargs), output)
            return CliResult(value=body, json=body, legacy_text=_json_text(body))
        finally:
            for stream in streams:
                stream.close()
            store.cleanup()

    def _raw(self, given: Given, store: UploadStore, streams: list[IO[bytes]]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for spec, value in given:
            if spec.name == "accept":
                continue
            if spec.is_file:
                paths = value if isinstance(value, list) else [value]
                saved = []
                for path in paths:
                    part, stream = _open_file(spec, path)
                    streams.append(stream)
                    saved.append(store.save(part))
                raw[spec.key] = saved if spec.multiple else saved[0]
            else:
                raw[spec.key] = value
        return raw


class SeascopeTarget:
    """A seascope module, through the same ``Predictor`` path as the API.

    Args:
        host: Loads the module.
        name: Module name.
    """

    def __init__(self, host: ModuleHost, name: str, *, log: IO[str] | None = None) -> None:
        self.host = host
        self.name = name
        self.served = ServedSeascopeModule(host, name)
        self._log = log

    def arguments(self, method: str) -> list[ArgumentSpec]:
        """``--data PATH [PATH ...]`` and the parameters (predict), or the training ones."""
        if method == "predict":
            return self.served.predict_arguments()
        return self.served.train_arguments()

    def get_metadata(self) -> CliResult:
        """Manifest facts, as on ``GET /v2/models/{name}/``."""
        metadata = {"id": self.name, **self.served.metadata()}
        return CliResult(metadata, to_jsonable(metadata), legacy_text=_json_text(metadata))

    def warm(self) -> None:
        """Load and set up the module."""
        self.host.predictor(self.name)

    def predict(self, given: Given, accept: str | None) -> CliResult:
        """Predict the ``--data`` images; the JSON is what ``POST .../predict/`` answers."""
        del accept  # seascope modules answer JSON only
        streams: list[IO[bytes]] = []
        form: list[tuple[str, str | FilePart]] = []
        params: dict[str, Any] = {}
        try:
            for spec, value in given:
                if spec.is_file:
                    for path in value if isinstance(value, list) else [value]:
                        part, stream = _open_file(spec, path)
                        streams.append(stream)
                        form.append((DATA_FIELD, part))
                else:
                    params[spec.key] = value
            outcome = self.served.predict(RequestValues(form=form, json=params))
        finally:
            for stream in streams:
                stream.close()
        assert isinstance(outcome, JsonOutcome)
        return _json_result(json.loads(outcome.body))

    def train(self, given: Given) -> CliResult:
        """Train in this process; outputs go to a new temporary folder (in the result)."""
        if not self.served.can_train:
            raise CapabilityNotSupported(f"module {self.name!r} cannot train")
        module_class = self.host.registry.load_class(self.name)
        raw = {spec.key: value for spec, value in given}
        try:
            params = parse_params(module_class.train_params, raw, what="training parameters")
        except InvalidParameters as exc:
            raise ArgumentError(exc.fields) from exc
        module = self.host.registry.create(self.name, SetupContext(device=self.host.device))
        context = LocalTrainingContext(
            Path(tempfile.mkdtemp(prefix="seascope-train-")), self.host.device, self._log
        )
        start = datetime.now()
        output = to_jsonable(module.train(params, context))
        body = _training_object(start, params.model_dump(mode="json"), output)
        return CliResult(value=body, json=body, legacy_text=_json_text(body))


class LocalTrainingContext:
    """The training context of an in-process CLI training (no job store, no cancel).

    Args:
        output_dir: Where the module writes its outputs.
        device: Device to train on.
        log: Where metrics and progress lines go (none by default).
    """

    def __init__(self, output_dir: Path, device: str, log: IO[str] | None = None) -> None:
        self._output_dir = output_dir
        self._device = device
        self._log = log
        self.metrics: list[dict[str, JsonValue]] = []

    @property
    def output_dir(self) -> Path:
        """Where the module writes its outputs."""
        self._output_dir.mkdir(parents=True, exist_ok=True)
        return self._output_dir

    @property
    def device(self) -> str:
        """Device to train on."""
        return self._device

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Remember metrics (and print them when a log stream is set)."""
        entry: dict[str, JsonValue] = {k: float(v) for k, v in metrics.items()}
        entry["step"] = step
        self.metrics.append(entry)
        if self._log is not None:
            self._log.write(f"metrics step={step} {dict(metrics)}\n")

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        """Print progress when a log stream is set."""
        if self._log is not None:
            self._log.write(f"progress {done}/{total} {message}\n")

    def should_stop(self) -> bool:
        """Never: a CLI training is stopped with Ctrl-C."""
        return False


def _json_text(value: JsonValue) -> str:
    return json.dumps(value)
