"""The classifier model package: a folder that holds everything needed to predict.

::

    model-package/
      weights.safetensors     the network's state dict (no pickle)
      model.onnx              the same network, calibrated probabilities built in
      model.int8.onnx         optional: model.onnx quantised to int8 by
                              :mod:`seascope.vision.quantize`, its accuracy change in the card
      model-card.json         classes, preprocessing, calibration, threshold, metrics,
                              dataset fingerprint, training configuration, versions
      README.md               the card for people
      evaluation/             per-class metrics, confusion matrices (CSV, PNG), coverage

:func:`write_package` builds the folder under a temporary name beside the destination
and renames it into place only when every file is written, so a package folder that
exists is always complete. :func:`read_package` checks the files against the SHA-256
sums in the card.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from torch import nn

from seascope._version import __version__ as seascope_version
from seascope.datasets import sha256_file
from seascope.errors import ModuleLoadFailed
from seascope.vision.calibration import CalibrationScores
from seascope.vision.checkpoints import load_weights, save_weights
from seascope.vision.export import OnnxCheck

__all__ = [
    "CARD_FILE",
    "INT8_ONNX_FILE",
    "ONNX_FILE",
    "WEIGHTS_FILE",
    "Calibration",
    "Int8Quantization",
    "ModelCard",
    "Preprocessing",
    "UnknownRejection",
    "build_network",
    "read_package",
    "rewrite_card",
    "software_versions",
    "write_package",
]

WEIGHTS_FILE = "weights.safetensors"
ONNX_FILE = "model.onnx"
INT8_ONNX_FILE = "model.int8.onnx"
CARD_FILE = "model-card.json"
README_FILE = "README.md"
PACKAGE_FORMAT: Literal["seascope-classifier"] = "seascope-classifier"

# The same as seascope.vision.transforms.SizeMode, spelled out here so that reading a
# package does not import torchvision (seconds of start-up for ONNX Runtime users).
SizeMode = Literal["fit", "preserve"]


class Preprocessing(BaseModel):
    """How an image becomes the network's input (what ``model.onnx`` users must repeat)."""

    model_config = ConfigDict(frozen=True)

    image_size: int
    size_mode: SizeMode = "fit"
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    channels: str = "RGB; greyscale images as three equal channels"
    padding: str = (
        "pad to a centred square with the image's background colour (per-channel median "
        "of the one-pixel border); never stretched"
    )
    resize: str = "bilinear with antialiasing to image_size x image_size"
    scaling: str = "uint8 / 255, then (x - mean) / std per channel; layout NCHW float32"


class Calibration(BaseModel):
    """Temperature scaling fitted on the validation split."""

    model_config = ConfigDict(frozen=True)

    temperature: float = 1.0
    temperature_tta: float | None = None
    fitted_on: str = "val"
    images: int = 0
    before: CalibrationScores | None = None
    after: CalibrationScores | None = None


class UnknownRejection(BaseModel):
    """Below ``threshold`` calibrated confidence an image is reported as unknown."""

    model_config = ConfigDict(frozen=True)

    threshold: float = 0.0
    target_accuracy: float | None = None
    reached: bool = False
    val_coverage: float | None = None
    val_accuracy: float | None = None
    label: str = "unknown"


class Int8Quantization(BaseModel):
    """How ``model.int8.onnx`` was made and how much it changes the predictions.

    Written by :func:`seascope.vision.quantize.quantize_package`; the agreement and the
    macro-F1 change are measured on labelled images the network was not trained on.
    """

    model_config = ConfigDict(frozen=True)

    file: str = INT8_ONNX_FILE
    method: str
    calibration_images: int
    calibration_source: str
    evaluated_on: str
    images: int
    top1_agreement: float
    accuracy_fp32: float
    accuracy_int8: float
    macro_f1_fp32: float
    macro_f1_int8: float
    macro_f1_delta: float
    max_abs_probability_difference: float
    images_per_s_fp32: float | None = None
    images_per_s_int8: float | None = None
    created: str = ""
    software: dict[str, str] = Field(default_factory=dict)


class ModelCard(BaseModel):
    """``model-card.json``: what the package is and how it was made."""

    model_config = ConfigDict(frozen=True)

    format: Literal["seascope-classifier"] = PACKAGE_FORMAT
    format_version: int = 1
    name: str = "classifier"
    created: str = ""
    classes: tuple[str, ...]
    aphia_ids: dict[str, int] = Field(default_factory=dict)
    backbone: str
    drop_rate: float = 0.0
    preprocessing: Preprocessing
    calibration: Calibration = Calibration()
    unknown: UnknownRejection = UnknownRejection()
    weights_init: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    dataset: dict[str, Any] = Field(default_factory=dict)
    training: dict[str, Any] = Field(default_factory=dict)
    software: dict[str, str] = Field(default_factory=dict)
    onnx: OnnxCheck | None = None
    int8: Int8Quantization | None = None
    files: dict[str, str] = Field(default_factory=dict)


def software_versions() -> dict[str, str]:
    """Versions of seascope and of the libraries a package depends on."""
    versions = {"python": platform.python_version(), "seascope": seascope_version}
    for name in ("torch", "torchvision", "timm", "safetensors", "onnx", "onnxruntime"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def write_package(
    destination: Path,
    *,
    card: ModelCard,
    network: nn.Module,
    export_onnx: Callable[[Path], OnnxCheck] | None,
    extra_files: Callable[[Path], object] | None = None,
) -> ModelCard:
    """Write a complete package at ``destination``, atomically.

    Args:
        destination: The package folder; an existing one is replaced only once the new
            one is complete.
        card: The card; ``files`` and ``onnx`` are filled in here.
        network: The trained network (its state dict becomes ``weights.safetensors``).
        export_onnx: Writes ``model.onnx`` to the path given and returns its check;
            ``None`` to leave ONNX out.
        extra_files: Writes more files into the folder given (the evaluation tables).

    Returns:
        The card as written.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.parent / f".{destination.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        save_weights(
            network.state_dict(),
            staging / WEIGHTS_FILE,
            metadata={"format": PACKAGE_FORMAT, "backbone": card.backbone},
        )
        check = export_onnx(staging / ONNX_FILE) if export_onnx is not None else None
        if extra_files is not None:
            extra_files(staging)
        files = {WEIGHTS_FILE: sha256_file(staging / WEIGHTS_FILE)}
        if check is not None:
            files[ONNX_FILE] = sha256_file(staging / ONNX_FILE)
        final = card.model_copy(update={"files": files, "onnx": check})
        _write_card_files(staging, final)
        _swap_into_place(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def rewrite_card(path: Path, card: ModelCard) -> None:
    """Replace the card (and README) of the complete package at ``path``.

    Each file is written under a temporary name and renamed into place, so a reader sees
    the old card or the new one, never half of one.
    """
    staging = path / f".card.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        _write_card_files(staging, card)
        os.replace(staging / CARD_FILE, path / CARD_FILE)
        os.replace(staging / README_FILE, path / README_FILE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_card_files(folder: Path, card: ModelCard) -> None:
    (folder / CARD_FILE).write_text(
        json.dumps(card.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (folder / README_FILE).write_text(render_readme(card), encoding="utf-8")


def read_package(path: Path, *, verify: bool = True) -> ModelCard:
    """Read and check the card of the package at ``path``.

    Args:
        path: The package folder.
        verify: Compare each file's SHA-256 with the card.

    Raises:
        ModuleLoadFailed: not a package, an unreadable card, or a file that is missing
            or changed.
    """
    card_path = path / CARD_FILE
    if not card_path.is_file():
        raise ModuleLoadFailed(
            f"{path} is not a classifier package (no {CARD_FILE}); train the classifier "
            "module to make one"
        )
    try:
        card = ModelCard.model_validate_json(card_path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError, OSError) as exc:
        raise ModuleLoadFailed(f"{card_path}: not a valid model card: {exc}") from exc
    if verify:
        for name, digest in card.files.items():
            file = path / name
            if not file.is_file():
                raise ModuleLoadFailed(f"{path}: {name} is missing from the package")
            if sha256_file(file) != digest:
                raise ModuleLoadFailed(
                    f"{file}: the file changed since the package was written (SHA-256 differs)"
                )
    if WEIGHTS_FILE not in card.files:
        raise ModuleLoadFailed(f"{path}: the card lists no {WEIGHTS_FILE}")
    return card


def build_network(card: ModelCard, weights: Mapping[str, torch.Tensor] | Path) -> nn.Module:
    """The package's network (eval mode, CPU) with its weights loaded.

    Raises:
        ModuleLoadFailed: the backbone is unknown or the weights do not fit it.
    """
    import timm  # imported here: loading a package for ONNX Runtime does not need it (~2 s)

    state = load_weights(weights) if isinstance(weights, Path) else dict(weights)
    try:
        network = timm.create_model(
            card.backbone, pretrained=False, num_classes=len(card.classes), drop_rate=0.0
        )
        network.load_state_dict(state, strict=True)
    except (RuntimeError, KeyError, ValueError) as exc:
        raise ModuleLoadFailed(
            f"the package's weights do not fit backbone {card.backbone!r}: {exc}"
        ) from exc
    return network.eval()


def render_readme(card: ModelCard) -> str:
    """The card as a short Markdown page."""
    test = card.metrics.get("test") or {}
    val = card.metrics.get("val") or {}
    scores = test or val
    report = scores.get("report", {})
    pre = card.preprocessing
    lines = [
        f"# {card.name}: plankton image classifier ({card.backbone})",
        "",
        f"{len(card.classes)} classes: {', '.join(card.classes)}.",
        "",
        f"- Metrics on the {'test' if test else 'val'} split: accuracy "
        f"{report.get('accuracy', float('nan')):.3f}, macro-F1 "
        f"{report.get('macro', {}).get('f1', float('nan')):.3f} "
        f"({report.get('images', 0)} images).",
        f"- Calibration: temperature {card.calibration.temperature:.3f} (fitted on "
        f"{card.calibration.fitted_on}).",
        _unknown_line(card.unknown),
        f"- Starting weights: {card.weights_init.get('message', 'unknown')}.",
        f"- Dataset fingerprint: `{card.dataset.get('content_fingerprint', '')}`.",
        "",
        "## Preprocessing",
        "",
        f"{pre.padding}; {pre.resize} (image_size {pre.image_size}, size mode "
        f"{pre.size_mode}); {pre.scaling}; mean {list(pre.mean)}, std {list(pre.std)}.",
        "",
        "## Use",
        "",
        "```",
        "seascope predict classifier image.jpg --weights <this folder>",
        "```",
        "",
        f"`{ONNX_FILE}` takes `input` (N x 3 x {pre.image_size} x {pre.image_size}, float32) "
        "and returns `logits` and calibrated `probabilities`.",
        "",
        *_int8_lines(card.int8),
        "Files: " + ", ".join(f"`{name}`" for name in sorted(card.files)) + ".",
        "",
    ]
    return "\n".join(lines)


def _int8_lines(int8: Int8Quantization | None) -> list[str]:
    if int8 is None:
        return []
    return [
        f"`{int8.file}` is the same network quantised to int8 ({int8.method}); use it with "
        f"`--weights <this folder>/{int8.file}`. On {int8.images} {int8.evaluated_on} images it "
        f"agrees with the float model on {int8.top1_agreement:.2%} of the top-1 classes; "
        f"macro-F1 {int8.macro_f1_fp32:.4f} -> {int8.macro_f1_int8:.4f} "
        f"({int8.macro_f1_delta:+.4f}).",
        "",
    ]


def _unknown_line(unknown: UnknownRejection) -> str:
    if unknown.target_accuracy is None:
        return "- Unknown rejection: off (every image gets its best class)."
    if not unknown.reached:
        return (
            f"- Unknown rejection: no threshold reached {unknown.target_accuracy:.2f} accuracy "
            "on val, so nothing is rejected (threshold 0)."
        )
    return (
        f"- Unknown below calibrated confidence {unknown.threshold:.3f}: keeps "
        f"{(unknown.val_coverage or 0.0):.0%} of val images at "
        f"{(unknown.val_accuracy or 0.0):.0%} accuracy (target {unknown.target_accuracy:.2f})."
    )


def _swap_into_place(staging: Path, destination: Path) -> None:
    if not destination.exists():
        os.replace(staging, destination)
        return
    retired = destination.parent / f".{destination.name}.old-{uuid.uuid4().hex[:8]}"
    os.replace(destination, retired)
    try:
        os.replace(staging, destination)
    except BaseException:
        os.replace(retired, destination)
        raise
    shutil.rmtree(retired, ignore_errors=True)
