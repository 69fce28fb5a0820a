"""``seascope predict``: JSON on stdout, one-line errors with the documented exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict, Field
from typer.testing import Result

from seascope.cli.batch import predict_workers
from seascope.datasets import render_particle
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, NoParams, SetupContext
from seascope.types import ClassScore, ImageInput, Prediction

Invoke = Callable[..., Result]


class RankParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=2, ge=1, le=3)
    prefix: str = ""


class Ranker(ModelModule[RankParams, NoParams]):
    """Scores three classes by image width; says which weights it got."""

    predict_params = RankParams

    def setup(self, ctx: SetupContext) -> None:
        self.weights = str(ctx.weights) if ctx.weights else None

    def predict(self, images: Sequence[ImageInput], params: RankParams) -> list[Prediction]:
        classes = (
            ClassScore(label=f"{params.prefix}a", score=0.6),
            ClassScore(label=f"{params.prefix}b", score=0.3),
            ClassScore(label=f"{params.prefix}c", score=0.1),
        )
        return [
            Prediction(
                input=image.name,
                classes=classes[: params.top_k],
                extra={"width": image.width, "weights": self.weights},
            )
            for image in images
        ]


class Chatty(Ranker):
    """Prints to stdout, as many research modules do."""

    def setup(self, ctx: SetupContext) -> None:
        print("loading weights...")
        super().setup(ctx)

    def predict(self, images: Sequence[ImageInput], params: RankParams) -> list[Prediction]:
        print("predicting!")
        return super().predict(images, params)


class Untrained(Ranker):
    """Runs without a trained model unless it gets weights, and says so."""

    def describe(self) -> dict[str, object]:
        return {"trained": self.weights is not None}


class Crashing(Ranker):
    def predict(self, images: Sequence[ImageInput], params: RankParams) -> list[Prediction]:
        raise ValueError("CUDA out of memory (pretend)")


def _manifest(name: str, cls: type) -> ModuleManifest:
    return ModuleManifest(
        name=name,
        version="2.0.0",
        title=name,
        summary="test module",
        task="image-classification",
        entry=f"{__name__}:{cls.__name__}",
    )


@pytest.fixture
def registry() -> ModuleRegistry:
    return ModuleRegistry(
        [
            _manifest("ranker", Ranker),
            _manifest("chatty", Chatty),
            _manifest("crash", Crashing),
            _manifest("untrained", Untrained),
        ]
    )


@pytest.fixture
def images(tmp_path: Path) -> dict[str, Path]:
    """Good and bad inputs, keyed by what they are."""
    rng = np.random.default_rng(3)
    files = {"disc": tmp_path / "disc.png", "chain": tmp_path / "chain.jpg"}
    render_particle("disc", rng, size=70).save(files["disc"])
    render_particle("chain", rng, size=90, greyscale=True).save(files["chain"])
    files["empty"] = tmp_path / "empty.jpg"
    files["empty"].write_bytes(b"")
    files["truncated"] = tmp_path / "truncated.jpg"
    files["truncated"].write_bytes(files["chain"].read_bytes()[:300])
    files["text"] = tmp_path / "notes.txt"
    files["text"].write_text("station 4, 12 m, FlowCam run 7\n")
    files["missing"] = tmp_path / "missing.png"
    files["folder"] = tmp_path
    return files


def test_predict_prints_one_json_object(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path]
) -> None:
    result = invoke(["predict", "ranker", str(images["disc"]), str(images["chain"])], registry)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["module"] == "ranker"
    assert document["version"] == "2.0.0"
    assert [p["input"] for p in document["predictions"]] == [
        str(images["disc"]),
        str(images["chain"]),
    ]
    assert [p["extra"]["width"] for p in document["predictions"]] == [70, 90]
    assert [c["label"] for c in document["predictions"][0]["classes"]] == ["a", "b"]
    assert set(document["timings"]) == {"decode_seconds", "predict_seconds"}


def test_params_top_k_and_weights_reach_the_module(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path], tmp_path: Path
) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"w")
    args = ["predict", "ranker", str(images["disc"]), "--top-k", "3", "-P", "prefix=x-"]
    result = invoke([*args, "--weights", str(weights)], registry)
    assert result.exit_code == 0, result.stderr
    prediction = json.loads(result.stdout)["predictions"][0]
    assert [c["label"] for c in prediction["classes"]] == ["x-a", "x-b", "x-c"]
    assert prediction["extra"]["weights"] == str(weights)


def test_a_module_without_a_trained_model_is_named_in_a_warning(
    invoke: Invoke,
    registry: ModuleRegistry,
    images: dict[str, Path],
    seascope_home: Path,
    tmp_path: Path,
) -> None:
    single = ["predict", "untrained", str(images["disc"])]
    batch = [*single, "--out", str(tmp_path / "out.csv"), "--no-progress"]
    for args in (single, batch):
        result = invoke(args, registry)
        assert result.exit_code == 0, result.stderr
        assert "warning: module 'untrained' has no trained model loaded" in result.stderr
        assert "seascope train untrained --dataset DIR" in result.stderr
    assert json.loads(invoke(single, registry).stdout)["predictions"]  # stdout stays JSON

    package = seascope_home / "jobs" / "job1" / "output" / "model-package"
    package.mkdir(parents=True)
    card = {"name": "untrained", "classes": ["a"], "created": "2026-11-28T00:00:00"}
    (package / "model-card.json").write_text(json.dumps(card))
    result = invoke(single, registry)
    assert f"this home's newest: --weights {package}" in result.stderr

    weights = tmp_path / "model.bin"
    weights.write_bytes(b"w")
    for args in (single, batch):
        result = invoke([*args, "--weights", str(weights)], registry)
        assert result.exit_code == 0, result.stderr
        assert "warning" not in result.stderr
    assert "warning" not in invoke(["predict", "ranker", str(images["disc"])], registry).stderr


def test_module_prints_go_to_stderr_so_stdout_stays_json(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path]
) -> None:
    result = invoke(["predict", "chatty", str(images["disc"])], registry)
    assert result.exit_code == 0
    json.loads(result.stdout)
    assert "loading weights..." in result.stderr
    assert "predicting!" in result.stderr


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty", "the file is empty (0 bytes)"),
        ("truncated", "corrupt"),
        ("text", "not an image seascope can read"),
        ("missing", "no such file"),
        ("folder", "is a folder"),
    ],
)
def test_bad_inputs_exit_65_with_one_line(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path], kind: str, message: str
) -> None:
    result = invoke(["predict", "ranker", str(images["disc"]), str(images[kind])], registry)
    assert result.exit_code == 65
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {images[kind]}")
    assert message in lines[0]


def test_every_bad_file_is_named_in_the_one_line(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path]
) -> None:
    result = invoke(["predict", "ranker", str(images["empty"]), str(images["text"])], registry)
    assert result.exit_code == 65
    assert str(images["empty"]) in result.stderr
    assert str(images["text"]) in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--param", "top_k=9"], 65, "top_k"),
        (["--param", "top_k=many"], 65, "top_k"),
        (["--param", "colour=red"], 65, "colour: Unknown field"),
        (["--top-k", "0"], 2, ""),
        (["--param", "top_k"], 2, "--param expects KEY=VALUE"),
        (["--weights", "/nonexistent/model.npz"], 2, "no such file"),
    ],
)
def test_bad_parameters_are_reported_before_any_work(
    invoke: Invoke,
    registry: ModuleRegistry,
    images: dict[str, Path],
    args: list[str],
    code: int,
    message: str,
) -> None:
    result = invoke(["predict", "ranker", str(images["disc"]), *args], registry)
    assert result.exit_code == code
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_module_exits_3(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path]
) -> None:
    result = invoke(["predict", "rankr", str(images["disc"])], registry)
    assert result.exit_code == 3
    assert "did you mean 'ranker'" in result.stderr


def test_module_failure_exits_1_with_its_message(
    invoke: Invoke, registry: ModuleRegistry, images: dict[str, Path]
) -> None:
    result = invoke(["predict", "crash", str(images["disc"])], registry)
    assert result.exit_code == 1
    assert result.stderr == "error: CUDA out of memory (pretend)\n"


def test_files_are_required(invoke: Invoke, registry: ModuleRegistry) -> None:
    assert invoke(["predict", "ranker"], registry).exit_code == 2


@pytest.mark.parametrize(
    ("device", "max_concurrency", "cores", "workers"),
    [("cpu", None, 2, 2), ("cpu", None, 64, 8), ("cpu", 1, 16, 1), ("cuda", None, 16, 1)],
)
def test_batch_runs_predict_one_chunk_per_core_on_the_cpu(
    device: str, max_concurrency: int | None, cores: int, workers: int
) -> None:
    manifest = _manifest("m", Ranker).model_copy(update={"max_concurrency": max_concurrency})
    assert predict_workers(device, manifest, cores) == workers
