"""Kill a batch run with SIGKILL halfway, rerun it: every input appears exactly once.

The child process is this file run as a script: the real ``seascope`` app with a
reference module that sleeps a little per chunk, so that the kill lands mid-run.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from seascope.datasets import render_particle
from seascope.types import ImageInput, Prediction
from seascope.zoo.reference.features import particle_features
from seascope.zoo.reference.module import CentroidModel, PredictParams, ReferenceClassifier

IMAGES = 600


class SlowReference(ReferenceClassifier):
    """The reference classifier, 10 ms slower per predict call."""

    def predict(self, images: Sequence[ImageInput], params: PredictParams) -> list[Prediction]:
        time.sleep(0.01)
        return super().predict(images, params)


def _run_cli(args: list[str]) -> int:
    """The child: ``seascope ARGS`` with the slow module as the only installed one."""
    import typer

    from seascope.cli.main import build_app
    from seascope.cli.state import CliState
    from seascope.modules import ModuleRegistry
    from seascope.zoo.reference.manifest import MANIFEST

    manifest = MANIFEST.model_copy(
        update={"name": "slow", "entry": "test_batch_kill:SlowReference"}
    )
    state = CliState(discover_modules=lambda: ModuleRegistry([manifest]))
    command = typer.main.get_command(build_app())
    try:
        command.main(args, obj=state, prog_name="seascope")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 small particle images in six folders, and a small model next to them."""
    root = tmp_path_factory.mktemp("kill")
    rng = np.random.default_rng(0)
    morphologies = ("disc", "chain", "spiny")
    features, labels = [], []
    for index in range(IMAGES):
        folder = root / "images" / f"sample{index // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        image = render_particle(morphologies[index % 3], rng, size=32)
        image.save(folder / f"{index:04d}.png", compress_level=1)
        if index < 12:
            features.append(particle_features(np.asarray(image.convert("RGB"))))
            labels.append(morphologies[index % 3])
    CentroidModel.fit(np.stack(features), labels).save(root / "model.npz")
    return root / "images"


def _rows_in(path: Path) -> int:
    try:
        return max(path.read_bytes().count(b"\n") - 1, 0)
    except FileNotFoundError:
        return 0


def test_kill_halfway_then_rerun_gives_every_input_exactly_once(
    images: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    partial = tmp_path / "results.csv.partial"
    command = [sys.executable, __file__, "predict", "slow", str(images), "--out", str(out)]
    command += ["--chunk-size", "10", "--threads", "2", "--no-progress"]
    command += ["--weights", str(images.parent / "model.npz")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), os.getcwd()]))
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while _rows_in(partial) < 100:
        assert child.poll() is None, f"the run ended before the kill: {child.stderr.read()}"  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "no rows after 60 s"
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stderr.close()  # type: ignore[union-attr]
    killed_at = _rows_in(partial)
    assert not out.exists()
    assert 100 <= killed_at < IMAGES
    rerun = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{IMAGES} inputs, {IMAGES} predicted, 0 errors" in rerun.stderr
    with out.open(newline="") as file:
        inputs = [row["input"] for row in csv.DictReader(file)]
    assert len(inputs) == len(set(inputs)) == IMAGES
    assert set(inputs) == {str(p) for p in images.rglob("*.png")}
    assert not partial.exists()


if __name__ == "__main__":
    raise SystemExit(_run_cli(sys.argv[1:]))
