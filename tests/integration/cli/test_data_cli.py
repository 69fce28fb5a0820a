"""``seascope data import | check | split | balance`` on real files, in-process and as a process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from seascope.cli.data import progress_bar
from seascope.cli.main import build_app
from seascope.datasets import Split, generate_dataset, load_manifest, render_particle


def seascope(*args: str | Path) -> Result:
    return CliRunner().invoke(build_app(), [str(a) for a in args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def one_line_error(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and one ``error:`` line naming ``fragments``."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def counts(manifest_file: Path, split: Split | None = None) -> dict[str, int]:
    return load_manifest(manifest_file).class_counts(split=split)


@pytest.fixture(scope="module")
def plankton(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Class folders: disc 12, chain 6, spiny 3 images."""
    root = tmp_path_factory.mktemp("plankton")
    for seed, (morphology, n) in enumerate((("disc", 12), ("chain", 6), ("spiny", 3))):
        generate_dataset(root, per_class=n, seed=seed, morphologies=(morphology,))
    return root


@pytest.fixture(scope="module")
def even(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Class folders: 10 images of each of three classes."""
    root = tmp_path_factory.mktemp("even")
    generate_dataset(root, per_class=10, seed=5, morphologies=("disc", "chain", "filament"))
    return root


@pytest.fixture
def ecotaxa_export(tmp_path: Path) -> Path:
    """An EcoTaxa export: 6 samples x (2 disc + 2 chain), half validated, one unclassified."""
    root = tmp_path / "export"
    (root / "imgs").mkdir(parents=True)
    rng = np.random.default_rng(3)
    lines = [
        "img_file_name\tobject_id\tobject_annotation_category\tobject_annotation_status\tsample_id",
        "[t]\t[t]\t[t]\t[t]\t[t]",
    ]
    for sample in range(6):
        for label in ("disc", "chain"):
            for k in range(2):
                name = f"s{sample}_{label}_{k}"
                render_particle(label, rng, size=48).save(root / "imgs" / f"{name}.png")
                status = "validated" if k == 0 else "predicted"
                lines.append(f"imgs/{name}.png\t{name}\t{label}\t{status}\tstation_{sample}")
    render_particle("spiny", rng, size=48).save(root / "imgs" / "unsorted.png")
    lines.append("imgs/unsorted.png\tunsorted\t\t\tstation_0")
    (root / "ecotaxa_export.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(folder).as_posix())
    return archive


# --- import and check on the real FlowCam sample ---------------------------------------


def test_import_the_flowcam_sample_from_folders_and_from_its_csv(
    flowcam_dir: Path, tmp_path: Path
) -> None:
    folder_manifest = tmp_path / "folders.json"
    result = ok(seascope("data", "import", flowcam_dir, "--out", folder_manifest))
    assert result.stdout.strip() == str(folder_manifest)
    assert "imported 82 images, 6 classes, no splits (folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    csv_manifest = tmp_path / "from-csv.json"
    result = ok(seascope("data", "import", flowcam_dir.parent / "labels.csv", "-o", csv_manifest))
    assert "82 images, 6 classes, no splits (csv" in result.stderr

    by_folder, by_csv = load_manifest(folder_manifest), load_manifest(csv_manifest)
    assert by_folder.class_counts() == by_csv.class_counts()
    assert by_folder.class_counts()["Tripos"] == 10
    expected = (flowcam_dir.parent / "classes.txt").read_text().split()
    assert list(by_folder.classes) == expected
    # Same images with the same labels, whichever way they came in.
    assert by_folder.rows_fingerprint() == by_csv.rows_fingerprint()

    # The sample's own folder holds one folder (images/) and the CSV: the error says so.
    error = one_line_error(
        seascope("data", "import", flowcam_dir.parent, "--out", tmp_path / "x.json"), 65
    )
    assert "at least 2" in error and "labels.csv" in error


def test_check_the_flowcam_sample_as_a_table_and_as_json(flowcam_dir: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "flowcam.json"
    ok(seascope("data", "import", flowcam_dir, "--out", manifest))

    table = ok(seascope("data", "check", manifest))
    for text in ("Dataset check", "Classes", "Findings", "Tripos", "class_below_min"):
        assert text in table.stdout
    assert "dataset ok: 82 readable images, 1 warning(s)" in table.stderr

    as_json = ok(seascope("data", "check", manifest, "--format", "json", "--min-per-class", "10"))
    report = json.loads(as_json.stdout)
    assert (report["rows"], report["readable"], report["findings"]) == (82, 82, [])
    assert {c["name"]: c["images"] for c in report["classes"]}["Noctilucales"] == 18
    assert report["root"] == os.path.normpath(flowcam_dir.absolute())

    # A folder or a CSV is checked directly, without importing it first.
    direct = ok(seascope("data", "check", flowcam_dir.parent / "labels.csv", "--json"))
    assert json.loads(direct.stdout)["content_fingerprint"] == report["content_fingerprint"]


def test_check_exits_65_with_the_report_when_it_finds_errors(tmp_path: Path) -> None:
    root = tmp_path / "data"
    generate_dataset(root, per_class=4, morphologies=("disc", "chain"))
    good = (root / "disc" / "disc_00000.jpg").read_bytes()
    (root / "disc" / "broken.jpg").write_bytes(good[: len(good) // 3])
    (root / "chain" / "copy.jpg").write_bytes(good)  # the same image labelled chain

    result = seascope("data", "check", root, "--json")
    one_line_error(result, 65, "the dataset check found 2 error(s)", "unreadable_image")
    report = json.loads(result.stdout)
    codes = {f["code"]: f["severity"] for f in report["findings"]}
    assert codes["unreadable_image"] == "error"
    assert codes["duplicate_conflicting_labels"] == "error"
    assert [p["path"] for p in report["unreadable"]] == ["disc/broken.jpg"]

    table = seascope("data", "check", root)
    assert table.exit_code == 65 and "unreadable_image" in table.stdout


def test_import_writes_a_csv_manifest_at_or_above_the_image_root(tmp_path: Path) -> None:
    root = generate_dataset_at(tmp_path / "data")
    table = root / "manifest.csv"
    ok(seascope("data", "import", root, "--out", table))
    assert table.read_text().splitlines()[:2] == ["path,label", "chain/chain_00000.jpg,chain"]
    assert load_manifest(table).class_counts() == {"chain": 3, "disc": 3}
    # The CSV's paths are relative to it: it cannot sit beside or below the images.
    one_line_error(
        seascope("data", "import", root, "--out", tmp_path / "elsewhere" / "m.csv"),
        65,
        "a CSV manifest must be in the dataset root",
    )


def generate_dataset_at(root: Path) -> Path:
    generate_dataset(root, per_class=3, morphologies=("disc", "chain"))
    return root


# --- split -------------------------------------------------------------------------------


def test_split_is_stratified_and_deterministic_for_a_seed(even: Path, tmp_path: Path) -> None:
    source = tmp_path / "even.json"
    ok(seascope("data", "import", even, "--out", source))
    first, again, other = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    result = ok(seascope("data", "split", source, "--out", first, "--seed", "3"))
    ok(seascope("data", "split", source, "--out", again, "--seed", "3"))
    ok(seascope("data", "split", source, "--out", other, "--seed", "4"))

    assert result.stdout.strip() == str(first)
    assert "splits: train 24, val 3, test 3" in result.stderr
    assert "CLASS" in result.stderr and "TRAIN" in result.stderr
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    for split, n in ((Split.TRAIN, 8), (Split.VAL, 1), (Split.TEST, 1)):
        assert counts(first, split) == {"chain": n, "disc": n, "filament": n}

    uneven = tmp_path / "uneven.json"
    ok(seascope("data", "split", source, "--out", uneven, "--val", "0.2", "--test", "0"))
    assert load_manifest(uneven).splits() == [Split.TRAIN, Split.VAL]
    assert counts(uneven, Split.VAL) == {"chain": 2, "disc": 2, "filament": 2}


def test_split_lists_round_trip_through_import(even: Path, tmp_path: Path) -> None:
    split_manifest = tmp_path / "split.json"
    lists = tmp_path / "data" / "dataset_files"
    ok(seascope("data", "split", even, "--out", split_manifest, "--write-split-lists", lists))
    assert sorted(p.name for p in lists.iterdir()) == [
        "classes.txt",
        "test.txt",
        "train.txt",
        "val.txt",
    ]
    error = one_line_error(
        seascope("data", "import", tmp_path / "data", "--out", tmp_path / "x.json"), 65
    )
    assert "30 listed image(s) not found" in error and "pass --image-root DIR" in error
    # planktonclas layout: data/dataset_files + data/images; auto finds both.
    (tmp_path / "data" / "images").symlink_to(even, target_is_directory=True)
    back = tmp_path / "back.json"
    result = ok(seascope("data", "import", tmp_path / "data", "--out", back))
    assert "30 images, 3 classes, splits: train 24, val 3, test 3 (split-lists" in result.stderr
    original = load_manifest(split_manifest)
    imported = load_manifest(back)
    assert {(r.path, r.label, r.split) for r in imported.rows} == {
        (r.path, r.label, r.split) for r in original.rows
    }

    only_train = tmp_path / "train-only.json"
    ok(
        seascope(
            "data", "import", lists, "--image-root", even, "--splits", "train", "-o", only_train
        )
    )
    assert load_manifest(only_train).splits() == [Split.TRAIN]


def test_k_folds_keep_a_fixed_test_set(even: Path, tmp_path: Path) -> None:
    out = tmp_path / "cv.json"
    result = ok(
        seascope(
            "data",
            "split",
            even,
            "--out",
            out,
            "--folds",
            "3",
            "--test",
            "0.2",
            "--write-split-lists",
            tmp_path / "lists",
        )
    )
    paths = [tmp_path / f"cv-fold{i}.json" for i in range(3)]
    assert result.stdout.split() == [str(p) for p in paths]
    folds = [load_manifest(p) for p in paths]
    tests = [{r.path for r in f.rows if r.split == Split.TEST} for f in folds]
    assert tests[0] == tests[1] == tests[2] and len(tests[0]) == 6
    held_out = Counter(r.path for f in folds for r in f.rows if r.split == Split.VAL)
    assert set(held_out.values()) == {1} and len(held_out) == 24
    assert (tmp_path / "lists" / "fold2" / "val.txt").is_file()


# --- balance -----------------------------------------------------------------------------


def test_balance_oversamples_subsamples_drops_and_merges(plankton: Path, tmp_path: Path) -> None:
    source = tmp_path / "plankton.json"
    ok(seascope("data", "import", plankton, "--out", source))

    out = tmp_path / "oversampled.json"
    result = ok(seascope("data", "balance", source, "--out", out, "--min", "5", "--max", "10"))
    assert "has no splits; balancing all rows" in result.stderr
    assert counts(out) == {"chain": 6, "disc": 10, "spiny": 5}
    assert sum(r.augmented for r in load_manifest(out).rows) == 2
    table = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert table["disc"][1:4] == ["12", "10", "subsampled"]
    assert table["spiny"][1:4] == ["3", "5", "oversampled"]
    assert table["chain"][3] == "kept"

    dropped = tmp_path / "dropped.json"
    ok(seascope("data", "balance", source, "-o", dropped, "--min", "5", "--below-min", "drop"))
    assert counts(dropped) == {"chain": 6, "disc": 12}

    merged = tmp_path / "merged.json"
    result = ok(
        seascope(
            "data",
            "balance",
            source,
            "-o",
            merged,
            "--min",
            "7",
            "--below-min",
            "merge:other",
            "--json",
        )
    )
    report = json.loads(result.stdout)
    assert report["manifest"] == str(merged)
    assert {c["name"]: c["action"] for c in report["classes"]} == {
        "chain": "merged",
        "disc": "kept",
        "spiny": "merged",
        "other": "kept",
    }
    assert counts(merged) == {"disc": 12, "other": 9}


def test_balance_touches_only_the_train_split_by_default(even: Path, tmp_path: Path) -> None:
    split = tmp_path / "split.json"
    ok(seascope("data", "split", even, "--out", split))
    out = tmp_path / "balanced.json"
    result = ok(seascope("data", "balance", split, "--out", out, "--min", "9", "--max", "9"))
    assert "(balanced train rows)" in result.stderr
    assert counts(out, Split.TRAIN) == {"chain": 9, "disc": 9, "filament": 9}
    for held_out in (Split.VAL, Split.TEST):
        assert counts(out, held_out) == counts(split, held_out)


# --- EcoTaxa -----------------------------------------------------------------------------


def test_import_an_ecotaxa_export_folder_and_zip(ecotaxa_export: Path, tmp_path: Path) -> None:
    from_folder = tmp_path / "folder.json"
    result = ok(seascope("data", "import", ecotaxa_export, "--out", from_folder))
    assert "24 images, 2 classes, no splits, 6 groups (ecotaxa" in result.stderr

    archive = zip_folder(ecotaxa_export, tmp_path / "export.zip")
    unpacked = tmp_path / "unpacked"
    validated = tmp_path / "validated.json"
    result = ok(
        seascope(
            "data",
            "import",
            archive,
            "--extract-to",
            unpacked,
            "--validated-only",
            "--out",
            validated,
        )
    )
    assert "12 images, 2 classes" in result.stderr
    manifest = load_manifest(validated)
    assert manifest.root == unpacked.absolute()
    assert all(manifest.path_of(row).is_file() for row in manifest.rows)

    grouped = tmp_path / "grouped.json"
    ok(
        seascope(
            "data",
            "split",
            from_folder,
            "--out",
            grouped,
            "--grouped",
            "--val",
            "0.2",
            "--test",
            "0.2",
        )
    )
    split_of_group: dict[str | None, set[Split | None]] = {}
    for row in load_manifest(grouped).rows:
        split_of_group.setdefault(row.group, set()).add(row.split)
    assert all(len(splits) == 1 for splits in split_of_group.values())


# --- one-line errors -----------------------------------------------------------------------


def _class_folders(root: Path, classes: Sequence[str], per_class: int = 2) -> Path:
    generate_dataset(root, per_class=per_class, morphologies=tuple(classes))
    return root


def test_error_missing_folder_and_unknown_formats(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    one_line_error(
        seascope("data", "import", tmp_path / "nowhere", "--out", out), 65, "dataset not found"
    )
    one_line_error(
        seascope("data", "import", tmp_path / "nowhere", "--format", "folder", "--out", out),
        65,
        "dataset folder not found",
    )
    one_line_error(seascope("data", "check", tmp_path / "nowhere"), 65, "dataset not found")
    notes = tmp_path / "notes.md"
    notes.write_text("hello\n")
    one_line_error(
        seascope("data", "import", notes, "--out", out), 65, "cannot tell the dataset format"
    )
    one_line_error(
        seascope("data", "import", tmp_path, "--format", "xml", "--out", out),
        2,
        "unknown --format 'xml'",
    )
    one_line_error(seascope("data", "check", tmp_path, "--format", "xml"), 2, "table or json")
    one_line_error(
        seascope("data", "import", tmp_path, "--out", tmp_path / "m.yaml"), 2, "json or .csv"
    )
    assert not out.exists()


def test_error_missing_split_file(even: Path, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "classes.txt").write_text("chain\ndisc\nfilament\n")
    (lists / "train.txt").write_text("disc/disc_00000.jpg 1\nchain/chain_00000.jpg 0\n")
    out = tmp_path / "m.json"
    one_line_error(
        seascope("data", "import", lists, "--image-root", even, "--splits", "train,val", "-o", out),
        65,
        "split file(s) not found",
        "val.txt",
        "--splits train",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(
        seascope("data", "import", empty, "--format", "split-lists", "-o", out),
        65,
        "train.txt, val.txt, test.txt",
    )
    # classes.txt names a class no split file uses: an empty class.
    one_line_error(
        seascope("data", "import", lists, "--image-root", even, "-o", out),
        65,
        "1 class(es) without images: 'filament'",
    )


def test_error_empty_class_and_single_class(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    root = _class_folders(tmp_path / "data", ["disc", "chain"])
    (root / "empty").mkdir()
    one_line_error(
        seascope("data", "import", root, "--out", out), 65, "class folder(s) without images: empty"
    )
    one_line_error(seascope("data", "check", root), 65, "without images: empty")

    single = _class_folders(tmp_path / "single", ["disc"])
    one_line_error(seascope("data", "import", single, "--out", out), 65, "at least 2")
    table = tmp_path / "single" / "labels.csv"
    table.write_text("path,label\ndisc/disc_00000.jpg,disc\ndisc/disc_00001.jpg,disc\n")
    one_line_error(
        seascope("data", "import", table, "--out", out), 65, "1 class with images ('disc')"
    )
    # check reads it and reports the problem instead.
    result = seascope("data", "check", table, "--json")
    one_line_error(result, 65, "single_class")
    assert "single_class" in {f["code"] for f in json.loads(result.stdout)["findings"]}


def test_error_corrupt_zip_and_zip_slip(ecotaxa_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(zip_folder(ecotaxa_export, tmp_path / "ok.zip").read_bytes()[:300])
    one_line_error(
        seascope("data", "import", corrupt, "--extract-to", tmp_path / "x", "--out", out),
        65,
        "not a readable zip archive",
    )

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("ecotaxa_x.tsv", "img_file_name\tobject_annotation_category\n")
        bundle.writestr("../escaped.txt", "gotcha")
    target = tmp_path / "deep" / "unpacked"
    one_line_error(
        seascope("data", "import", evil, "--extract-to", target, "--out", out),
        65,
        "zip-slip",
    )
    assert not (tmp_path / "deep" / "escaped.txt").exists()
    assert not (target / "ecotaxa_x.tsv").exists()

    one_line_error(seascope("data", "import", evil, "--out", out), 2, "--extract-to DIR")
    one_line_error(seascope("data", "check", evil), 2, "seascope data import")
    assert not out.exists()


def test_error_options_that_do_not_apply_or_are_invalid(plankton: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    one_line_error(
        seascope("data", "import", plankton, "--validated-only", "--out", out),
        2,
        "--validated-only is for EcoTaxa exports",
    )
    one_line_error(
        seascope("data", "import", plankton, "--splits", "train,bogus", "--out", out),
        2,
        "unknown split 'bogus'",
    )
    one_line_error(
        seascope("data", "balance", plankton, "-o", out, "--below-min", "shrink"),
        65,
        "--below-min: expected 'oversample', 'drop' or 'merge:<ClassName>'",
    )
    one_line_error(
        seascope("data", "balance", plankton, "-o", out, "--min", "9", "--max", "3"),
        65,
        "--min: need 0 <= min (9) <= max (3)",
    )
    one_line_error(
        seascope("data", "balance", plankton, "-o", out, "--split", "train"),
        65,
        "no train rows to balance",
    )
    one_line_error(seascope("data", "balance", plankton, "-o", out, "--split", "x"), 2, "--split")
    one_line_error(
        seascope("data", "split", plankton, "-o", out, "--val", "0.5", "--test", "0.5"),
        65,
        "--test: val + test = 1 leaves nothing for train",
    )
    one_line_error(
        seascope("data", "split", plankton, "-o", out, "--folds", "4", "--val", "0.2"),
        2,
        "--val does not apply with --folds",
    )
    one_line_error(seascope("data", "split", plankton, "-o", out, "--folds", "1"), 65, "--folds")
    one_line_error(seascope("data", "split", plankton, "-o", out, "--grouped"), 65, "needs a group")
    one_line_error(
        seascope("data", "check", plankton, "--min-per-class", "50", "--max-per-class", "5"),
        65,
        "invalid class limits",
    )
    assert not out.exists()


# --- as a process, and the progress bar ---------------------------------------------------


def test_as_a_process_errors_are_one_line_and_help_stays_light(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "seascope.cli",
            "data",
            "import",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "m.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 65
    assert run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        f"error: dataset not found: {tmp_path / 'none'} (no such file or folder)"
    ]

    probe = (
        "import sys\n"
        "sys.argv = ['seascope', 'data', 'check', '--help']\n"
        "from seascope.cli.main import run\n"
        "code = run()\n"
        "assert code == 0, code\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('seascope.datasets')))\n"
    )
    helped = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(os.environ, COLUMNS="120"),
    )
    assert helped.returncode == 0, helped.stderr
    assert "--min-per-class" in helped.stdout
    assert helped.stdout.strip().splitlines()[-1] == "LOADED []"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    with progress_bar(io.StringIO(), "checking") as progress:
        assert progress is None
    terminal = _Terminal()
    with progress_bar(terminal, "checking") as progress:
        assert progress is not None
        for done in range(1, 5):
            progress(done, 4)
    assert "checking" in terminal.getvalue()
    assert "4/4" in terminal.getvalue()
