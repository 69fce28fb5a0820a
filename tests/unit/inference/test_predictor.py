"""The one predict path: parameters, decoding, module failures, output checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from seascope.errors import (
    ImageTooLarge,
    InvalidInput,
    InvalidParameters,
    ModuleFailed,
    ModuleNotFound,
    UnsupportedMediaType,
)
from seascope.inference import ModuleHost, Predictor, module_failure
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, NoParams
from seascope.types import ImageInput, Prediction

MANIFEST = ModuleManifest(
    name="scripted",
    version="0",
    title="Scripted",
    summary="Behaves as the test says.",
    task="other",
    entry="tests.unit.inference.test_predictor:Scripted",
    max_concurrency=1,
)


class HTTPBadRequest(Exception):
    """Shaped like aiohttp's: a status and a reason, no positional args."""

    status = 400

    def __init__(self, *, reason: str) -> None:
        super().__init__()
        self.reason = reason
        self.text = f"400: {reason}"


class Scripted(ModelModule[NoParams, NoParams]):
    behaviour: Callable[[Sequence[ImageInput]], Any] = staticmethod(
        lambda images: [Prediction(input=i.name) for i in images]
    )

    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        return type(self).behaviour(images)  # type: ignore[no-any-return]


@pytest.fixture
def predictor() -> Predictor:
    Scripted.behaviour = staticmethod(lambda images: [Prediction(input=i.name) for i in images])
    return Predictor(Scripted(MANIFEST))


def test_predict_files(predictor: Predictor, particle_bytes: Callable[..., bytes]) -> None:
    result = predictor.predict_files(
        [("a.jpg", particle_bytes()), ("b.png", particle_bytes(fmt="PNG"))]
    )
    assert [p.input for p in result.predictions] == ["a.jpg", "b.png"]
    assert result.decode_seconds > 0 and result.predict_seconds >= 0


def test_every_bad_file_is_named(
    predictor: Predictor, particle_bytes: Callable[..., bytes]
) -> None:
    with pytest.raises(InvalidInput) as info:
        predictor.predict_files([("ok.jpg", particle_bytes()), ("z.jpg", b""), ("t.txt", b"text")])
    assert type(info.value) is InvalidInput
    assert "z.jpg: the file is empty" in info.value.message
    assert "t.txt: not an image" in info.value.message


def test_failures_of_one_kind_keep_their_class(predictor: Predictor) -> None:
    with pytest.raises(UnsupportedMediaType):
        predictor.predict_files([("a.txt", b"text"), ("b.txt", b"more")])
    small = Predictor(Scripted(MANIFEST), max_image_pixels=10)
    with pytest.raises(ImageTooLarge):
        small.decode([("a.png", _png())])


def _png() -> bytes:
    from PIL import Image

    from tests.conftest import encode

    return encode(Image.new("RGB", (8, 8)), "PNG")


def test_module_exceptions_become_module_failed(predictor: Predictor) -> None:
    image = ImageInput(name="a", array=np.zeros((2, 2, 3), np.uint8))

    def raise_value_error(images: Sequence[ImageInput]) -> None:
        raise ValueError("model weights missing for class Noctiluca")

    Scripted.behaviour = staticmethod(raise_value_error)
    with pytest.raises(ModuleFailed, match="weights missing") as info:
        predictor.predict([image])
    assert info.value.status is None and info.value.error_type == "ValueError"

    def raise_http(images: Sequence[ImageInput]) -> None:
        raise HTTPBadRequest(reason="image must be RGB")

    Scripted.behaviour = staticmethod(raise_http)
    with pytest.raises(ModuleFailed) as info:
        predictor.predict([image])
    assert (info.value.status, info.value.message) == (400, "image must be RGB")


@pytest.mark.parametrize(
    ("output", "message"),
    [({"a": 1}, "returned dict, not a list of Prediction"), ([], "returned 0 predictions for 1")],
)
def test_contract_violations(predictor: Predictor, output: object, message: str) -> None:
    Scripted.behaviour = staticmethod(lambda images: output)
    with pytest.raises(ModuleFailed, match=message):
        predictor.predict([ImageInput(name="a", array=np.zeros((2, 2, 3), np.uint8))])


def test_parameters_are_validated_with_field_messages() -> None:
    class Params(BaseModel):
        top_k: int = 5

    class WithParams(Scripted):
        predict_params = Params

    predictor = Predictor(WithParams(MANIFEST))
    assert predictor.parse_params({"top_k": "3"}).top_k == 3  # type: ignore[attr-defined]
    with pytest.raises(InvalidParameters) as info:
        predictor.parse_params({"top_k": "many"})
    assert list(info.value.fields) == ["top_k"]


def test_module_failure_prefers_detail_and_strips_status_prefix() -> None:
    class StarletteLike(Exception):
        status_code = 409
        detail = "already running"

    assert module_failure(StarletteLike()).status == 409
    assert module_failure(StarletteLike()).message == "already running"
    assert module_failure(RuntimeError()).message == "RuntimeError"


def test_host_loads_once_and_remembers_failures() -> None:
    host = ModuleHost(ModuleRegistry.from_entry_points())
    assert not host.is_loaded("reference")
    first = host.predictor("reference")
    assert host.predictor("reference") is first and host.is_loaded("reference")
    assert host.warm() == {}
    with pytest.raises(ModuleNotFound):
        host.predictor("nope")
