"""The real ``seascope`` process: exit codes, stdout purity and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from seascope.datasets import MORPHOLOGIES, render_particle


def seascope(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m seascope.cli ARGS`` with its own home."""
    env = dict(os.environ, SEASCOPE_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "seascope.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two good images, bad files, and a small trained reference model (fast to load)."""
    from seascope.imaging import decode_image
    from seascope.zoo.reference.features import particle_features
    from seascope.zoo.reference.module import CentroidModel

    root = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(11)
    features, labels = [], []
    for morphology in MORPHOLOGIES:
        for _ in range(3):
            image = render_particle(morphology, rng)
            features.append(particle_features(np.asarray(image.convert("RGB"))))
            labels.append(morphology)
    model = root / "model.npz"
    CentroidModel.fit(np.stack(features), labels).save(model)
    files = {"model": model, "disc": root / "disc.png", "spiny": root / "spiny.jpg"}
    render_particle("disc", rng).save(files["disc"])
    render_particle("spiny", rng, greyscale=True).save(files["spiny"])
    decode_image(files["spiny"].read_bytes(), "check")  # the fixture itself is sound
    files["empty"] = root / "empty.jpg"
    files["empty"].write_bytes(b"")
    files["truncated"] = root / "truncated.jpg"
    files["truncated"].write_bytes(files["spiny"].read_bytes()[:-400])
    files["text"] = root / "readme.txt"
    files["text"].write_text("not an image\n")
    return files


def test_help_and_version(tmp_path: Path) -> None:
    help_run = seascope("--help", home=tmp_path)
    assert help_run.returncode == 0
    assert "modules" in help_run.stdout
    assert "predict" in help_run.stdout
    version = seascope("--version", home=tmp_path)
    assert version.returncode == 0
    assert version.stdout.startswith("seascope ")


def test_modules_list_json_is_pure_json(tmp_path: Path) -> None:
    completed = seascope("modules", "list", "--json", home=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "reference" in [m["name"] for m in json.loads(completed.stdout)]


def test_predict_with_builtin_weights(tmp_path: Path, inputs: dict[str, Path]) -> None:
    completed = seascope(
        "predict",
        "reference",
        str(inputs["disc"]),
        str(inputs["spiny"]),
        "--top-k",
        "2",
        home=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert [p["input"] for p in document["predictions"]] == [
        str(inputs["disc"]),
        str(inputs["spiny"]),
    ]
    for prediction in document["predictions"]:
        assert len(prediction["classes"]) == 2
        assert prediction["classes"][0]["label"] in MORPHOLOGIES


def test_predict_with_a_weights_file(tmp_path: Path, inputs: dict[str, Path]) -> None:
    completed = seascope(
        "predict",
        "reference",
        str(inputs["disc"]),
        "--weights",
        str(inputs["model"]),
        "--param",
        "temperature=0.5",
        home=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    classes = json.loads(completed.stdout)["predictions"][0]["classes"]
    assert len(classes) == 5  # the module's default top_k
    assert {c["label"] for c in classes} <= set(MORPHOLOGIES)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["reference", "{empty}"], 65, "the file is empty"),
        (["reference", "{truncated}"], 65, "truncated or corrupt"),
        (["reference", "{text}"], 65, "not an image"),
        (["reference", "{disc}", "{missing}"], 65, "no such file"),
        (["referenc", "{disc}"], 3, "did you mean 'reference'"),
        (["reference", "{disc}", "--param", "top_k=0"], 65, "top_k"),
        (["reference", "{disc}", "--param", "top_k"], 2, "--param expects KEY=VALUE"),
        (["reference", "{disc}", "--weights", "{text}"], 4, "not a reference model file"),
    ],
)
def test_predict_failures(
    tmp_path: Path, inputs: dict[str, Path], args: list[str], code: int, message: str
) -> None:
    paths = {name: str(path) for name, path in inputs.items()} | {"missing": "absent.png"}
    resolved = [arg.format(**paths) for arg in args]
    if "--weights" not in resolved:
        resolved += ["--weights", paths["model"]]
    completed = seascope("predict", *resolved, home=tmp_path)
    assert completed.returncode == code, completed.stderr
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert message in lines[0]


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "seascope"
    if not script.exists():
        pytest.skip("the seascope console script is not installed next to this interpreter")
    completed = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("seascope ")
