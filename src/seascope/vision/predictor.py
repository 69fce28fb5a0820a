"""Calibrated class probabilities from images, through torch or ONNX Runtime.

Both engines share the preprocessing (the deterministic eval transform) and the
calibration (``softmax(logits / T)``), so they differ only in who computes the logits.
Optional test-time augmentation (TTA) averages log-probabilities over the eight
symmetries of the square (identity, three rotations by 90 degrees, and their mirror
images), which suits rotation-invariant organisms.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from seascope.errors import ModuleLoadFailed
from seascope.vision.calibration import log_softmax, softmax
from seascope.vision.export import INPUT_NAME, onnx_session
from seascope.vision.package import ModelCard, build_network
from seascope.vision.runtime import Precision, autocast, resolve_device, resolve_precision
from seascope.vision.transforms import build_eval_transform, image_to_tensor

__all__ = [
    "ClassifierPredictor",
    "EngineName",
    "LogitsEngine",
    "OnnxEngine",
    "TorchEngine",
    "tta_logits",
    "tta_views",
]

EngineName = Literal["torch", "onnx"]
FloatArray = npt.NDArray[np.float32]
_CHUNK = 64


class LogitsEngine(Protocol):
    """Computes logits of a normalised ``(n, 3, s, s)`` float32 batch."""

    name: str

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """``(n, classes)`` logits."""
        ...


class TorchEngine:
    """Logits from an in-process torch network on ``device`` (autocast on CUDA)."""

    name = "torch"

    def __init__(self, network: nn.Module, device: str = "cpu", *, amp: bool = True) -> None:
        self.device = resolve_device(device)
        self.precision: Precision = resolve_precision(self.device, amp=amp)
        self.network = network.to(self.device).eval()
        if self.precision.channels_last:
            self.network = self.network.to(memory_format=torch.channels_last)

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """Run the network without gradients."""
        inputs = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
        if self.precision.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), autocast(self.device, self.precision):
            output = self.network(inputs)
        logits: npt.NDArray[np.float64] = output.float().cpu().numpy().astype(np.float64)
        return logits


class OnnxEngine:
    """Logits from ``model.onnx`` through ONNX Runtime on the CPU."""

    name = "onnx"

    def __init__(self, path: Path) -> None:
        try:
            self.session = onnx_session(path)
        except Exception as exc:  # onnxruntime raises its own, untyped errors
            raise ModuleLoadFailed(f"{path}: ONNX Runtime cannot load the model: {exc}") from exc

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """Run the graph's ``logits`` output."""
        outputs = self.session.run(  # type: ignore[attr-defined]
            ["logits"], {INPUT_NAME: np.ascontiguousarray(batch, dtype=np.float32)}
        )
        return np.asarray(outputs[0], dtype=np.float64)


def tta_views(batch: FloatArray) -> list[FloatArray]:
    """The eight symmetries of the square of an ``(n, c, s, s)`` batch."""
    views: list[FloatArray] = []
    for turns in range(4):
        rotated = np.rot90(batch, turns, axes=(2, 3))
        views.append(np.ascontiguousarray(rotated))
        views.append(np.ascontiguousarray(rotated[:, :, :, ::-1]))
    return views


class ClassifierPredictor:
    """Turns RGB arrays into calibrated probabilities for one model card.

    Args:
        card: The package's card (classes, preprocessing, calibration).
        engine: Where logits come from.
    """

    def __init__(self, card: ModelCard, engine: LogitsEngine) -> None:
        self.card = card
        self.engine = engine
        pre = card.preprocessing
        self._transform = build_eval_transform(pre.image_size, pre.mean, pre.std, pre.size_mode)

    @classmethod
    def from_package(
        cls, path: Path, card: ModelCard, *, engine: EngineName, device: str = "cpu"
    ) -> ClassifierPredictor:
        """Load the package's ONNX graph or its safetensors weights.

        Raises:
            ModuleLoadFailed: the package lacks ``model.onnx`` for the onnx engine, or
                its weights cannot be loaded.
        """
        if engine == "onnx":
            onnx_file = path / "model.onnx"
            if not onnx_file.is_file():
                raise ModuleLoadFailed(f"{path}: no model.onnx in the package (use engine torch)")
            return cls(card, OnnxEngine(onnx_file))
        network = build_network(card, path / "weights.safetensors")
        return cls(card, TorchEngine(network, device))

    def preprocess(self, images: Sequence[npt.NDArray[np.uint8]]) -> FloatArray:
        """Normalised ``(n, 3, s, s)`` float32 inputs of ``(H, W, 3)`` uint8 RGB arrays."""
        tensors = [self._transform(image_to_tensor(array)) for array in images]
        return torch.stack(tensors).numpy().astype(np.float32, copy=False)

    def logits(self, images: Sequence[npt.NDArray[np.uint8]]) -> npt.NDArray[np.float64]:
        """Raw logits of the images, computed in chunks of 64."""
        chunks = [
            self.engine.logits(self.preprocess(images[start : start + _CHUNK]))
            for start in range(0, len(images), _CHUNK)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.card.classes)))

    def probabilities(
        self, images: Sequence[npt.NDArray[np.uint8]], *, tta: bool = False
    ) -> npt.NDArray[np.float64]:
        """Calibrated class probabilities, ``(n, classes)``.

        With ``tta`` the log-probabilities of the eight views are averaged (a geometric
        mean) using the TTA temperature when the card has one.
        """
        calibration = self.card.calibration
        if not tta:
            return softmax(self.logits(images), calibration.temperature)
        temperature = calibration.temperature_tta or calibration.temperature
        outputs: list[npt.NDArray[np.float64]] = []
        for start in range(0, len(images), _CHUNK):
            batch = self.preprocess(images[start : start + _CHUNK])
            views = [self.engine.logits(view) for view in tta_views(batch)]
            outputs.append(tta_logits(views))
        if not outputs:
            return np.zeros((0, len(self.card.classes)))
        return softmax(np.concatenate(outputs), temperature)


def tta_logits(views: Sequence[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    """Combine the logits of several views: the mean of their log-softmax.

    The result is a valid logit vector (softmax of it is the normalised geometric mean of
    the views' probabilities), so a temperature can be fitted and applied to it.
    """
    return np.mean([log_softmax(view) for view in views], axis=0)  # type: ignore[no-any-return]
