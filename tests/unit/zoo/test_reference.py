"""The reference module predicts, trains, saves and reloads without pickle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from seascope.datasets import generate_dataset
from seascope.errors import DatasetError, ModuleLoadFailed
from seascope.imaging import decode_image
from seascope.modules import ModuleRegistry, SetupContext
from seascope.zoo.reference.module import CentroidModel, TrainParams


class RecordingContext:
    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.device = "cpu"
        self.metrics: list[dict[str, Any]] = []
        self.progress: list[tuple[int, int]] = []

    def log_metrics(self, metrics: dict[str, float], *, step: int | None = None) -> None:
        self.metrics.append(dict(metrics))

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        self.progress.append((done, total))

    def should_stop(self) -> bool:
        return False


def images_of(root: Path) -> list[tuple[str, Any]]:
    return [
        (path.parent.name, decode_image(path.read_bytes(), str(path)))
        for path in sorted(root.rglob("*.jpg"))
    ]


def test_default_model_separates_the_synthetic_classes(tmp_path: Path) -> None:
    generate_dataset(tmp_path, per_class=5, seed=123)  # a seed the default was not fit on
    module = ModuleRegistry.from_entry_points().create("reference")
    labelled = images_of(tmp_path)
    predictions = module.predict([i for _, i in labelled], module.predict_params(top_k=3))
    accuracy = np.mean(
        [p.classes[0].label == label for (label, _), p in zip(labelled, predictions, strict=True)]
    )
    assert accuracy >= 0.8
    for p in predictions:
        assert len(p.classes) == 3
        scores = [c.score for c in p.classes]
        assert scores == sorted(scores, reverse=True)
    assert module.describe()["weights"].startswith("built-in")


def test_train_save_and_reload(tmp_path: Path) -> None:
    generate_dataset(
        tmp_path / "data", per_class=8, seed=5, morphologies=("disc", "filament", "chain")
    )
    registry = ModuleRegistry.from_entry_points()
    module = registry.create("reference")
    ctx = RecordingContext(tmp_path / "out")
    result = module.train(TrainParams(dataset=str(tmp_path / "data")), ctx)
    assert result.model_path is not None and Path(result.model_path).is_file()
    assert result.extra["classes"] == ["chain", "disc", "filament"]
    assert ctx.metrics and ctx.progress[-1] == (24, 24)
    reloaded = registry.create("reference", SetupContext(weights=tmp_path / "out"))
    assert reloaded.describe()["classes"] == ["chain", "disc", "filament"]
    model = CentroidModel.load(Path(result.model_path))
    assert model.centroids.shape[0] == 3


def test_bad_weights_and_bad_dataset(tmp_path: Path) -> None:
    registry = ModuleRegistry.from_entry_points()
    with pytest.raises(ModuleLoadFailed, match="not found"):
        registry.create("reference", SetupContext(weights=tmp_path / "missing.npz"))
    (tmp_path / "evil.npz").write_bytes(b"not a numpy file")
    with pytest.raises(ModuleLoadFailed, match="not a reference model file"):
        registry.create("reference", SetupContext(weights=tmp_path / "evil.npz"))
    module = registry.create("reference")
    generate_dataset(tmp_path / "one", per_class=2, morphologies=("disc",))
    with pytest.raises(DatasetError, match="at least 2 are needed"):
        module.train(TrainParams(dataset=str(tmp_path / "one")), RecordingContext(tmp_path / "o"))


def test_embed_shape() -> None:
    module = ModuleRegistry.from_entry_points().create("reference")
    image = decode_image(_jpeg(), "x.jpg")
    assert module.embed([image, image]).shape[0] == 2


def _jpeg() -> bytes:
    from seascope.datasets import render_particle
    from tests.conftest import encode

    return encode(render_particle("spiny", np.random.default_rng(1)))


def test_real_flowcam_sample_trains(flowcam_dir: Path, tmp_path: Path) -> None:
    module = ModuleRegistry.from_entry_points().create("reference")
    result = module.train(TrainParams(dataset=str(flowcam_dir)), RecordingContext(tmp_path))
    assert result.extra["images"] == 82
    assert len(result.extra["classes"]) == 6
    assert result.metrics["train_accuracy"] > 1 / 6  # better than chance on its own data
