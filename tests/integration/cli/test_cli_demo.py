"""``seascope demo --no-serve``: data generated, a module trained, its model usable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seascope.cli import demo as demo_module
from seascope.cli.demo import DemoModule, choose_module, try_it_lines
from seascope.cli.serve_plan import ServePlan
from seascope.datasets import MORPHOLOGIES
from seascope.errors import ConfigError
from seascope.modules import ModuleRegistry


def _demo(home: Path, *args: str, per_class: int = 3) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seascope.cli", "demo", "--no-serve"]
        + ["--per-class", str(per_class), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, SEASCOPE_HOME=str(home)),
        timeout=180,
        check=False,
    )


def test_demo_prepares_data_and_trains_the_reference_module(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _demo(home, "--module", "reference")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["module"] == "reference"
    dataset = Path(summary["dataset"])
    assert dataset == home / "demo" / "data"
    assert sorted(p.name for p in dataset.iterdir() if p.is_dir()) == sorted(MORPHOLOGIES)
    assert len(list(dataset.rglob("*.jpg"))) == 3 * len(MORPHOLOGIES)
    assert Path(summary["model"]).is_file()
    assert set(summary["metrics"]) >= {"train_accuracy"}
    assert "generated 18 images of 6 classes" in first.stderr
    assert "training:" in first.stderr  # progress is shown on stderr
    assert f"--weights reference={summary['model']}" in first.stderr

    again = _demo(home, "--module", "reference")
    assert again.returncode == 0, again.stderr
    assert "generated" not in again.stderr  # the dataset is reused
    assert json.loads(again.stdout)["job"] != summary["job"]


def test_demo_trains_the_classifier_by_default(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("timm")
    home = tmp_path / "home"
    # The real demo recipe, shrunk (--param) so that the test stays short.
    done = _demo(
        home, "--param", "backbone=resnet10t", "--param", "pretrained=none",
        "--param", "image_size=32", "--param", "epochs=1", "--param", "export_onnx=false",
        per_class=6,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["module"] == "classifier"
    package = Path(summary["model"])
    assert (package / "model-card.json").is_file()
    card = json.loads((package / "model-card.json").read_text())
    assert card["classes"] == sorted(MORPHOLOGIES)
    assert (
        card["training"]["params"]["batch_size"]
        == demo_module.DEMO_TRAINING["classifier"]["batch_size"]
    )  # the demo recipe, with the --param overrides on top
    assert card["backbone"] == "resnet10t"
    assert {"val_macro_f1", "test_macro_f1"} <= set(summary["metrics"])
    assert f"--weights classifier={package}" in done.stderr


def test_demo_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    home = tmp_path / "home"
    precious = home / "demo" / "data"
    precious.mkdir(parents=True)
    (precious / "notes.txt").write_text("my data")
    completed = _demo(home, "--module", "reference")
    assert completed.returncode == 2
    assert "is not a seascope demo dataset" in completed.stderr
    assert (precious / "notes.txt").read_text() == "my data"


def test_without_torch_the_demo_falls_back_to_the_reference_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = ModuleRegistry.from_entry_points()
    monkeypatch.setattr(demo_module, "_torch_missing", lambda: ["torch"])
    assert choose_module(DemoModule.AUTO, registry) == "reference"
    assert "training the numpy 'reference' module instead" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="needs torch"):
        choose_module(DemoModule.CLASSIFIER, registry)
    monkeypatch.setattr(demo_module, "_torch_missing", list)
    assert choose_module(DemoModule.AUTO, registry) == "classifier"
    assert choose_module(DemoModule.REFERENCE, registry) == "reference"


def test_the_served_demo_prints_a_ready_to_copy_curl_call(tmp_path: Path) -> None:
    dataset = tmp_path / "data"
    (dataset / "disc").mkdir(parents=True)
    (dataset / "disc" / "disc_00000.jpg").write_bytes(b"")
    plan = ServePlan(
        host="0.0.0.0",  # noqa: S104 - only formatted
        port=5001,
        home=tmp_path,
        jobs_database=tmp_path / "jobs.sqlite",
        jobs_directory=tmp_path / "jobs",
        max_image_pixels=1000,
        max_request_bytes=1000,
        max_files_per_request=1,
    )
    lines = try_it_lines(plan, "classifier", dataset)
    image = dataset / "disc" / "disc_00000.jpg"
    assert f"  curl -F images=@{image} http://127.0.0.1:5001/v1/modules/classifier/predict" in lines
