"""``seascope predict --out``, ``export``, ``watch`` and ``oscar-run`` end to end (in-process)."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from seascope.cli.main import build_app
from seascope.cli.state import CliState
from seascope.datasets import MORPHOLOGIES, render_particle
from seascope.modules import ModuleRegistry
from seascope.zoo.reference.features import particle_features
from seascope.zoo.reference.manifest import MANIFEST
from seascope.zoo.reference.module import CentroidModel

TAXA = {"disc": 148899, "spiny": 148970}


@pytest.fixture(scope="module")
def registry() -> ModuleRegistry:
    return ModuleRegistry([MANIFEST.model_copy(update={"taxa": TAXA})])


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small trained reference model: loads in milliseconds."""
    rng = np.random.default_rng(11)
    features, labels = [], []
    for morphology in MORPHOLOGIES:
        for _ in range(2):
            image = render_particle(morphology, rng, size=48)
            features.append(particle_features(np.asarray(image.convert("RGB"))))
            labels.append(morphology)
    path = tmp_path_factory.mktemp("model") / "model.npz"
    CentroidModel.fit(np.stack(features), labels).save(path)
    return path


def seascope(
    args: Sequence[str], registry: ModuleRegistry, env: dict[str, str] | None = None
) -> Result:
    state = CliState(discover_modules=lambda: registry)
    return CliRunner().invoke(build_app(), list(args), obj=state, env=env, catch_exceptions=False)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """Ten particles, a corrupt image, a 0-byte file and a text file named like an image."""
    root = tmp_path / "sample"
    rng = np.random.default_rng(7)
    for index in range(10):
        morphology = ("disc", "spiny", "chain", "disc", "filament")[index % 5]
        folder = root / f"part{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        render_particle(morphology, rng, size=48).save(folder / f"p{index:02d}.png")
    good = (root / "part0" / "p00.png").read_bytes()
    (root / "part1" / "corrupt.png").write_bytes(good[:-200])
    (root / "part1" / "zero.jpg").write_bytes(b"")
    (root / "part1" / "notes.jpg").write_text("FlowCam run 7\n")
    return root


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_batch_run_lists_bad_files_and_summarises_on_stderr(
    registry: ModuleRegistry, weights: Path, sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    args = ["predict", "reference", str(sample), "--out", str(out), "--weights", str(weights)]
    result = seascope([*args, "--chunk-size", "4", "--top-k", "2"], registry)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    rows = _csv(out)
    assert len(rows) == 13
    errors = {Path(r["input"]).name: r["error"] for r in rows if r["status"] == "error"}
    assert set(errors) == {"corrupt.png", "zero.jpg", "notes.jpg"}
    counts = Counter(r["label"] for r in rows if r["status"] == "ok")
    assert sum(counts.values()) == 10
    assert f"{out}: 13 inputs, 10 predicted, 3 errors" in result.stderr
    for label, count in counts.items():
        assert f"{label}" in result.stderr
        line = next(ln for ln in result.stderr.splitlines() if ln.split()[:1] == [label])
        assert line.split()[1] == str(count)
    assert "zero.jpg: " in result.stderr and "empty (0 bytes)" in result.stderr
    rerun = seascope([*args, "--top-k", "2"], registry)
    assert rerun.exit_code == 0
    assert "(0 new, 13 already there" in rerun.stderr
    assert len(_csv(out)) == 13


def test_jsonl_output_from_a_file_url_and_a_summary_file(
    registry: ModuleRegistry, weights: Path, sample: Path, tmp_path: Path
) -> None:
    pytest.importorskip("fsspec")
    out, summary = tmp_path / "results.jsonl", tmp_path / "summary.json"
    args = ["predict", "reference", (sample / "part0").as_uri(), "--out", str(out)]
    result = seascope([*args, "--weights", str(weights), "--summary", str(summary)], registry)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5 and all(r["input"].startswith("file://") for r in rows)
    assert all(isinstance(r["top_labels"], list) for r in rows)
    document = json.loads(summary.read_text())
    assert document["rows"] == 5
    assert sum(entry["count"] for entry in document["abundance"]) == 5


def test_batch_options_without_out_are_usage_errors(registry: ModuleRegistry, sample: Path) -> None:
    result = seascope(
        ["predict", "reference", str(sample / "part0" / "p00.png"), "--fresh"], registry
    )
    assert result.exit_code == 2
    assert "need --out" in result.stderr


def test_a_missing_input_folder_stops_before_running(
    registry: ModuleRegistry, tmp_path: Path
) -> None:
    out = tmp_path / "r.csv"
    result = seascope(["predict", "reference", str(tmp_path / "nope"), "--out", str(out)], registry)
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    assert not out.exists()


def test_exports_parse_back(
    registry: ModuleRegistry, weights: Path, sample: Path, tmp_path: Path
) -> None:
    results = tmp_path / "results.csv"
    run = seascope(
        ["predict", "reference", str(sample), "--out", str(results), "--weights", str(weights)],
        registry,
    )
    assert run.exit_code == 0, run.stderr
    tsv = tmp_path / "ecotaxa_sample.tsv"
    exported = seascope(["export", "ecotaxa", str(results), "--out", str(tsv)], registry)
    assert exported.exit_code == 0, exported.stderr
    assert "10 rows" in exported.stderr and "3 error rows" in exported.stderr
    with tsv.open(encoding="utf-8-sig", newline="") as file:
        names, types, *objects = list(csv.reader(file, delimiter="\t"))
    assert names[:4] == [
        "img_file_name",
        "object_id",
        "object_annotation_category",
        "object_annotation_status",
    ]
    assert set(types) <= {"[t]", "[f]"}
    assert len(objects) == 10
    assert all((sample / values[0]).is_file() for values in objects)  # relative to the images
    dwc = tmp_path / "occurrence.csv"
    exported = seascope(
        ["export", "dwc", str(results), "--out", str(dwc), "--event-date", "2024-05-02"],
        registry,
    )
    assert exported.exit_code == 0, exported.stderr
    occurrences = _csv(dwc)
    assert len(occurrences) == 10
    assert {o["basisOfRecord"] for o in occurrences} == {"MachineObservation"}
    assert {o["identificationReferences"] for o in occurrences} == {"reference 1.0.0"}
    disc = [o for o in occurrences if o["scientificName"] == "disc"]
    assert disc and {o["scientificNameID"] for o in disc} == {
        "urn:lsid:marinespecies.org:taxname:148899"
    }
    missing = seascope(["export", "dwc", str(tmp_path / "none.csv"), "--out", str(dwc)], registry)
    assert missing.exit_code == 65


def test_watch_once_twice_processes_each_file_once(
    registry: ModuleRegistry, weights: Path, tmp_path: Path
) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    rng = np.random.default_rng(3)
    render_particle("disc", rng, size=48).save(inbox / "a.png")
    render_particle("spiny", rng, size=48).save(inbox / "b.png")
    (inbox / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    args = ["watch", "reference", "--in", str(inbox), "--out", str(outbox), "--once"]
    args += ["--weights", str(weights), "--retry-delay", "0", "--max-attempts", "2"]
    first = seascope(args, registry)
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == {"processed": 2, "failed": 1, "gave_up": 0, "waiting": 0}
    render_particle("chain", rng, size=48).save(inbox / "c.png")
    second = seascope(args, registry)
    assert json.loads(second.stdout) == {"processed": 1, "failed": 0, "gave_up": 1, "waiting": 0}
    third = seascope(args, registry)
    assert json.loads(third.stdout) == {"processed": 0, "failed": 0, "gave_up": 0, "waiting": 0}
    outputs = sorted(p.name for p in outbox.glob("*.json"))
    assert outputs == ["a.png.json", "b.png.json", "bad.png.json", "c.png.json"]
    assert json.loads((outbox / "bad.png.json").read_text())["status"] == "error"
    assert json.loads((outbox / "a.png.json").read_text())["predictions"][0]["input"] == "a.png"
    assert (outbox / ".seascope-watch.sqlite").is_file()
    same = seascope(["watch", "reference", "--in", str(inbox), "--out", str(inbox)], registry)
    assert same.exit_code == 2 and "different folders" in same.stderr


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    render_particle("disc", np.random.default_rng(seed), size=48).save(buffer, "PNG")
    return buffer.getvalue()


def _oscar(
    registry: ModuleRegistry, weights: Path, input_file: Path, outputs: Path, *extra: str
) -> Result:
    env = {"INPUT_FILE_PATH": str(input_file), "TMP_OUTPUT_DIR": str(outputs)}
    return seascope(["oscar-run", "reference", "--weights", str(weights), *extra], registry, env)


def test_oscar_run_on_an_image(registry: ModuleRegistry, weights: Path, tmp_path: Path) -> None:
    image = tmp_path / "particle.png"
    image.write_bytes(_png(1))
    result = _oscar(registry, weights, image, tmp_path / "out", "--top-k", "2")
    assert result.exit_code == 0, result.stderr
    document = json.loads((tmp_path / "out" / "particle.json").read_text())
    assert json.loads(result.stdout) == document
    assert document["status"] == "ok" and document["input"] == "particle.png"
    assert len(document["predictions"][0]["classes"]) == 2


def test_oscar_run_on_a_zip(registry: ModuleRegistry, weights: Path, tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a.png", _png(1))
        bundle.writestr("sub/b.png", _png(2))
        bundle.writestr("broken.png", b"nope")
    result = _oscar(registry, weights, archive, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    document = json.loads((tmp_path / "out" / "batch.json").read_text())
    assert document["status"] == "partial"
    assert [p["input"] for p in document["predictions"]] == [
        "batch.zip!/a.png",
        "batch.zip!/sub/b.png",
    ]
    assert document["errors"][0]["input"] == "batch.zip!/broken.png"


def test_oscar_run_on_oscar_files_json(
    registry: ModuleRegistry, weights: Path, tmp_path: Path
) -> None:
    request = tmp_path / "request.json"
    files = [
        {"key": "image", "file_format": "png", "data": base64.b64encode(_png(seed)).decode()}
        for seed in (1, 2)
    ]
    request.write_text(json.dumps({"oscar-files": files, "top_k": 1, "accept": "application/json"}))
    result = _oscar(registry, weights, request, tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    document = json.loads((tmp_path / "out" / "request.json").read_text())
    assert [p["input"] for p in document["predictions"]] == ["image-1.png", "image-2.png"]
    assert all(len(p["classes"]) == 1 for p in document["predictions"])


def test_oscar_run_exit_codes(registry: ModuleRegistry, weights: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    result = _oscar(registry, weights, bad, tmp_path / "out")
    assert result.exit_code == 65
    assert json.loads((tmp_path / "out" / "bad.json").read_text())["status"] == "error"
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"oscar-files": [], "top_k": 0}))
    assert _oscar(registry, weights, params, tmp_path / "out").exit_code == 65
    not_oscar = tmp_path / "other.json"
    not_oscar.write_text("[1, 2]")
    result = _oscar(registry, weights, not_oscar, tmp_path / "out")
    assert result.exit_code == 65
    assert "oscar-files" in json.loads((tmp_path / "out" / "other.json").read_text())["error"]
    unset = seascope(["oscar-run", "reference"], registry, {"INPUT_FILE_PATH": ""})
    assert unset.exit_code == 2
