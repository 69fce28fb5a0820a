"""int8 packages: quantised, measured, recorded in the card, loaded only when recorded.

Also checks the fast eval preprocessing that every engine shares against the reference
torchvision eval transform (same pixels).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from seascope.datasets import generate_dataset
from seascope.errors import DatasetError, ModuleFailed, ModuleLoadFailed
from seascope.imaging import decode_image
from seascope.modules import ModuleRegistry, SetupContext
from seascope.types import ImageInput
from seascope.vision.package import (
    INT8_ONNX_FILE,
    Preprocessing,
    read_package,
    rewrite_card,
)
from seascope.vision.predictor import (
    ClassifierPredictor,
    EngineName,
    EvalPreprocessor,
    OnnxEngine,
)
from seascope.vision.quantize import main, package_data, quantize_package
from seascope.vision.transforms import build_eval_transform, image_to_tensor
from seascope.zoo.classifier.manifest import MANIFEST
from seascope.zoo.classifier.params import TrainParams

FAST = {
    "backbone": "resnet10t",
    "image_size": 32,
    "batch_size": 8,
    "num_workers": 0,
    "val_fraction": 0.25,
    "test_fraction": 0.25,
    "epochs": 2,
}


class _Context:
    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.device = "cpu"

    def log_metrics(self, metrics: object, *, step: int | None = None) -> None:
        return None

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        return None

    def should_stop(self) -> bool:
        return False


@pytest.fixture(scope="module")
def registry() -> ModuleRegistry:
    return ModuleRegistry([MANIFEST])


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    generate_dataset(root, per_class=12, seed=3, morphologies=("disc", "filament", "spiny"))
    return root


@pytest.fixture(scope="module")
def trained(
    registry: ModuleRegistry, dataset: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A freshly trained package without int8 (tests copy it before changing it)."""
    module = registry.create("classifier")
    result = module.train(
        TrainParams(dataset=str(dataset), **FAST), _Context(tmp_path_factory.mktemp("run"))
    )
    return Path(result.model_path or "")


@pytest.fixture(scope="module")
def quantized(trained: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    package = tmp_path_factory.mktemp("int8") / "model-package"
    shutil.copytree(trained, package)
    quantize_package(package)
    return package


def _images(root: Path) -> list[ImageInput]:
    return [decode_image(path.read_bytes(), str(path)) for path in sorted(root.rglob("*.jpg"))]


def test_quantize_writes_the_int8_model_and_records_its_accuracy_change(quantized: Path) -> None:
    card = read_package(quantized)  # every SHA-256, the int8 file's included, checks out
    int8 = card.int8
    assert int8 is not None
    assert (quantized / INT8_ONNX_FILE).is_file()
    assert INT8_ONNX_FILE in card.files
    assert int8.evaluated_on == "val+test"
    test_images = card.metrics["test"]["report"]["images"]
    val_images = card.metrics["val"]["report"]["images"]
    assert int8.images == val_images + test_images == 18
    assert int8.calibration_images == 18  # every train image (fewer than 128)
    assert 0.0 <= int8.top1_agreement <= 1.0
    assert int8.macro_f1_delta == pytest.approx(int8.macro_f1_int8 - int8.macro_f1_fp32)
    assert 0.0 <= int8.max_abs_probability_difference <= 1.0
    assert int8.images_per_s_fp32 and int8.images_per_s_int8
    assert "onnxruntime" in int8.software
    assert not [p.name for p in quantized.iterdir() if p.name.startswith(".")]  # no staging
    raw = json.loads((quantized / "model-card.json").read_text(encoding="utf-8"))
    assert raw["int8"]["top1_agreement"] == int8.top1_agreement
    readme = (quantized / "README.md").read_text(encoding="utf-8")
    assert "model.int8.onnx" in readme and "macro-F1" in readme


def test_the_int8_engine_is_chosen_by_its_file_and_predicts_like_the_float_model(
    quantized: Path, registry: ModuleRegistry, dataset: Path
) -> None:
    images = _images(dataset)
    params = {"top_k": 3, "reject_unknown": False}
    tops = {}
    for weights, engine in ((quantized / INT8_ONNX_FILE, "int8"), (quantized, "onnx")):
        module = registry.create("classifier", SetupContext(weights=weights))
        assert module.describe()["engine"] == engine  # a folder never picks int8 by itself
        predictions = module.predict(images, module.predict_params(**params))
        assert all(p.extra["engine"] == engine for p in predictions)
        assert all(0.0 <= c.score <= 1.0 for p in predictions for c in p.classes)
        tops[engine] = [p.classes[0].label for p in predictions]
    agreement = np.mean([a == b for a, b in zip(tops["int8"], tops["onnx"], strict=True)])
    assert agreement >= 0.8


def test_an_int8_file_without_its_record_in_the_card_is_refused(
    quantized: Path, registry: ModuleRegistry, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(quantized, package)
    card = read_package(package)
    files = {k: v for k, v in card.files.items() if k != INT8_ONNX_FILE}
    rewrite_card(package, card.model_copy(update={"int8": None, "files": files}))
    with pytest.raises(ModuleLoadFailed, match="accuracy"):
        registry.create("classifier", SetupContext(weights=package / INT8_ONNX_FILE))
    (package / INT8_ONNX_FILE).unlink()
    card = read_package(package)
    with pytest.raises(ModuleLoadFailed, match="no model.int8.onnx"):
        ClassifierPredictor.from_package(package, card, engine="int8")


def test_too_little_agreement_is_refused_and_nothing_is_written(
    trained: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(trained, package)
    before = (package / "model-card.json").read_bytes()
    with pytest.raises(ModuleFailed, match="min-agreement"):
        quantize_package(package, min_agreement=1.01)
    assert not (package / INT8_ONNX_FILE).exists()
    assert not [p.name for p in package.iterdir() if p.name.startswith(".")]
    assert (package / "model-card.json").read_bytes() == before


def test_quantising_again_replaces_the_model_and_its_record(
    quantized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "package"
    shutil.copytree(quantized, package)
    assert main([str(package), "--calibration-images", "4"]) == 0
    printed = json.loads(capsys.readouterr().out)
    card = read_package(package)
    assert (
        card.int8 is not None and card.int8.calibration_images == printed["calibration_images"] == 4
    )


def test_the_splits_must_be_the_ones_the_package_was_trained_on(trained: Path) -> None:
    card = read_package(trained)
    data = package_data(trained, card)
    assert len(data.evaluation) == 18 and len(data.calibration) == 18
    changed = card.model_copy(update={"dataset": {**card.dataset, "rows_fingerprint": "0" * 64}})
    with pytest.raises(DatasetError, match="changed"):
        package_data(trained, changed)
    unknown = card.model_copy(update={"dataset": {}})
    with pytest.raises(DatasetError, match="which dataset"):
        package_data(trained, unknown)


@pytest.mark.parametrize("size_mode", ["fit", "preserve"])
@pytest.mark.parametrize("workers", [1, 3])
def test_eval_preprocessor_gives_the_eval_transforms_pixels(size_mode: str, workers: int) -> None:
    rng = np.random.default_rng(0)
    shapes = [(1, 1), (1, 7), (9, 2), (40, 40), (48, 130), (131, 47), (64, 64), (70, 71)]
    arrays = []
    for height, width in shapes:
        arrays.append(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
        grey = rng.integers(0, 256, (height, width, 1), dtype=np.uint8)
        read_only = np.repeat(grey, 3, axis=2)
        read_only.flags.writeable = False  # as Pillow's arrays are
        arrays.append(read_only)
    pre = Preprocessing(
        image_size=64,
        size_mode=size_mode,  # type: ignore[arg-type]
        mean=(0.485, 0.456, 0.406),
        std=(0.229, 0.224, 0.225),
    )
    reference = build_eval_transform(64, pre.mean, pre.std, pre.size_mode)
    expected = torch.stack([reference(image_to_tensor(a.copy())) for a in arrays]).numpy()
    got = EvalPreprocessor(pre, workers=workers)(arrays)
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-6)
    with pytest.raises(ValueError, match="RGB"):
        EvalPreprocessor(pre)([np.zeros((4, 4), dtype=np.uint8)])


@pytest.mark.parametrize("engine", ["onnx", "int8"])
def test_a_call_split_over_threads_gives_the_unsplit_probabilities(
    quantized: Path, dataset: Path, engine: EngineName
) -> None:
    card = read_package(quantized)
    arrays = [image.array for image in _images(dataset)] * 3  # > 32 images in each piece
    whole = ClassifierPredictor.from_package(quantized, card, engine=engine, threads=1)
    split = ClassifierPredictor.from_package(quantized, card, engine=engine, threads=3)
    assert (whole.parts, split.parts) == (1, 3)
    assert isinstance(split.engine, OnnxEngine)
    options = split.engine.session.get_session_options()  # type: ignore[attr-defined]
    assert options.intra_op_num_threads == 1  # each piece runs on its own thread
    for count in (1, 2, 5, len(arrays)):
        for tta in (False, True):
            expected = whole.probabilities(arrays[:count], tta=tta)
            got = split.probabilities(arrays[:count], tta=tta)
            assert got.shape == (count, len(card.classes))
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert split.logits([]).shape == (0, len(card.classes))


def test_concurrent_callers_of_a_split_predictor_get_their_own_answers(
    quantized: Path, dataset: Path
) -> None:
    card = read_package(quantized)
    arrays = [image.array for image in _images(dataset)]
    whole = ClassifierPredictor.from_package(quantized, card, engine="onnx", threads=1)
    split = ClassifierPredictor.from_package(quantized, card, engine="onnx", threads=2)
    subsets = [arrays[start::4] for start in range(4)]
    expected = [whole.probabilities(subset) for subset in subsets]
    with ThreadPoolExecutor(4) as callers:  # as batch workers calling one module at once
        got = list(callers.map(split.probabilities, subsets * 3))
    for index, probabilities in enumerate(got):
        np.testing.assert_allclose(probabilities, expected[index % 4], rtol=0, atol=1e-6)
