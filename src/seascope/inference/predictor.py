"""``Predictor``: the one prediction path of seascope.

The native API, the DEEPaaS routes, the CLI, batch runs and the watcher all call a
:class:`Predictor`. It validates parameters, decodes images safely, calls the module,
checks what the module returned and measures the time spent in each step.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from seascope.errors import InvalidInput, ModuleFailed, SeascopeError
from seascope.imaging import DEFAULT_MAX_PIXELS, decode_image
from seascope.inference.failures import module_failure
from seascope.modules import ModelModule, ModuleManifest
from seascope.modules.params import parse_params, validation_messages
from seascope.types import ImageInput, Prediction

__all__ = ["PredictionResult", "Predictor", "validation_messages"]  # re-exported helper


@dataclass(frozen=True, slots=True)
class PredictionResult:
    """Predictions for a batch and where the time went."""

    predictions: list[Prediction]
    decode_seconds: float
    predict_seconds: float


class Predictor:
    """Run predictions of one loaded module.

    Args:
        module: A module that has been set up (``ModuleRegistry.create``).
        max_image_pixels: Largest accepted image, in pixels.

    Example:
        >>> predictor = Predictor(registry.create("reference"))  # doctest: +SKIP
        >>> predictor.predict_files([("a.png", data)], {"top_k": 3})  # doctest: +SKIP
    """

    def __init__(
        self,
        module: ModelModule,  # type: ignore[type-arg]
        *,
        max_image_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.module = module
        self.max_image_pixels = max_image_pixels
        limit = module.manifest.max_concurrency
        self._slots = threading.BoundedSemaphore(limit) if limit else None

    @property
    def manifest(self) -> ModuleManifest:
        """The module's manifest."""
        return self.module.manifest

    @property
    def params_model(self) -> type[BaseModel]:
        """The module's prediction parameter model."""
        return self.module.predict_params

    def parse_params(self, raw: Mapping[str, Any] | BaseModel | None = None) -> BaseModel:
        """Validate ``raw`` into the module's parameter model.

        Raises:
            InvalidParameters: with one list of messages per offending field.
        """
        return parse_params(self.params_model, raw)

    def decode(self, files: Sequence[tuple[str, bytes]]) -> list[ImageInput]:
        """Decode ``(name, data)`` pairs; every bad file is named in one error.

        Raises:
            InvalidInput: (or the subclass shared by all failures) listing each bad file.
        """
        images: list[ImageInput] = []
        failures: list[InvalidInput] = []
        for name, data in files:
            try:
                images.append(decode_image(data, name, max_pixels=self.max_image_pixels))
            except InvalidInput as exc:
                failures.append(exc)
        if failures:
            kinds = {type(f) for f in failures}
            error_class = kinds.pop() if len(kinds) == 1 else InvalidInput
            raise error_class("; ".join(f.message for f in failures))
        return images

    def predict(
        self,
        images: Sequence[ImageInput],
        params: Mapping[str, Any] | BaseModel | None = None,
    ) -> PredictionResult:
        """Predict decoded images.

        Raises:
            InvalidParameters: bad parameters.
            ModuleFailed: the module raised, or returned something other than one
                ``Prediction`` per image.
        """
        parsed = self.parse_params(params)
        started = time.perf_counter()
        with self._slot():
            try:
                predictions = self.module.predict(images, parsed)
            except SeascopeError:
                raise
            except Exception as exc:
                raise module_failure(exc) from exc
        elapsed = time.perf_counter() - started
        _check_output(predictions, images, self.manifest.name)
        return PredictionResult(list(predictions), 0.0, elapsed)

    def predict_files(
        self,
        files: Sequence[tuple[str, bytes]],
        params: Mapping[str, Any] | BaseModel | None = None,
    ) -> PredictionResult:
        """Decode then predict; parameters are checked before any image is decoded."""
        parsed = self.parse_params(params)
        started = time.perf_counter()
        images = self.decode(files)
        decoded = time.perf_counter()
        result = self.predict(images, parsed)
        return PredictionResult(result.predictions, decoded - started, result.predict_seconds)

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        if self._slots is None:
            yield
            return
        with self._slots:
            yield


def _check_output(predictions: object, images: Sequence[ImageInput], name: str) -> None:
    if not isinstance(predictions, list) or not all(isinstance(p, Prediction) for p in predictions):
        raise ModuleFailed(
            f"module {name!r} returned {type(predictions).__name__}, not a list of Prediction",
            error_type="ContractViolation",
        )
    if len(predictions) != len(images):
        raise ModuleFailed(
            f"module {name!r} returned {len(predictions)} predictions for {len(images)} images",
            error_type="ContractViolation",
        )
