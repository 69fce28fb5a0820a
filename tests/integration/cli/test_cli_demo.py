"""``seascope demo --no-serve``: data generated, reference module trained, model usable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seascope.datasets import MORPHOLOGIES


def _demo(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seascope.cli", "demo", "--no-serve", "--per-class", "3", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, SEASCOPE_HOME=str(home)),
        timeout=120,
        check=False,
    )


def test_demo_prepares_data_and_trains_the_reference_module(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _demo(home)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    dataset = Path(summary["dataset"])
    assert dataset == home / "demo" / "data"
    assert sorted(p.name for p in dataset.iterdir() if p.is_dir()) == sorted(MORPHOLOGIES)
    assert len(list(dataset.rglob("*.jpg"))) == 3 * len(MORPHOLOGIES)
    assert Path(summary["model"]).is_file()
    assert set(summary["metrics"]) >= {"train_accuracy"}
    assert "generated 18 images of 6 classes" in first.stderr
    assert "training:" in first.stderr  # progress is shown on stderr
    assert f"--weights reference={summary['model']}" in first.stderr

    again = _demo(home)
    assert again.returncode == 0, again.stderr
    assert "generated" not in again.stderr  # the dataset is reused
    assert json.loads(again.stdout)["job"] != summary["job"]


def test_demo_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    home = tmp_path / "home"
    precious = home / "demo" / "data"
    precious.mkdir(parents=True)
    (precious / "notes.txt").write_text("my data")
    completed = _demo(home)
    assert completed.returncode == 2
    assert "is not a seascope demo dataset" in completed.stderr
    assert (precious / "notes.txt").read_text() == "my data"
