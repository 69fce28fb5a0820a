"""The public surface of seascope.datasets is declared and pinned."""

from __future__ import annotations

import subprocess
import sys

import seascope.datasets
import seascope.datasets.formats

EXPECTED = {
    # folders and the synthetic demo set (existing)
    "IMAGE_SUFFIXES",
    "MORPHOLOGIES",
    "LabelledImage",
    "generate_dataset",
    "render_particle",
    "scan_class_folders",
    # manifest
    "DatasetManifest",
    "ManifestRow",
    "ProgressCallback",
    "Split",
    "load_manifest",
    "save_manifest",
    "sha256_file",
    # formats
    "extract_zip",
    "read_class_folders",
    "read_csv_manifest",
    "read_ecotaxa",
    "read_split_lists",
    "write_csv_manifest",
    "write_split_lists",
    # checks
    "DEFAULT_MAX_PER_CLASS",
    "DEFAULT_MIN_PER_CLASS",
    "ClassSummary",
    "DatasetReport",
    "DuplicateGroup",
    "Finding",
    "ImageProblem",
    "LabelProblem",
    "SizeStats",
    "check_dataset",
    "label_problems",
    "render_report",
    # splits and balancing
    "assign_folds",
    "assign_splits",
    "k_fold_manifests",
    "BalanceReport",
    "BalanceResult",
    "ClassChange",
    "balance_classes",
}


def test_exported_names_are_pinned_and_exist() -> None:
    assert set(seascope.datasets.__all__) == EXPECTED
    for name in seascope.datasets.__all__:
        assert hasattr(seascope.datasets, name), name
    for name in seascope.datasets.formats.__all__:
        assert hasattr(seascope.datasets.formats, name), name


def test_import_does_not_load_rich_or_ml_frameworks() -> None:
    code = (
        "import sys, seascope.datasets; "
        "print(sorted(m for m in ('rich', 'torch', 'mlflow', 'fastapi') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
