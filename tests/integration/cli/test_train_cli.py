"""``seascope train | evaluate | models | jobs``: training jobs, evaluation and the model list.

The commands run as real processes (``python -m seascope.cli``) against one isolated home,
so the jobs are the JobManager's supervised workers, exactly as in use. Tracking is off
(``SEASCOPE_TRACKING_URI=none``, the test session's default).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.datasets import MORPHOLOGIES, generate_dataset
from seascope.modules import ModuleRegistry
from seascope.zoo.reference.manifest import MANIFEST as REFERENCE


def _seascope(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seascope.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, SEASCOPE_HOME=str(home), SEASCOPE_TRACKING_URI="none"),
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six classes of six synthetic images (folder per class)."""
    root = tmp_path_factory.mktemp("data") / "plankton"
    generate_dataset(root, per_class=6, seed=3)
    return root


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seascope") / "home"


@pytest.fixture(scope="module")
def reference_run(home: Path, dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``seascope train reference`` with a YAML params file and a --param on top."""
    params = tmp_path_factory.mktemp("params") / "params.yaml"
    params.write_text("validation_fraction: 0.5\nseed: 1\n")
    done = _seascope(
        home, "train", "reference", "--dataset", str(dataset), "--params-file", str(params),
        "--param", "seed=7",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"result": json.loads(done.stdout), "stderr": done.stderr}


def test_train_reference_shows_progress_and_prints_the_result(
    reference_run: dict, home: Path, dataset: Path
) -> None:
    result, stderr = reference_run["result"], reference_run["stderr"]
    assert result["status"] == "done"
    assert result["module"] == "reference"
    assert Path(result["model_path"]).is_file()
    assert set(result["metrics"]) == {"train_accuracy", "val_accuracy"}
    assert result["tracking"] is None
    assert Path(result["log"]).is_file()
    assert f"as job {result['job']}" in stderr
    assert "training: epoch 1: val acc" in stderr  # the metrics line
    assert f"training job {result['job']} done" in stderr
    # The job recorded the parameters: the file's, --param on top, defaults filled in.
    shown = _seascope(home, "jobs", "show", result["job"][:8])
    assert shown.returncode == 0, shown.stderr
    args = json.loads(shown.stdout)["args"]
    assert args == {"dataset": str(dataset), "validation_fraction": 0.5, "seed": 7}


def test_bad_parameters_exit_65_naming_each_field(home: Path, dataset: Path) -> None:
    done = _seascope(
        home, "train", "reference", "--dataset", str(dataset),
        "-P", "validation_fraction=2", "-P", "colour=blue",
    )  # fmt: skip
    assert done.returncode == 65
    assert "validation_fraction: Input should be less than 1" in done.stderr
    assert "colour: Unknown field." in done.stderr
    missing = _seascope(home, "train", "reference")
    assert missing.returncode == 65
    assert "dataset: Missing data for required field." in missing.stderr
    gone = _seascope(home, "train", "reference", "--dataset", str(dataset / "nope"))
    assert gone.returncode == 65
    assert "dataset not found" in gone.stderr


def test_background_prints_the_job_and_jobs_show_follows_it(home: Path, dataset: Path) -> None:
    started = _seascope(home, "train", "reference", "--dataset", str(dataset), "--background")
    assert started.returncode == 0, started.stderr
    job = json.loads(started.stdout)
    assert job["status"] in {"queued", "running", "done"}
    assert job["module"] == "reference"
    assert f"seascope jobs show {job['id']} --follow" in started.stderr
    followed = _seascope(home, "jobs", "show", job["id"], "--follow")
    assert followed.returncode == 0, followed.stderr
    result = json.loads(followed.stdout)
    assert result["job"] == job["id"]
    assert result["status"] == "done"
    listed = _seascope(home, "jobs", "list", "--json")
    assert job["id"] in [entry["id"] for entry in json.loads(listed.stdout)]
    unknown = _seascope(home, "jobs", "show", "0123456789abcdef")
    assert unknown.returncode == 6


def test_evaluate_the_reference_model_on_every_image(
    reference_run: dict, home: Path, dataset: Path, tmp_path: Path
) -> None:
    model = reference_run["result"]["model_path"]
    done = _seascope(
        home, "evaluate", "reference", "--weights", model, "--dataset", str(dataset),
        "--split", "all", "--out", str(tmp_path / "eval"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["images"] == 6 * len(MORPHOLOGIES)
    assert report["split"] == "all"
    assert report["temperature"] == 1.0  # the reference module reports none
    assert (tmp_path / "eval" / "all-confusion-matrix.png").is_file()
    assert "macro avg" in done.stderr


def test_evaluate_and_train_refuse_what_a_module_cannot_do(
    reference_run: dict, dataset: Path, home: Path
) -> None:
    model = reference_run["result"]["model_path"]
    tta = _seascope(
        home, "evaluate", "reference", "--weights", model, "--dataset", str(dataset), "--tta"
    )
    assert tta.returncode == 5
    assert "test-time augmentation" in tta.stderr
    segmenter = REFERENCE.model_copy(
        update={"name": "segmenter", "task": "semantic-segmentation", "capabilities": {"predict"}}
    )
    state = CliState(discover_modules=lambda: ModuleRegistry([segmenter]))
    runner = CliRunner()
    evaluated = runner.invoke(
        build_app(),
        ["evaluate", "segmenter", "--weights", model, "--dataset", str(dataset)],
        obj=state,
    )
    assert evaluated.exit_code == 5
    assert "evaluation scores image classifiers" in evaluated.output
    trained = runner.invoke(
        build_app(), ["train", "segmenter", "--dataset", str(dataset)], obj=state
    )
    assert trained.exit_code == 5
    assert "cannot train" in trained.output


def test_classifier_trains_evaluates_and_is_listed(
    home: Path, dataset: Path, tmp_path: Path
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("timm")
    trained = _seascope(
        home, "train", "classifier", "--dataset", str(dataset),
        "-P", "backbone=resnet10t", "-P", "pretrained=none", "-P", "image_size=32",
        "-P", "epochs=1", "-P", "batch_size=8", "-P", "export_onnx=false",
        timeout=180,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = json.loads(trained.stdout)
    package = Path(result["model_path"])
    assert (package / "model-card.json").is_file()
    assert "val_macro_f1" in result["metrics"]
    assert "training: epoch 1: loss" in trained.stderr
    assert "val macro-F1" in trained.stderr

    out = tmp_path / "eval"
    evaluated = _seascope(
        home, "evaluate", "classifier", "--weights", str(package), "--dataset", str(dataset),
        "--out", str(out),
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["split"] == "test"
    assert report["same_split_as_training"] is True
    per_class = report["evaluation"]["report"]["per_class"]
    assert [entry["label"] for entry in per_class] == sorted(MORPHOLOGIES)
    # The CLI's numbers are the training's own test evaluation (same images, same model).
    card = json.loads((package / "model-card.json").read_text())
    expected = card["metrics"]["test"]
    assert report["evaluation"]["report"]["confusion"] == expected["report"]["confusion"]
    for scores in ("uncalibrated", "calibrated"):
        assert report["evaluation"][scores]["log_loss"] == pytest.approx(
            expected[scores]["log_loss"], rel=1e-6
        )
    assert report["temperature"] == pytest.approx(card["calibration"]["temperature"])
    for name in ("metrics.json", "per-class.csv", "confusion-matrix.csv", "confusion-matrix.png"):
        assert (out / f"test-{name}").is_file(), name
    with (out / "test-confusion-matrix.csv").open() as handle:
        assert next(csv.reader(handle))[1:] == sorted(MORPHOLOGIES)
    assert "CLASS" in evaluated.stderr and "macro avg" in evaluated.stderr

    listed = _seascope(home, "models", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    entries = {entry["path"]: entry for entry in json.loads(listed.stdout)}
    entry = entries[str(package)]
    assert entry["module"] == "classifier"
    assert entry["job"] == result["job"]
    assert entry["classes"] == sorted(MORPHOLOGIES)
    assert "test_macro_f1" in entry["metrics"]
    assert any(e["module"] == "reference" for e in entries.values())
    shown = _seascope(home, "models", "show", result["job"])
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["backbone"] == "resnet10t"
