"""``deepaas-cli`` in process: options, validation, outputs and exit codes."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seascope.deepaas.cli import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::marshmallow.warnings.Marshmallow4Warning")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def cli(*argv: str, environ: dict[str, str] | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(list(argv), environ=environ or {}, stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def test_get_metadata_as_pure_json() -> None:
    run = cli("--model-name", "fakemod", "--json", "get_metadata")
    assert run.code == 0
    assert run.json["name"] == "fakedeepaas"
    assert 'return: {"name": "fakedeepaas"' in run.stderr


def test_model_from_environment_and_selection_errors() -> None:
    run = cli("--json", "get_metadata", environ={"DEEPAAS_V2_MODEL": "fakeclass"})
    assert (run.code, run.json["description"]) == (0, "A class entry point")
    ambiguous = cli("get_metadata")
    assert ambiguous.code == 2
    assert "several models" in ambiguous.stderr
    unknown = cli("--model-name", "nope", "--json", "get_metadata")
    assert unknown.code == 2
    assert unknown.json["type"] == "ModuleNotFound"


def test_no_method_prints_metadata_with_a_warning() -> None:
    run = cli("--model-name", "fakemod", "--json")
    assert run.code == 0
    assert "No Method was requested" in run.stderr
    assert run.json["license"] == "MIT"


def test_predict_with_files_lists_and_legacy_return_line(tmp_path: Path) -> None:
    image = tmp_path / "cell.jpg"
    image.write_bytes(b"jpeg")
    run = cli(
        "--model-name",
        "fakemod",
        "--json",
        "predict",
        "--parameter",
        "3",
        "--data",
        str(image),
        "--files",
        str(image),
        str(image),
        "--nums",
        "[1, 2.5]",
        "--flag",
        "yes",
    )
    assert run.code == 0, run.stderr
    result = run.json
    assert result["parameter"] == 3
    assert result["nums"] == [1.0, 2.5]
    assert result["flag"] is True
    assert result["accept"] == "application/json"
    assert result["data"]["name"] == "data"
    assert result["data"]["content_type"] == "image/jpeg"
    assert result["data"]["original_filename"] == str(image)
    assert len(result["files"]) == 2
    assert not Path(result["data"]["filename"]).exists()  # temp copies removed
    assert re.search(r"INFO deepaas\.cmd\.cli \[-\] return: \{'accept': ", run.stderr)


def test_invalid_arguments_exit_2_with_the_api_messages(tmp_path: Path) -> None:
    run = cli(
        "--model-name",
        "fakemod",
        "--json",
        "predict",
        "--parameter",
        "x",
        "--mode",
        "nope",
        "--accept",
        "text/html",
    )
    assert run.code == 2
    assert run.json == {
        "parameter": ["Not a valid integer."],
        "mode": ["Must be one of: ok, value, http, soft, file."],
        "accept": ["Must be one of: application/json, text/plain, image/png."],
    }
    missing_file = cli(
        "--model-name",
        "fakemod",
        "--json",
        "predict",
        "--parameter",
        "1",
        "--data",
        str(tmp_path / "no.png"),
    )
    assert missing_file.code == 2
    assert "Cannot read file" in missing_file.json["data"][0]
    unknown_option = cli("--model-name", "fakemod", "predict", "--bogus", "1")
    assert unknown_option.code == 2
    assert "unrecognized arguments" in unknown_option.stderr


def test_module_failure_exits_1_with_its_message() -> None:
    run = cli("--model-name", "fakemod", "--json", "predict", "--parameter", "1", "--mode", "http")
    assert run.code == 1
    assert run.json == {
        "message": "invalid image provided",
        "type": "HTTPBadRequest",
        "status": 400,
    }


def test_binary_output_is_written_and_renamed_like_deepaas(tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.json"
    run = cli(
        "--model-name",
        "fakemod",
        "--deepaas_method_output",
        str(target),
        "--json",
        "predict",
        "--parameter",
        "1",
        "--accept",
        "image/png",
    )
    assert run.code == 0, run.stderr
    renamed = tmp_path / "out" / "result.json.png"
    assert run.json == {"output": str(renamed), "content_type": "image/png"}
    assert renamed.read_bytes().startswith(b"\x89PNG")
    assert "New output is" in run.stderr
    inline = cli(
        "--model-name", "fakemod", "--json", "predict", "--parameter", "1", "--accept", "text/plain"
    )
    assert inline.json["content_type"] == "text/plain"


def test_json_output_file(tmp_path: Path) -> None:
    target = tmp_path / "meta.json"
    assert (
        cli("--model-name", "fakemod", "--deepaas_method_output", str(target), "get_metadata").code
        == 0
    )
    assert json.loads(target.read_text())["version"] == "0.1.0"
    predicted = tmp_path / "pred.json"
    run = cli(
        "--model-name",
        "fakemod",
        "--deepaas_method_output",
        str(predicted),
        "predict",
        "--parameter",
        "2",
    )
    assert run.code == 0
    assert json.loads(predicted.read_text())["parameter"] == 2
    assert run.stdout == ""  # without --json nothing goes to stdout


def test_warm_and_train_in_process(tmp_path: Path) -> None:
    warm = cli("--model-name", "fakemod", "--json", "warm")
    assert (warm.code, warm.stdout.strip()) == (0, "null")
    dataset = tmp_path / "d.csv"
    dataset.write_text("1,2,3")
    run = cli(
        "--model-name",
        "fakemod",
        "--json",
        "train",
        "--steps",
        "1",
        "--sleep",
        "0",
        "--dataset",
        str(dataset),
    )
    assert run.code == 0, run.stderr
    body = run.json
    assert body["status"] == "done"
    assert re.fullmatch(r"[0-9a-f]{32}", body["uuid"])
    assert body["args"]["dataset"] == ["data", "text/csv", str(dataset)]
    assert body["result"]["output"] == {"steps": 1, "warmed": True, "dataset": [str(dataset), 5]}
    failed = cli("--model-name", "fakemod", "train", "--fail", "true", "--steps", "0")
    assert failed.code == 1
    assert "training failed!" in failed.stderr


def test_help_needs_no_model_and_method_help_lists_options() -> None:
    top = cli("--help")
    assert top.code == 0
    assert "--deepaas_method_output" in top.stdout
    method = cli("--model-name", "fakemod", "predict", "--help")
    assert method.code == 0
    assert "--zip_data" in method.stdout
    assert "Choices: ['ok', 'value', 'http', 'soft', 'file']" in method.stdout


def test_seascope_module_predict_and_train(
    tmp_path: Path, particle_bytes: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the training's output folder
    image = tmp_path / "disc.png"
    image.write_bytes(particle_bytes("disc", fmt="PNG"))
    run = cli(
        "--model-name",
        "reference",
        "--json",
        "predict",
        "--data",
        str(image),
        str(image),
        "--top_k",
        "2",
    )
    assert run.code == 0, run.stderr
    assert run.json["status"] == "OK"
    assert run.json["predictions"]["filenames"] == [str(image), str(image)]
    assert [len(row) for row in run.json["predictions"]["pred_lab"]] == [2, 2]
    invalid = cli("--model-name", "reference", "--json", "predict", "--top_k", "0")
    assert invalid.code == 2
    assert invalid.json == {
        "data": ["Missing data for required field."],
        "top_k": ["Input should be greater than or equal to 1"],
    }
    metadata = cli("--model-name", "reference", "--json", "get_metadata")
    assert metadata.json["id"] == "reference"
    for label in ("disc", "chain"):
        folder = tmp_path / "dataset" / label
        folder.mkdir(parents=True)
        for seed in range(3):
            (folder / f"{seed}.png").write_bytes(particle_bytes(label, seed=seed, fmt="PNG"))
    train = cli(
        "--model-name", "reference", "--json", "train", "--dataset", str(tmp_path / "dataset")
    )
    assert train.code == 0, train.stderr
    assert train.json["result"]["output"]["extra"]["classes"] == ["chain", "disc"]
    assert cli("--model-name", "reference", "train").code == 2
