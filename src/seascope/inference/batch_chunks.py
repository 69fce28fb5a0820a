"""One chunk of a batch: read and decode inputs, predict the good ones, explain the rest.

Shared by batch runs, the watcher and ``oscar-run``: all of them go through
:class:`~seascope.inference.Predictor` (the one predict path) and turn every problem
with one input into an :class:`InputOutcome` with an error, never into a failed run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from seascope.errors import InvalidInput, ModuleFailed
from seascope.imaging import decode_image
from seascope.inference.input_refs import InputRef
from seascope.inference.predictor import Predictor
from seascope.types import ImageInput, Prediction

__all__ = ["InputOutcome", "LoadedInput", "load_input", "predict_loaded"]


@dataclass(frozen=True, slots=True)
class LoadedInput:
    """An input after reading and decoding.

    Attributes:
        key: The input's key.
        sha256: Its content hash (empty unless asked for, or when it could not be read).
        image: The decoded image, or ``None`` when ``error`` says why not.
        error: What went wrong (empty when the image is usable).
    """

    key: str
    sha256: str = ""
    image: ImageInput | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class InputOutcome:
    """What happened to one input.

    Attributes:
        key: The input's key.
        sha256: Its content hash, when computed.
        prediction: The module's prediction, or ``None`` on error.
        error: Why there is no prediction (empty on success).
        module_failed: The error came from the module's code, not from the input.
    """

    key: str
    sha256: str = ""
    prediction: Prediction | None = None
    error: str = ""
    module_failed: bool = False


def load_input(ref: InputRef, *, max_pixels: int, with_hash: bool) -> LoadedInput:
    """Read and decode one input (runs in the decode thread pool; never raises for data)."""
    try:
        data = ref.read()
    except InvalidInput as exc:
        return LoadedInput(ref.key, error=exc.message)
    sha256 = hashlib.sha256(data).hexdigest() if with_hash else ""
    try:
        image = decode_image(data, ref.key, max_pixels=max_pixels)
    except InvalidInput as exc:
        return LoadedInput(ref.key, sha256=sha256, error=exc.message)
    return LoadedInput(ref.key, sha256=sha256, image=image)


def predict_loaded(
    predictor: Predictor, loaded: Sequence[LoadedInput], params: BaseModel
) -> list[InputOutcome]:
    """Predict the decoded inputs of a chunk; one outcome per input, in order.

    The chunk is predicted in one call. When the module fails on it, each image is
    predicted alone, so one image that breaks the module costs only its own row.

    Args:
        predictor: The module's predictor.
        loaded: The chunk, as returned by :func:`load_input`.
        params: Parameters already validated with ``predictor.parse_params``.
    """
    good = [index for index, item in enumerate(loaded) if item.image is not None]
    outcomes = [InputOutcome(item.key, item.sha256, error=item.error) for item in loaded]
    if not good:
        return outcomes
    images = [image for image in (loaded[index].image for index in good) if image is not None]
    try:
        result = predictor.predict(images, params)
    except (ModuleFailed, InvalidInput):
        for index, image in zip(good, images, strict=True):
            outcomes[index] = _predict_alone(predictor, loaded[index], image, params)
        return outcomes
    for index, prediction in zip(good, result.predictions, strict=True):
        item = loaded[index]
        outcomes[index] = InputOutcome(item.key, item.sha256, prediction=prediction)
    return outcomes


def _predict_alone(
    predictor: Predictor, item: LoadedInput, image: ImageInput, params: BaseModel
) -> InputOutcome:
    try:
        prediction = predictor.predict([image], params).predictions[0]
    except ModuleFailed as exc:
        kind = f"{exc.error_type}: " if exc.error_type else ""
        return InputOutcome(
            item.key,
            item.sha256,
            error=f"{item.key}: module failed: {kind}{exc.message}",
            module_failed=True,
        )
    except InvalidInput as exc:
        return InputOutcome(item.key, item.sha256, error=exc.message)
    return InputOutcome(item.key, item.sha256, prediction=prediction)
