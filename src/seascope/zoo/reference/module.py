"""The reference module: nearest standardised centroid over :mod:`.features`."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from seascope.datasets import MORPHOLOGIES, render_particle, scan_class_folders
from seascope.errors import DatasetError, InvalidInput, ModuleLoadFailed
from seascope.imaging import decode_image
from seascope.modules import ModelModule, SetupContext, TrainingContext, TrainResult
from seascope.types import ClassScore, ImageInput, Prediction
from seascope.zoo.reference.features import FEATURE_NAMES, particle_features

__all__ = ["CentroidModel", "PredictParams", "ReferenceClassifier", "TrainParams"]

MODEL_FILE = "reference-model.npz"


class PredictParams(BaseModel):
    """Parameters of a prediction."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=5, ge=1, le=100, description="Number of classes returned per image.")
    temperature: float = Field(
        default=1.0, gt=0.0, le=100.0, description="Softmax temperature over centroid distances."
    )


class TrainParams(BaseModel):
    """Parameters of a training."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="Folder with one sub-folder of images per class.")
    validation_fraction: float = Field(
        default=0.2, ge=0.0, lt=1.0, description="Share of each class held out for validation."
    )
    seed: int = Field(default=0, description="Seed of the validation split.")


@dataclass(frozen=True)
class CentroidModel:
    """A trained nearest-centroid model (saved as ``.npz``, loaded without pickle)."""

    classes: tuple[str, ...]
    centroids: npt.NDArray[np.float64]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]

    @classmethod
    def fit(cls, features: npt.NDArray[np.float64], labels: Sequence[str]) -> CentroidModel:
        """Fit on a ``(n, d)`` feature matrix and its labels."""
        classes = tuple(sorted(set(labels)))
        mean = features.mean(axis=0)
        scale = features.std(axis=0) + 1e-6
        z = (features - mean) / scale
        label_array = np.asarray(labels)
        centroids = np.stack([z[label_array == c].mean(axis=0) for c in classes])
        return cls(classes, centroids, mean, scale)

    def probabilities(
        self, features: npt.NDArray[np.float64], temperature: float = 1.0
    ) -> npt.NDArray[np.float64]:
        """Class probabilities, ``(n, classes)``."""
        z = (features - self.mean) / self.scale
        d2 = ((z[:, None, :] - self.centroids[None, :, :]) ** 2).mean(axis=2)
        logits = -d2 / temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (``.npz``) atomically."""
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            classes=np.asarray(self.classes, dtype=np.str_),
            centroids=self.centroids,
            mean=self.mean,
            scale=self.scale,
            feature_names=np.asarray(FEATURE_NAMES, dtype=np.str_),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CentroidModel:
        """Read a model written by :meth:`save` (never unpickles)."""
        with np.load(path, allow_pickle=False) as data:
            names = tuple(str(n) for n in data["feature_names"])
            if names != FEATURE_NAMES:
                raise ModuleLoadFailed(f"{path}: made for other features ({len(names)} values)")
            return cls(
                tuple(str(c) for c in data["classes"]),
                data["centroids"].astype(np.float64),
                data["mean"].astype(np.float64),
                data["scale"].astype(np.float64),
            )


class ReferenceClassifier(ModelModule[PredictParams, TrainParams]):
    """Nearest-centroid particle classifier (numpy only)."""

    predict_params = PredictParams
    train_params = TrainParams

    _model: CentroidModel
    _weights: str

    def setup(self, ctx: SetupContext) -> None:
        """Load ``ctx.weights`` (a ``.npz`` file or a folder holding one) or the default."""
        if ctx.weights is None:
            self._model = _default_model()
            self._weights = "built-in centroids of the synthetic demo set"
            return
        path = ctx.weights / MODEL_FILE if ctx.weights.is_dir() else ctx.weights
        if not path.is_file():
            raise ModuleLoadFailed(f"reference model file not found: {path}")
        try:
            self._model = CentroidModel.load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModuleLoadFailed(f"{path}: not a reference model file ({exc})") from exc
        self._weights = str(path)

    def predict(self, images: Sequence[ImageInput], params: PredictParams) -> list[Prediction]:
        """Top-k classes per image."""
        if not images:
            return []
        features = np.stack([particle_features(image.array) for image in images])
        probabilities = self._model.probabilities(features, params.temperature)
        k = min(params.top_k, len(self._model.classes))
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        taxa = self.manifest.taxa
        return [
            Prediction(
                input=image.name,
                classes=tuple(
                    ClassScore(
                        label=self._model.classes[j],
                        score=float(probabilities[i, j]),
                        aphia_id=taxa.get(self._model.classes[j]),
                    )
                    for j in order[i]
                ),
            )
            for i, image in enumerate(images)
        ]

    def embed(self, images: Sequence[ImageInput]) -> npt.NDArray[np.float32]:
        """The standardised feature vector of each image."""
        features = np.stack([particle_features(image.array) for image in images])
        return ((features - self._model.mean) / self._model.scale).astype(np.float32)

    def train(self, params: TrainParams, ctx: TrainingContext) -> TrainResult:
        """Fit centroids on a folder-per-class dataset and write the model file."""
        items = scan_class_folders(Path(params.dataset))
        features: list[npt.NDArray[np.float64]] = []
        labels: list[str] = []
        skipped: list[str] = []
        started = time.monotonic()
        for index, item in enumerate(items):
            if ctx.should_stop():
                raise DatasetError("training stopped before all images were read")
            try:
                image = decode_image(item.path.read_bytes(), str(item.path))
            except (InvalidInput, OSError) as exc:
                skipped.append(f"{item.path}: {exc}")
                continue
            features.append(particle_features(image.array))
            labels.append(item.label)
            if index % 50 == 0 or index == len(items) - 1:
                ctx.report_progress(index + 1, len(items), message="measuring features")
        if len(set(labels)) < 2:
            raise DatasetError("fewer than two classes have readable images")
        matrix = np.stack(features)
        train_idx, val_idx = _split(labels, params.validation_fraction, params.seed)
        model = CentroidModel.fit(matrix[train_idx], [labels[i] for i in train_idx])
        metrics = {"train_accuracy": _accuracy(model, matrix[train_idx], labels, train_idx)}
        if len(val_idx):
            metrics["val_accuracy"] = _accuracy(model, matrix[val_idx], labels, val_idx)
        ctx.log_metrics(metrics, step=1)
        final = CentroidModel.fit(matrix, labels)
        ctx.output_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.output_dir / MODEL_FILE
        final.save(path)
        (ctx.output_dir / "classes.json").write_text(json.dumps(list(final.classes)))
        return TrainResult(
            model_path=str(path),
            metrics=metrics,
            extra={
                "images": len(labels),
                "skipped": skipped,
                "classes": list(final.classes),
                "seconds": round(time.monotonic() - started, 3),
            },
        )

    def describe(self) -> dict[str, object]:
        """Classes and the weights in use."""
        return {"classes": list(self._model.classes), "weights": self._weights}


def _default_model() -> CentroidModel:
    """Centroids of the synthetic demo set, computed in memory (deterministic, ~0.3 s)."""
    features: list[npt.NDArray[np.float64]] = []
    labels: list[str] = []
    for class_index, morphology in enumerate(MORPHOLOGIES):
        rng = np.random.default_rng([0, class_index])
        for _ in range(24):
            image = render_particle(morphology, rng, greyscale=bool(rng.random() < 0.25))
            rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
            features.append(particle_features(rgb))
            labels.append(morphology)
    return CentroidModel.fit(np.stack(features), labels)


def _split(labels: Sequence[str], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    train: list[int] = []
    val: list[int] = []
    for label in sorted(set(labels)):
        indices = [i for i, value in enumerate(labels) if value == label]
        rng.shuffle(indices)
        n_val = int(len(indices) * fraction) if len(indices) > 1 else 0
        val.extend(indices[:n_val])
        train.extend(indices[n_val:])
    return sorted(train), sorted(val)


def _accuracy(
    model: CentroidModel,
    features: npt.NDArray[np.float64],
    labels: Sequence[str],
    indices: Sequence[int],
) -> float:
    predicted = model.probabilities(features).argmax(axis=1)
    hits = sum(model.classes[int(p)] == labels[i] for p, i in zip(predicted, indices, strict=True))
    return round(float(hits) / len(indices), 4)
