"""The classifier module: trains, packages, reloads the same model three ways, rejects bad data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from seascope.datasets import generate_dataset
from seascope.errors import DatasetError, InvalidParameters, ModuleFailed, ModuleLoadFailed
from seascope.imaging import decode_image
from seascope.modules import ModuleRegistry, SetupContext, TrainResult
from seascope.modules.testing import check_module
from seascope.types import ImageInput
from seascope.zoo.classifier import training
from seascope.zoo.classifier.manifest import MANIFEST
from seascope.zoo.classifier.params import TrainParams

FAST = {
    "backbone": "resnet10t",
    "image_size": 32,
    "batch_size": 8,
    "num_workers": 0,
    "val_fraction": 0.25,
    "test_fraction": 0.25,
}


class RecordingContext:
    def __init__(self, output_dir: Path, stop_after_steps: int | None = None) -> None:
        self.output_dir = output_dir
        self.device = "cpu"
        self.metrics: list[dict[str, float]] = []
        self.progress: list[tuple[int, int, str]] = []
        self.stop_after_steps = stop_after_steps
        self.stop_checks = 0

    def log_metrics(self, metrics: dict[str, float], *, step: int | None = None) -> None:
        self.metrics.append(dict(metrics))

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        self.progress.append((done, total, message))

    def should_stop(self) -> bool:
        self.stop_checks += 1
        return self.stop_after_steps is not None and self.stop_checks > self.stop_after_steps


@pytest.fixture(scope="module")
def registry() -> ModuleRegistry:
    return ModuleRegistry([MANIFEST])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    generate_dataset(root, per_class=12, seed=7, morphologies=("disc", "filament", "spiny"))
    return root


@pytest.fixture(scope="module")
def trained(
    registry: ModuleRegistry, synthetic: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainResult, Any, RecordingContext]:
    """One training, with the in-process network captured as it goes into the package."""
    captured: dict[str, Any] = {}
    real_write = training.write_package

    def spy(destination: Path, **kwargs: Any) -> Any:
        captured["network"] = kwargs["network"]
        return real_write(destination, **kwargs)

    ctx = RecordingContext(tmp_path_factory.mktemp("run"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "write_package", spy)
        module = registry.create("classifier")
        params = TrainParams(dataset=str(synthetic), epochs=3, aphia_ids={"disc": 149021}, **FAST)
        result = module.train(params, ctx)
    return result, captured["network"], ctx


def test_untrained_module_passes_the_conformance_kit(registry: ModuleRegistry) -> None:
    results = check_module(registry, "classifier")
    assert [r.name for r in results if not r.passed] == []
    module = registry.create("classifier")
    facts = module.describe()
    assert facts["trained"] is False and "untrained" in facts["weights"]
    image = decode_image(_png(), "x.png")
    prediction = module.predict([image], module.predict_params())[0]
    assert prediction.extra["untrained"] is True


def test_training_writes_a_complete_package(
    trained: tuple[TrainResult, Any, RecordingContext],
) -> None:
    result, _, ctx = trained
    package = Path(result.model_path or "")
    assert sorted(p.name for p in package.iterdir()) == [
        "README.md",
        "evaluation",
        "model-card.json",
        "model.onnx",
        "weights.safetensors",
    ]
    assert not [p for p in package.parent.iterdir() if p.name.startswith(".")]  # no staging left
    card = json.loads((package / "model-card.json").read_text(encoding="utf-8"))
    assert card["classes"] == ["disc", "filament", "spiny"]
    assert card["aphia_ids"] == {"disc": 149021}
    assert card["preprocessing"]["image_size"] == 32
    assert len(card["dataset"]["content_fingerprint"]) == 64
    assert card["training"]["params"]["epochs"] == 3
    assert card["calibration"]["temperature"] > 0
    assert {"torch", "timm", "onnx", "seascope"} <= set(card["software"])
    assert card["onnx"]["max_abs_probability_difference"] <= 1e-4
    assert card["metrics"]["test"]["report"]["images"] == 9
    assert (package / "evaluation" / "test-confusion-matrix.png").is_file()
    epochs = [m for m in ctx.metrics if "val_macro_f1" in m]
    assert len(epochs) == 3
    assert {"train_loss", "val_loss", "val_accuracy", "val_macro_f1", "lr", "images_per_s"} <= set(
        epochs[0]
    )
    assert {"val_macro_f1", "test_macro_f1", "temperature", "val_ece_after"} <= set(result.metrics)


def test_package_onnx_and_in_process_agree_on_every_test_image(
    trained: tuple[TrainResult, Any, RecordingContext], registry: ModuleRegistry, synthetic: Path
) -> None:
    from seascope.vision.package import read_package
    from seascope.vision.predictor import ClassifierPredictor, TorchEngine

    result, network, _ = trained
    package = Path(result.model_path or "")
    images = _images(synthetic, seed=99)  # unseen images
    arrays = [image.array for image in images]
    card = read_package(package)
    in_process = ClassifierPredictor(card, TorchEngine(network)).probabilities(arrays)
    loaded = {}
    for weights, engine in (
        (package, "onnx"),
        (package / "weights.safetensors", "torch"),
        (package / "model.onnx", "onnx"),
    ):
        module = registry.create("classifier", SetupContext(weights=weights))
        assert module.describe()["engine"] == engine
        predictions = module.predict(images, module.predict_params(top_k=3, reject_unknown=False))
        loaded[weights.name] = [p.classes[0].label for p in predictions]
        scores = np.array([[c.score for c in p.classes] for p in predictions])
        assert np.allclose(scores, -np.sort(-in_process, axis=1), atol=1e-4)
    expected = [card.classes[i] for i in in_process.argmax(axis=1)]
    assert all(labels == expected for labels in loaded.values())
    assert module.embed(images[:2]).shape == (2, 512)


def test_predictions_flag_unknown_below_the_threshold(
    trained: tuple[TrainResult, Any, RecordingContext], registry: ModuleRegistry, synthetic: Path
) -> None:
    result, _, _ = trained
    module = registry.create("classifier", SetupContext(weights=Path(result.model_path or "")))
    images = _images(synthetic, seed=5)[:3]
    strict = module.predict(images, module.predict_params(unknown_threshold=1.0))
    assert all(p.extra["unknown"] and p.extra["label"] == "unknown" for p in strict)
    assert all(p.classes[0].label in {"disc", "filament", "spiny"} for p in strict)
    lenient = module.predict(images, module.predict_params(reject_unknown=False, tta=True))
    assert not any(p.extra["unknown"] for p in lenient)
    assert lenient[0].extra["tta"] is True
    disc = [c for p in lenient for c in p.classes if c.label == "disc"]
    assert disc and all(c.aphia_id == 149021 for c in disc)
    facts = module.describe()
    assert facts["trained"] is True and "test_macro_f1" in facts


def test_bad_packages_are_refused(
    trained: tuple[TrainResult, Any, RecordingContext], registry: ModuleRegistry, tmp_path: Path
) -> None:
    with pytest.raises(ModuleLoadFailed, match="not a classifier model package"):
        registry.create("classifier", SetupContext(weights=tmp_path))
    package = Path(trained[0].model_path or "")
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in package.iterdir():
        if file.is_file():
            (copy / file.name).write_bytes(file.read_bytes())
    (copy / "weights.safetensors").write_bytes(b"tampered")
    with pytest.raises(ModuleLoadFailed, match="changed since the package was written"):
        registry.create("classifier", SetupContext(weights=copy))


def test_stop_then_resume_finishes_the_same_run(
    registry: ModuleRegistry, synthetic: Path, tmp_path: Path
) -> None:
    module = registry.create("classifier")
    params = TrainParams(dataset=str(synthetic), epochs=2, export_onnx=False, **FAST)
    steps_per_epoch = 18 // 8  # 18 training images, batches of 8, last one dropped
    stopped = module.train(params, RecordingContext(tmp_path, stop_after_steps=steps_per_epoch + 1))
    assert stopped.model_path is None and stopped.extra["stopped"] is True
    assert stopped.extra["epochs_run"] == 1
    assert not (tmp_path / training.PACKAGE_DIR).exists()
    assert (tmp_path / "checkpoints" / "last.pt").is_file()
    resumed = module.train(params, RecordingContext(tmp_path))
    assert resumed.extra["resumed_from"] == str(tmp_path / "checkpoints" / "last.pt")
    assert resumed.extra["epochs_run"] == 2
    assert (tmp_path / training.PACKAGE_DIR / "weights.safetensors").is_file()
    other = TrainParams(dataset=str(synthetic), epochs=2, export_onnx=False, **{**FAST, "lr": 0.5})
    with pytest.raises(InvalidParameters, match=r"lr: 0.001 -> 0.5"):
        module.train(other, RecordingContext(tmp_path))


def test_bad_data_fails_early_and_leaves_no_package(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    module = registry.create("classifier")
    data = tmp_path / "data"
    generate_dataset(data, per_class=6, morphologies=("disc", "chain"))
    (data / "disc" / "corrupt.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    out = tmp_path / "out"
    with pytest.raises(DatasetError, match="corrupt.jpg"):
        module.train(TrainParams(dataset=str(data), **FAST), RecordingContext(out))
    with pytest.raises(InvalidParameters, match="unknown backbone 'resnet_nope'"):
        module.train(
            TrainParams(
                dataset=str(data), skip_unreadable=True, **{**FAST, "backbone": "resnet_nope"}
            ),
            RecordingContext(out),
        )
    with pytest.raises(InvalidParameters, match="aphia_ids names classes"):
        module.train(
            TrainParams(dataset=str(data), aphia_ids={"Tripos": 1}, **FAST), RecordingContext(out)
        )
    assert not (out / training.PACKAGE_DIR).exists()


def test_failed_onnx_export_leaves_no_package(
    registry: ModuleRegistry, synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ModuleFailed("ONNX export failed: simulated")

    monkeypatch.setattr(training, "export_onnx", broken)
    module = registry.create("classifier")
    with pytest.raises(ModuleFailed, match="simulated"):
        module.train(
            TrainParams(dataset=str(synthetic), epochs=1, **FAST), RecordingContext(tmp_path)
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoints"]


def test_params_are_validated() -> None:
    from seascope.modules.params import parse_params

    with pytest.raises(InvalidParameters, match="leaves nothing for training"):
        parse_params(TrainParams, {"dataset": "x", "val_fraction": 0.6, "test_fraction": 0.5})


def test_trains_on_the_real_flowcam_sample(
    flowcam_dir: Path, registry: ModuleRegistry, tmp_path: Path
) -> None:
    module = registry.create("classifier")
    params = TrainParams(dataset=str(flowcam_dir), epochs=1, export_onnx=False, **FAST)
    result = module.train(params, RecordingContext(tmp_path))
    card = json.loads((Path(result.model_path or "") / "model-card.json").read_text())
    assert card["dataset"]["images"] == 82
    assert len(card["classes"]) == 6
    assert 0.0 <= result.metrics["test_macro_f1"] <= 1.0


def _images(root: Path, *, seed: int) -> list[ImageInput]:
    from seascope.datasets import render_particle
    from tests.conftest import encode

    rng = np.random.default_rng(seed)
    return [
        decode_image(encode(render_particle(m, rng, greyscale=i % 2 == 0), "PNG"), f"{m}-{i}.png")
        for i, m in enumerate(("disc", "filament", "spiny") * 3)
    ]


def _png() -> bytes:
    from seascope.datasets import render_particle
    from tests.conftest import encode

    return encode(render_particle("disc", np.random.default_rng(0)), "PNG")


@pytest.mark.e2e
def test_the_server_gives_the_same_top1_as_the_package(
    trained: tuple[TrainResult, Any, RecordingContext], tmp_path: Path
) -> None:
    """``seascope serve`` with the package: /v1 and the DEEPaaS route agree with in-process."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from seascope.datasets import render_particle
    from seascope.vision.package import read_package
    from seascope.vision.predictor import ClassifierPredictor, TorchEngine
    from tests.conftest import encode

    result, network, _ = trained
    package = Path(result.model_path or "")
    rng = np.random.default_rng(99)
    files = [
        (f"{m}-{i}.png", encode(render_particle(m, rng, greyscale=i % 2 == 0), "PNG"))
        for i, m in enumerate(("disc", "filament", "spiny") * 3)
    ]
    card = read_package(package)
    arrays = [decode_image(data, name).array for name, data in files]
    probabilities = ClassifierPredictor(card, TorchEngine(network)).probabilities(arrays)
    expected = [card.classes[i] for i in probabilities.argmax(axis=1)]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "seascope.cli", "serve", "--port", str(port), "--home",
        str(tmp_path / "home"), "--model-name", "classifier", "--weights", f"classifier={package}",
    ]  # fmt: skip
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/v1/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.2)
        native = httpx.post(
            f"{base}/v1/modules/classifier/predict",
            files=[("images", (name, data, "image/png")) for name, data in files],
            data={"reject_unknown": "false"},
            timeout=60,
        )
        assert native.status_code == 200, native.text
        assert [p["classes"][0]["label"] for p in native.json()["predictions"]] == expected
        deepaas = httpx.post(
            f"{base}/v2/models/classifier/predict/",
            files=[("data", (name, data, "image/png")) for name, data in files],
            params={"reject_unknown": "false"},
            headers={"accept": "application/json"},
            timeout=60,
        )
        assert deepaas.status_code == 200, deepaas.text
        assert [labels[0] for labels in deepaas.json()["predictions"]["pred_lab"]] == expected
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
