"""Conformance checks for model modules: the kit behind ``seascope modules validate``.

Module authors get the same checks as a pytest fixture (``seascope_conformance``, from
:mod:`seascope.modules.testing_plugin`) or by calling :func:`assert_conforms` directly.
The checks run in order; a check whose precondition failed is reported as skipped:

1. the manifest is valid;
2. the entry imports;
3. the entry is a :class:`~seascope.modules.ModelModule` subclass;
4. the declared capabilities are implemented;
5. the parameter models serialise to a JSON schema;
6. ``setup`` works on the CPU with the module's default weights;
7. ``describe`` returns JSON;
8. ``predict`` on two generated images returns one valid ``Prediction`` each;
9. ``embed`` returns one vector per image (modules that declare ``embed``).

Example:
    >>> from seascope.modules import ModuleRegistry
    >>> results = check_module(ModuleRegistry.from_entry_points(), "reference")
    >>> all(result.passed for result in results)
    True
"""

from __future__ import annotations

import importlib
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from seascope.errors import SeascopeError
from seascope.modules.contract import ModelModule, SetupContext
from seascope.modules.manifest import ModuleManifest
from seascope.modules.registry import ModuleRegistry
from seascope.types import ImageInput, Prediction

__all__ = ["CheckResult", "CheckStatus", "assert_conforms", "check_module", "sample_images"]

_OPTIONAL_METHODS = ("train", "embed")


class CheckStatus(StrEnum):
    """Outcome of one conformance check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One conformance check and its outcome.

    Attributes:
        name: What was checked, as a short sentence.
        status: Passed, failed, or skipped because an earlier check failed.
        message: Why it failed or was skipped; notes for a passed check.
    """

    name: str
    status: CheckStatus
    message: str = ""

    @property
    def passed(self) -> bool:
        """Whether the check passed."""
        return self.status is CheckStatus.PASSED

    @property
    def failed(self) -> bool:
        """Whether the check failed."""
        return self.status is CheckStatus.FAILED


class _CheckFailed(Exception):  # noqa: N818 - internal signal, never leaves this module
    """Raised inside a check to fail it with a message."""


@dataclass(frozen=True, slots=True)
class _Passed:
    """What a check returns to pass with a note."""

    value: object
    note: str


class _Checks:
    """Runs checks in order, skipping those whose inputs are missing."""

    def __init__(self) -> None:
        self.results: list[CheckResult] = []

    def run(self, name: str, check: Callable[[], Any], *, after: Sequence[object] = ()) -> Any:
        """Run ``check``; returns its value, or ``None`` when it failed or was skipped."""
        if any(value is None for value in after):
            self.results.append(CheckResult(name, CheckStatus.SKIPPED, "an earlier check failed"))
            return None
        try:
            value = check()
        except _CheckFailed as exc:
            self.results.append(CheckResult(name, CheckStatus.FAILED, str(exc)))
            return None
        except Exception as exc:  # noqa: BLE001 - module code may raise anything; report it
            self.results.append(CheckResult(name, CheckStatus.FAILED, _explain(exc)))
            return None
        if isinstance(value, _Passed):
            self.results.append(CheckResult(name, CheckStatus.PASSED, value.note))
            return value.value
        self.results.append(CheckResult(name, CheckStatus.PASSED))
        return value


def check_module(registry: ModuleRegistry, name: str, *, device: str = "cpu") -> list[CheckResult]:
    """Run every conformance check on the module ``name`` of ``registry``.

    Args:
        registry: Where the module is found (``ModuleRegistry.from_entry_points()``).
        name: The module's name.
        device: Device given to ``setup`` (the contract asks for CPU support).

    Returns:
        One result per check, in order.

    Raises:
        ModuleNotFound: no module of that name was found, not even a broken one.
    """
    if name not in registry.names() and _problem_of(registry, name) is None:
        registry.get(name)  # raises ModuleNotFound, with suggestions
    checks = _Checks()
    manifest = checks.run("manifest is valid", lambda: _check_manifest(registry, name))
    target = checks.run("entry imports", lambda: _import_entry(manifest), after=[manifest])
    module_class = checks.run(
        "entry is a ModelModule subclass", lambda: _check_class(target), after=[target]
    )
    capabilities = checks.run(
        "declared capabilities are implemented",
        lambda: _check_capabilities(manifest, module_class),
        after=[module_class],
    )
    checks.run(
        "parameter models serialise to JSON schema",
        lambda: _check_params(manifest, module_class),
        after=[module_class],
    )
    with tempfile.TemporaryDirectory(prefix="seascope-conformance-") as cache:
        module = checks.run(
            f"setup works on {device}",
            lambda: registry.create(name, SetupContext(device=device, cache_dir=Path(cache))),
            after=[capabilities],
        )
        checks.run("describe() returns JSON", lambda: _check_describe(module), after=[module])
        images = sample_images()
        checks.run(
            "predict returns one valid Prediction per image",
            lambda: _check_predict(module, images),
            after=[module],
        )
        if manifest is not None and "embed" in manifest.capabilities:
            checks.run(
                "embed returns one vector per image",
                lambda: _check_embed(module, images),
                after=[module],
            )
    return checks.results


def assert_conforms(name: str, registry: ModuleRegistry | None = None) -> None:
    """Fail (``AssertionError``) unless the module ``name`` passes every check.

    Args:
        name: The module's name.
        registry: Where to find it (default: the installed modules).

    Raises:
        AssertionError: listing each failed check and its message.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    results = check_module(registry or ModuleRegistry.from_entry_points(), name)
    failed = [result for result in results if result.failed]
    if failed:
        lines = "\n".join(f"  - {result.name}: {result.message}" for result in failed)
        raise AssertionError(
            f"module {name!r} fails {len(failed)} of {len(results)} conformance checks:\n{lines}"
        )


def sample_images() -> list[ImageInput]:
    """Two small generated particle images: a colour one and a greyscale one.

    They are drawn with numpy (a dark ellipse on a light, noisy background), so the kit
    needs neither files nor network.
    """
    rng = np.random.default_rng(0)
    images: list[ImageInput] = []
    for index, (height, width, greyscale) in enumerate(((96, 128, False), (80, 80, True))):
        rows, cols = np.mgrid[0:height, 0:width]
        inside = ((rows - height / 2) / (height * 0.3)) ** 2 + (
            (cols - width / 2) / (width * 0.22)
        ) ** 2 <= 1.0
        grey = np.full((height, width), 215.0) - 130.0 * inside
        grey += rng.normal(0.0, 4.0, size=grey.shape)
        pixels = np.clip(grey, 0, 255).astype(np.uint8)
        tint = np.array([1.0, 0.98, 0.93]) if not greyscale else np.ones(3)
        rgb = np.clip(pixels[:, :, None] * tint, 0, 255).astype(np.uint8)
        images.append(
            ImageInput(
                name=f"conformance-{index + 1}.png",
                array=rgb,
                is_greyscale=greyscale,
                source_format="PNG",
                metadata={"width": width, "height": height},
            )
        )
    return images


def _problem_of(registry: ModuleRegistry, name: str) -> str | None:
    for problem in registry.problems:
        if problem.source.split(" ")[0] == name:
            return problem.message
    return None


def _check_manifest(registry: ModuleRegistry, name: str) -> ModuleManifest:
    if name not in registry.names():
        raise _CheckFailed(_problem_of(registry, name) or f"no module named {name!r}")
    manifest = registry.get(name)
    ModuleManifest.model_validate(manifest.model_dump())
    return manifest


def _import_entry(manifest: ModuleManifest) -> object:
    module_path, _, attribute = manifest.entry.partition(":")
    try:
        module = importlib.import_module(module_path)
    except Exception as exc:
        raise _CheckFailed(f"cannot import {module_path!r}: {_explain(exc)}") from exc
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise _CheckFailed(f"{module_path!r} has no attribute {attribute!r}") from None


def _check_class(target: object) -> type[ModelModule]:  # type: ignore[type-arg]
    if not (isinstance(target, type) and issubclass(target, ModelModule)):
        raise _CheckFailed(f"{target!r} is not a seascope.modules.ModelModule subclass")
    return target


def _check_capabilities(
    manifest: ModuleManifest,
    module_class: type[ModelModule],  # type: ignore[type-arg]
) -> _Passed:
    missing: list[str] = []
    undeclared: list[str] = []
    for method in _OPTIONAL_METHODS:
        implemented = getattr(module_class, method) is not getattr(ModelModule, method)
        declared = method in manifest.capabilities
        if declared and not implemented:
            missing.append(method)
        elif implemented and not declared:
            undeclared.append(method)
    if "export" in manifest.capabilities and not callable(getattr(module_class, "export", None)):
        missing.append("export")
    if missing:
        raise _CheckFailed("declared but not implemented: " + ", ".join(f"{m}()" for m in missing))
    note = (
        "implemented but not declared (the platform will not offer them): "
        + ", ".join(f"{m}()" for m in undeclared)
        if undeclared
        else ""
    )
    return _Passed(True, note)


def _check_params(
    manifest: ModuleManifest,
    module_class: type[ModelModule],  # type: ignore[type-arg]
) -> bool:
    kinds = [("predict_params", module_class.predict_params)]
    if "train" in manifest.capabilities:
        kinds.append(("train_params", module_class.train_params))
    for attribute, model in kinds:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise _CheckFailed(f"{attribute} is {model!r}, not a pydantic BaseModel subclass")
        try:
            json.dumps(model.model_json_schema())
        except Exception as exc:
            raise _CheckFailed(f"{attribute}: no JSON schema: {_explain(exc)}") from exc
    return True


def _check_describe(module: ModelModule) -> bool:  # type: ignore[type-arg]
    description = module.describe()
    if not isinstance(description, dict):
        raise _CheckFailed(f"describe() returned {type(description).__name__}, not a dict")
    try:
        json.dumps(description)
    except (TypeError, ValueError) as exc:
        raise _CheckFailed(f"describe() is not JSON-serialisable: {exc}") from exc
    return True


def _check_predict(
    module: ModelModule,  # type: ignore[type-arg]
    images: Sequence[ImageInput],
) -> bool:
    try:
        params = module.predict_params.model_validate({})
    except Exception as exc:
        raise _CheckFailed(
            f"predict parameters need a default for every field: {_explain(exc)}"
        ) from exc
    predictions = module.predict(images, params)
    if not isinstance(predictions, list):
        raise _CheckFailed(f"predict returned {type(predictions).__name__}, not a list")
    if len(predictions) != len(images):
        raise _CheckFailed(
            f"predict returned {len(predictions)} predictions for {len(images)} images"
        )
    for image, prediction in zip(images, predictions, strict=True):
        if not isinstance(prediction, Prediction):
            raise _CheckFailed(f"predict returned a {type(prediction).__name__}, not a Prediction")
        if prediction.input != image.name:
            raise _CheckFailed(
                f"prediction for {image.name!r} says input={prediction.input!r} "
                "(keep ImageInput.name, in the same order)"
            )
        scores = [score.score for score in prediction.classes]
        if scores != sorted(scores, reverse=True):
            raise _CheckFailed(f"classes of {image.name!r} are not sorted by descending score")
        json.dumps(prediction.model_dump(mode="json"))
    return True


def _check_embed(
    module: ModelModule,  # type: ignore[type-arg]
    images: Sequence[ImageInput],
) -> bool:
    vectors = np.asarray(module.embed(images))
    if vectors.ndim != 2 or vectors.shape[0] != len(images):
        raise _CheckFailed(f"embed returned shape {vectors.shape}, expected ({len(images)}, d)")
    if not np.issubdtype(vectors.dtype, np.floating):
        raise _CheckFailed(f"embed returned {vectors.dtype}, expected floats")
    if not np.isfinite(vectors).all():
        raise _CheckFailed("embed returned NaN or infinite values")
    return True


def _explain(exc: BaseException) -> str:
    if isinstance(exc, SeascopeError):
        return exc.message
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
