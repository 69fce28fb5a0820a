"""The conformance kit: which checks catch which broken module, and what passes."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from seascope.errors import ModuleNotFound
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, NoParams
from seascope.modules.testing import CheckStatus, assert_conforms, check_module, sample_images
from seascope.types import ClassScore, ImageInput, Prediction

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "seascope_modules"


@pytest.fixture
def plugins() -> Iterator[ModuleRegistry]:
    sys.path.insert(0, str(FIXTURES))
    try:
        yield ModuleRegistry.from_entry_points("seascope.modules.test")
    finally:
        sys.path.remove(str(FIXTURES))
        for name in [m for m in sys.modules if m.startswith("broken_plugins")]:
            del sys.modules[name]


class Unsorted(ModelModule[NoParams, NoParams]):
    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        low, high = ClassScore(label="a", score=0.1), ClassScore(label="b", score=0.9)
        return [Prediction(input=image.name, classes=(low, high)) for image in images]


class Renaming(ModelModule[NoParams, NoParams]):
    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        return [Prediction(input="image.png") for _ in images]


class Short(ModelModule[NoParams, NoParams]):
    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        return [Prediction(input=images[0].name)]


class BadEmbed(Renaming):
    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        return [Prediction(input=image.name) for image in images]

    def embed(self, images: Sequence[ImageInput]) -> npt.NDArray[np.float32]:
        return np.zeros(3, dtype=np.float32)


class NotJsonDescribe(BadEmbed):
    def describe(self) -> dict[str, object]:
        return {"when": object()}


def _registry(
    cls: type, *, capabilities: frozenset[str] = frozenset({"predict"})
) -> ModuleRegistry:
    manifest = ModuleManifest(
        name="subject",
        version="1.0.0",
        title="Subject",
        summary="Module under test.",
        task="image-classification",
        entry=f"{__name__}:{cls.__name__}",
        capabilities=capabilities,
    )
    return ModuleRegistry([manifest])


def _status(results: list, name: str) -> tuple[CheckStatus, str]:  # type: ignore[type-arg]
    result = next(r for r in results if r.name == name)
    return result.status, result.message


def test_the_reference_module_passes_every_check() -> None:
    results = check_module(ModuleRegistry.from_entry_points(), "reference")
    assert [r.status for r in results] == [CheckStatus.PASSED] * len(results)
    assert "embed returns one vector per image" in [r.name for r in results]


def test_a_good_plugin_passes(plugins: ModuleRegistry) -> None:
    assert_conforms("echo", plugins)


@pytest.mark.parametrize(
    ("name", "check", "message"),
    [
        ("failing-setup", "setup works on cpu", "weights file is corrupt"),
        ("lazy-trainer", "declared capabilities are implemented", "train()"),
        ("not-a-module", "entry is a ModelModule subclass", "not a seascope.modules.ModelModule"),
        ("missing-import", "entry imports", "cannot import 'broken_plugins.nowhere'"),
        ("exploding", "manifest is valid", "plugin exploded"),
    ],
)
def test_broken_plugins_fail_one_check_and_skip_what_depends_on_it(
    plugins: ModuleRegistry, name: str, check: str, message: str
) -> None:
    results = check_module(plugins, name)
    status, text = _status(results, check)
    assert status is CheckStatus.FAILED
    assert message in text
    assert [r.name for r in results if r.failed] == [check]
    predict = _status(results, "predict returns one valid Prediction per image")
    assert predict == (CheckStatus.SKIPPED, "an earlier check failed")


def test_unknown_module_raises_module_not_found(plugins: ModuleRegistry) -> None:
    with pytest.raises(ModuleNotFound, match="did you mean 'echo'"):
        check_module(plugins, "ecko")


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (Unsorted, "not sorted by descending score"),
        (Renaming, "keep ImageInput.name"),
        (Short, "1 predictions for 2 images"),
    ],
)
def test_predict_contract_violations_are_caught(cls: type, message: str) -> None:
    status, text = _status(
        check_module(_registry(cls), "subject"), "predict returns one valid Prediction per image"
    )
    assert status is CheckStatus.FAILED
    assert message in text


def test_embed_shape_is_checked_when_declared() -> None:
    registry = _registry(BadEmbed, capabilities=frozenset({"predict", "embed"}))
    status, text = _status(check_module(registry, "subject"), "embed returns one vector per image")
    assert status is CheckStatus.FAILED
    assert "expected (2, d)" in text


def test_undeclared_capability_passes_with_a_note() -> None:
    status, text = _status(
        check_module(_registry(BadEmbed), "subject"), "declared capabilities are implemented"
    )
    assert status is CheckStatus.PASSED
    assert "embed()" in text


def test_describe_must_be_json() -> None:
    status, text = _status(
        check_module(_registry(NotJsonDescribe), "subject"), "describe() returns JSON"
    )
    assert status is CheckStatus.FAILED
    assert "not JSON-serialisable" in text


def test_assert_conforms_lists_the_failures() -> None:
    with pytest.raises(AssertionError, match=r"fails 1 of \d+ conformance checks:\n  - predict"):
        assert_conforms("subject", _registry(Short))


def test_sample_images_are_two_rgb_uint8_images() -> None:
    first, second = sample_images()
    assert first.array.shape == (96, 128, 3)
    assert second.array.shape == (80, 80, 3)
    assert first.array.dtype == np.uint8
    assert second.is_greyscale
    assert not first.is_greyscale
    assert first.name != second.name
