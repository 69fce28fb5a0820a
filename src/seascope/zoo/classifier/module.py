"""The ``classifier`` module: a timm CNN for plankton crops, served from a model package.

``setup`` accepts, as ``ctx.weights``:

- a package folder: ONNX Runtime on the CPU when the package has ``model.onnx`` (and
  onnxruntime is installed), the torch network otherwise and on GPUs;
- the package's ``model.onnx`` file: always ONNX Runtime;
- the package's ``model.int8.onnx`` file: ONNX Runtime with the int8 model made by
  ``python -m seascope.vision.quantize PACKAGE`` (refused unless the card records its
  measured accuracy change); a folder never picks it by itself;
- the package's ``weights.safetensors`` file: always torch;
- nothing: an *untrained* network over the six synthetic demo classes, so that
  ``seascope modules validate classifier`` checks the whole path (decode, preprocess,
  network, calibration, output) without a trained model. ``describe()`` and every
  prediction say ``untrained``; train the module to get a real model.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from seascope.datasets import MORPHOLOGIES
from seascope.errors import ModuleLoadFailed
from seascope.modules import ModelModule, SetupContext, TrainingContext, TrainResult
from seascope.types import ClassScore, ImageInput, Prediction
from seascope.vision.package import (
    CARD_FILE,
    INT8_ONNX_FILE,
    ONNX_FILE,
    WEIGHTS_FILE,
    ModelCard,
    Preprocessing,
    build_network,
    read_package,
)
from seascope.vision.predictor import ClassifierPredictor, EngineName, TorchEngine
from seascope.vision.runtime import resolve_device
from seascope.zoo.classifier.params import PredictParams, TrainParams

__all__ = ["PlanktonClassifier"]

UNTRAINED_BACKBONE = "resnet10t"
UNTRAINED_IMAGE_SIZE = 64


class PlanktonClassifier(ModelModule[PredictParams, TrainParams]):
    """Plankton image classifier on a timm backbone, with calibrated probabilities."""

    predict_params = PredictParams
    train_params = TrainParams

    _predictor: ClassifierPredictor
    _package: Path | None
    _device: str
    _network: nn.Module | None

    def setup(self, ctx: SetupContext) -> None:
        """Load the package named by ``ctx.weights`` (see the module docstring)."""
        self._device = str(resolve_device(ctx.device))
        self._network = None
        if ctx.weights is None:
            self._package = None
            self._predictor = _untrained_predictor(self._device)
        else:
            package, engine = _package_and_engine(ctx.weights, self._device)
            card = read_package(package)
            self._package = package
            self._predictor = ClassifierPredictor.from_package(
                package, card, engine=engine, device=self._device, threads=ctx.threads
            )
        if isinstance(self._predictor.engine, TorchEngine):
            self._network = self._predictor.engine.network

    @property
    def is_trained(self) -> bool:
        """Whether a trained package is loaded (not the untrained demo network)."""
        return self._package is not None

    def predict(self, images: Sequence[ImageInput], params: PredictParams) -> list[Prediction]:
        """Top-k classes with calibrated probabilities; low confidence is flagged unknown.

        ``Prediction.extra`` holds ``label`` (the top class, or ``"unknown"``),
        ``unknown``, ``confidence``, ``threshold``, ``temperature``, ``engine`` and
        ``tta``; ``untrained`` is added when no package is loaded.
        """
        if not images:
            return []
        card = self._predictor.card
        probabilities = self._predictor.probabilities(
            [image.array for image in images], tta=params.tta
        )
        k = min(params.top_k, len(card.classes))
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        threshold = (
            params.unknown_threshold
            if params.unknown_threshold is not None
            else card.unknown.threshold
        )
        temperature = (
            card.calibration.temperature_tta or card.calibration.temperature
            if params.tta
            else card.calibration.temperature
        )
        predictions: list[Prediction] = []
        for row, image in enumerate(images):
            best = int(order[row, 0])
            confidence = float(probabilities[row, best])
            unknown = params.reject_unknown and confidence < threshold
            extra: dict[str, Any] = {
                "label": card.unknown.label if unknown else card.classes[best],
                "unknown": unknown,
                "confidence": confidence,
                "threshold": threshold if params.reject_unknown else None,
                "temperature": temperature,
                "engine": self._predictor.engine.name,
                "tta": params.tta,
            }
            if not self.is_trained:
                extra["untrained"] = True
            predictions.append(
                Prediction(
                    input=image.name,
                    classes=tuple(
                        ClassScore(
                            label=card.classes[j],
                            score=min(1.0, max(0.0, float(probabilities[row, j]))),
                            aphia_id=card.aphia_ids.get(card.classes[j]),
                        )
                        for j in order[row]
                    ),
                    extra=extra,
                )
            )
        return predictions

    def embed(self, images: Sequence[ImageInput]) -> npt.NDArray[np.float32]:
        """The backbone's pooled features (the input of the classifier layer)."""
        network = self._torch_network()
        batch = self._predictor.preprocess([image.array for image in images])
        device = next(network.parameters()).device
        with torch.inference_mode():
            inputs = torch.from_numpy(batch).to(device)
            features = network.forward_features(inputs)  # type: ignore[operator]
            pooled = network.forward_head(features, pre_logits=True)  # type: ignore[operator]
        return np.asarray(pooled.float().cpu().numpy(), dtype=np.float32)

    def train(self, params: TrainParams, ctx: TrainingContext) -> TrainResult:
        """Train on ``params.dataset``; returns the package folder as ``model_path``."""
        # Imported here: the training stack (timm, torchvision) costs seconds of start-up
        # that prediction with ONNX Runtime does not need.
        from seascope.zoo.classifier.training import train_classifier

        return train_classifier(params, ctx, name=self.manifest.name)

    def describe(self) -> dict[str, Any]:
        """Classes, the weights and engine in use, calibration and the key metrics."""
        card = self._predictor.card
        facts: dict[str, Any] = {
            "trained": self.is_trained,
            "weights": str(self._package)
            if self._package is not None
            else (
                f"untrained {UNTRAINED_BACKBONE} over the synthetic demo classes: predictions "
                "are meaningless; train the module or pass a model package"
            ),
            "classes": list(card.classes),
            "backbone": card.backbone,
            "engine": self._predictor.engine.name,
            "device": self._device,
            "image_size": card.preprocessing.image_size,
            "temperature": card.calibration.temperature,
            "unknown_threshold": card.unknown.threshold,
        }
        if self.is_trained:
            facts["weights_init"] = card.weights_init.get("message", "")
            facts["dataset_fingerprint"] = card.dataset.get("content_fingerprint", "")
            for split in ("val", "test"):
                report = (card.metrics.get(split) or {}).get("report") or {}
                if report:
                    facts[f"{split}_accuracy"] = report.get("accuracy")
                    facts[f"{split}_macro_f1"] = (report.get("macro") or {}).get("f1")
        return facts

    def _torch_network(self) -> nn.Module:
        if self._network is None:
            if self._package is None:  # the untrained predictor always has its network
                raise ModuleLoadFailed("no network loaded; call setup() first")
            network = build_network(self._predictor.card, self._package / WEIGHTS_FILE)
            self._network = network.to(torch.device(self._device)).eval()
        return self._network


def _package_and_engine(weights: Path, device: str) -> tuple[Path, EngineName]:
    """The package folder and the engine that ``weights`` asks for."""
    by_file: dict[str, EngineName] = {
        ONNX_FILE: "onnx",
        INT8_ONNX_FILE: "int8",
        WEIGHTS_FILE: "torch",
    }
    if weights.is_file() and weights.name in by_file:
        return weights.parent, by_file[weights.name]
    if weights.is_dir() and (weights / CARD_FILE).is_file():
        has_onnx = (weights / ONNX_FILE).is_file()
        has_runtime = importlib.util.find_spec("onnxruntime") is not None
        cpu = device == "cpu"
        return weights, "onnx" if has_onnx and has_runtime and cpu else "torch"
    raise ModuleLoadFailed(
        f"{weights} is not a classifier model package (a folder with {CARD_FILE}, or its "
        f"{ONNX_FILE}, {INT8_ONNX_FILE} or {WEIGHTS_FILE}); train the classifier module to "
        "make one"
    )


def _untrained_predictor(device: str) -> ClassifierPredictor:
    """A random network over the demo classes, for wiring checks (deterministic)."""
    from seascope.vision.backbones import create_backbone

    classes = tuple(MORPHOLOGIES)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(0)
    try:
        backbone = create_backbone(
            UNTRAINED_BACKBONE, num_classes=len(classes), pretrained="none", drop_rate=0.0
        )
    finally:
        torch.random.set_rng_state(generator_state)
    card = ModelCard(
        name="classifier (untrained)",
        classes=classes,
        backbone=UNTRAINED_BACKBONE,
        preprocessing=Preprocessing(
            image_size=UNTRAINED_IMAGE_SIZE, mean=backbone.mean, std=backbone.std
        ),
        weights_init=backbone.source.model_dump(mode="json"),
    )
    return ClassifierPredictor(card, TorchEngine(backbone.network.eval(), device))
