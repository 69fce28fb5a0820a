"""Batch runs: bad inputs never stop a run, the file holds each input once, resumes work."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from seascope.datasets import render_particle
from seascope.errors import ConfigError, InvalidParameters, ModuleFailed
from seascope.inference import Predictor
from seascope.inference.batch_output import ResultsFile
from seascope.inference.batch_progress import LogProgress
from seascope.inference.batch_results import ResultRow, read_results
from seascope.inference.batch_run import BatchOptions, run_batch
from seascope.modules import ModelModule, ModuleManifest, NoParams, SetupContext
from seascope.types import ClassScore, ImageInput, Prediction
from seascope.zoo.reference.manifest import MANIFEST
from seascope.zoo.reference.module import ReferenceClassifier

TAXA = {"disc": 148899, "chain": 146230}


@pytest.fixture(scope="module")
def reference() -> Predictor:
    """The reference module (built-in centroids) with AphiaIDs for two of its classes."""
    module = ReferenceClassifier(MANIFEST.model_copy(update={"taxa": TAXA}))
    module.setup(SetupContext())
    return Predictor(module)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """Twelve particles in two folders, plus a corrupt, an empty and a non-image file."""
    root = tmp_path / "sample"
    rng = np.random.default_rng(5)
    for index in range(12):
        morphology = ("disc", "chain", "spiny")[index % 3]
        folder = root / ("a" if index < 6 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        render_particle(morphology, rng, size=48).save(folder / f"{morphology}_{index:02d}.png")
    good = (root / "a" / "disc_00.png").read_bytes()
    (root / "b" / "corrupt.png").write_bytes(good[: len(good) // 2])
    (root / "b" / "empty.jpg").write_bytes(b"")
    (root / "b" / "notes.jpg").write_text("FlowCam run 7, station 4\n")
    (root / "b" / "notes.txt").write_text("not taken: not an image suffix\n")
    return root


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_bad_inputs_are_rows_with_errors_and_the_summary_matches_the_file(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    summary = run_batch(
        predictor=reference,
        specs=[str(samples)],
        out=out,
        params={"top_k": 3},
        options=BatchOptions(chunk_size=4, threads=2),
    )
    rows = _csv_rows(out)
    assert len(rows) == 15
    assert not out.with_name("results.csv.partial").exists()
    errors = {Path(r["input"]).name: r["error"] for r in rows if r["status"] == "error"}
    assert set(errors) == {"corrupt.png", "empty.jpg", "notes.jpg"}
    assert "empty (0 bytes)" in errors["empty.jpg"]
    assert "not an image" in errors["notes.jpg"]
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == 12
    assert all(len(json.loads(r["top_labels"])) == 3 for r in ok)
    assert all(r["module"] == "reference" and r["module_version"] == "1.0.0" for r in ok)
    for row in ok:
        expected = TAXA.get(row["label"])
        assert row["aphia_id"] == ("" if expected is None else str(expected))
    # The summary is what the file holds.
    assert summary.rows == 15 and summary.predicted == 12 and summary.errors == 3
    assert dict(summary.classes) == dict(Counter(r["label"] for r in ok))
    assert sum(c.share for c in summary.abundance()) == pytest.approx(1.0)
    assert len(summary.error_examples) == 3


def test_a_rerun_skips_what_is_done_and_adds_new_inputs(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    first = run_batch(predictor=reference, specs=[str(samples / "a")], out=out)
    assert (first.rows, first.added) == (6, 6)
    again = run_batch(predictor=reference, specs=[str(samples)], out=out)
    assert (again.rows, again.added, again.already_done) == (15, 9, 6)
    inputs = [row.input for row in read_results(out)]
    assert len(inputs) == len(set(inputs)) == 15
    same = run_batch(predictor=reference, specs=[str(samples)], out=out)
    assert (same.rows, same.added) == (15, 0)


def test_an_input_named_twice_appears_once(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    run_batch(predictor=reference, specs=[str(samples / "a"), f"{samples}/a/*.png"], out=out)
    assert len(_csv_rows(out)) == 6


def test_a_partial_file_cut_mid_line_is_repaired_and_continued(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    run_batch(predictor=reference, specs=[str(samples / "a")], out=out)
    partial = out.with_name("results.csv.partial")
    # What a kill during a write leaves: the final file absent, half a row at the end.
    text = out.read_text()
    partial.write_text(text + text.splitlines()[1][:25])
    out.unlink()
    summary = run_batch(predictor=reference, specs=[str(samples)], out=out)
    inputs = [r["input"] for r in _csv_rows(out)]
    assert len(inputs) == len(set(inputs)) == 15 == summary.rows
    assert not partial.exists()


def test_hash_mode_redoes_a_changed_file_and_keeps_one_row(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    options = BatchOptions(with_hash=True, chunk_size=3)
    run_batch(predictor=reference, specs=[str(samples / "a")], out=out, options=options)
    changed = samples / "a" / "disc_00.png"
    render_particle("chain", np.random.default_rng(1), size=48).save(changed)
    summary = run_batch(predictor=reference, specs=[str(samples / "a")], out=out, options=options)
    rows = _csv_rows(out)
    assert summary.added == 1
    assert [r["input"] for r in rows].count(str(changed)) == 1
    assert all(len(r["sha256"]) == 64 for r in rows)


def test_fresh_replaces_the_output(reference: Predictor, samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    run_batch(predictor=reference, specs=[str(samples)], out=out)
    summary = run_batch(
        predictor=reference,
        specs=[str(samples / "a")],
        out=out,
        options=BatchOptions(fresh=True),
    )
    assert summary.rows == 6 == len(_csv_rows(out))


def test_zip_inputs_and_a_hostile_entry(reference: Predictor, tmp_path: Path) -> None:
    archive = tmp_path / "sample.zip"
    rng = np.random.default_rng(2)
    with zipfile.ZipFile(archive, "w") as bundle:
        for index in range(3):
            buffer = io.BytesIO()
            render_particle("disc", rng, size=40).save(buffer, "PNG")
            bundle.writestr(f"crops/{index}.png", buffer.getvalue())
        bundle.writestr("../outside.png", b"evil")
    out = tmp_path / "results.csv"
    summary = run_batch(predictor=reference, specs=[str(archive)], out=out)
    rows = {r["input"]: r for r in _csv_rows(out)}
    assert summary.predicted == 3
    hostile = rows[f"{archive}!/../outside.png"]
    assert hostile["status"] == "error" and "zip-slip" in hostile["error"]


def test_another_modules_results_are_not_resumed(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    out.write_text(
        "input,status,error,label,score,aphia_id,top_labels,top_scores,module,module_version,"
        "timestamp,sha256\nx.png,ok,,disc,0.9,,[],[],other,0.1,,\n"
    )
    with pytest.raises(ConfigError, match="module other 0.1"):
        run_batch(predictor=reference, specs=[str(samples)], out=out)
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("id,label\n1,disc\n")
    with pytest.raises(ConfigError, match="not a results file"):
        run_batch(predictor=reference, specs=[str(samples)], out=foreign)


def test_bad_parameters_and_unknown_formats_fail_before_anything_is_written(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    with pytest.raises(InvalidParameters):
        run_batch(
            predictor=reference, specs=[str(samples)], out=tmp_path / "r.csv", params={"top_k": 0}
        )
    with pytest.raises(ConfigError, match="unknown results format"):
        run_batch(predictor=reference, specs=[str(samples)], out=tmp_path / "r.xlsx")
    assert list(tmp_path.glob("r.*")) == []


def test_parquet_needs_pyarrow_or_round_trips(
    reference: Predictor, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"seascope\[parquet\]"):
            run_batch(predictor=reference, specs=[str(samples)], out=out)
        return
    run_batch(predictor=reference, specs=[str(samples / "a")], out=out)
    summary = run_batch(predictor=reference, specs=[str(samples)], out=out)
    rows = list(read_results(out))
    assert summary.rows == len(rows) == len({r.input for r in rows}) == 15


class Flaky(ModelModule[NoParams, NoParams]):
    """Fails on any batch holding an image wider than 60 pixels."""

    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        if any(image.width > 60 for image in images):
            raise RuntimeError("CUDA error: an illegal memory access (pretend)")
        return [
            Prediction(input=i.name, classes=(ClassScore(label="x", score=1.0),)) for i in images
        ]


class Broken(ModelModule[NoParams, NoParams]):
    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        raise RuntimeError("weights are garbage")


def _scripted(cls: type) -> Predictor:
    manifest = ModuleManifest(
        name=cls.__name__.lower(),
        version="1",
        title="t",
        summary="t",
        task="image-classification",
        entry=f"{__name__}:{cls.__name__}",
    )
    return Predictor(cls(manifest))


def test_one_image_that_breaks_the_module_costs_only_its_row(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for index, size in enumerate([40, 40, 80, 40]):
        render_particle("disc", rng, size=size).save(tmp_path / f"{index}.png")
    out = tmp_path / "out" / "r.csv"
    out.parent.mkdir()
    summary = run_batch(
        predictor=_scripted(Flaky), specs=[str(tmp_path)], out=out, options=BatchOptions()
    )
    rows = {Path(r["input"]).name: r for r in _csv_rows(out)}
    assert summary.predicted == 3
    assert rows["2.png"]["status"] == "error"
    assert "module failed: RuntimeError: CUDA error" in rows["2.png"]["error"]


def test_a_module_that_fails_on_everything_stops_the_run(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for index in range(3):
        render_particle("disc", rng, size=40).save(tmp_path / f"{index}.png")
    out = tmp_path / "r.csv"
    with pytest.raises(ModuleFailed, match="weights are garbage"):
        run_batch(predictor=_scripted(Broken), specs=[str(tmp_path)], out=out)
    assert not out.exists()
    assert out.with_name("r.csv.partial").exists()


def test_log_progress_lines_have_rate_and_eta() -> None:
    stream = io.StringIO()
    now = [0.0]
    progress = LogProgress(stream, interval=10.0, clock=lambda: now[0])
    progress.set_total(100)
    now[0] = 5.0
    progress.advance(10, errors=1)
    assert stream.getvalue() == ""
    now[0] = 10.0
    progress.advance(10, errors=0)
    line = stream.getvalue().strip()
    assert line == "batch: 20/100 inputs (20.0%), 1 errors, 2.0 inputs/s, ETA 0:00:40"


def test_results_rows_survive_csv_and_json_round_trips(tmp_path: Path) -> None:
    row = ResultRow(
        input='a,b "c".png',
        status="ok",
        label='Copepoda<"Maxillopoda"',
        score=0.5,
        aphia_id=1080,
        top_labels=("Copepoda", "b"),
        top_scores=(0.5, 0.25),
        module="m",
        module_version="1",
        timestamp="2024-01-01T00:00:00+00:00",
    )
    for suffix in ("csv", "jsonl"):
        results = ResultsFile(tmp_path / f"r.{suffix}")
        results.open(fresh=True, module="m", version="1")
        results.append([row])
        results.finish()
        assert list(read_results(tmp_path / f"r.{suffix}")) == [row]


def test_the_output_inside_an_input_folder_is_never_an_input(
    reference: Predictor, samples: Path
) -> None:
    out = samples / "a" / "results.csv"
    options = BatchOptions(all_files=True)
    run_batch(predictor=reference, specs=[str(samples / "a")], out=out, options=options)
    summary = run_batch(predictor=reference, specs=[str(samples / "a")], out=out, options=options)
    assert summary.rows == 6
    assert all(Path(row.input).suffix == ".png" for row in read_results(out))


class Slow(ModelModule[NoParams, NoParams]):
    """Takes longer on chunks with more "b" files, so parallel chunks finish out of order."""

    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        time.sleep(0.05 * sum(Path(image.name).stem.endswith("b") for image in images))
        return [Prediction(input=image.name) for image in images]


def test_parallel_predict_workers_write_every_input_once_in_input_order(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(1)
    # Chunks of two alternate slow ("b") and fast ("a"): they finish out of order.
    names = [f"{index:02d}{'bbaa'[index % 4]}.png" for index in range(12)]
    for name in names:
        render_particle("disc", rng, size=32).save(tmp_path / name)
    predictor = _scripted(Slow)
    orders = []
    for workers in (1, 3):
        out = tmp_path.parent / f"{tmp_path.name}-out-{workers}" / "r.jsonl"
        out.parent.mkdir()
        options = BatchOptions(chunk_size=2, predict_workers=workers)
        summary = run_batch(predictor=predictor, specs=[str(tmp_path)], out=out, options=options)
        assert summary.rows == summary.predicted == 12
        orders.append([Path(row.input).name for row in read_results(out)])
    # The walk's order, whatever order the parallel chunks finished in.
    assert orders[1] == orders[0] and sorted(orders[1]) == sorted(names)


def test_predict_workers_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        BatchOptions(predict_workers=0)
