"""Datasets: formats, checks, splits, class balancing and the synthetic plankton-like demo set.

Import a labelled image set as a :class:`DatasetManifest`, check it, split it and
balance it::

    from seascope.datasets import (
        Split, assign_splits, balance_classes, check_dataset, read_class_folders,
    )

    manifest = read_class_folders(Path("my-flowcam-set"))
    report = check_dataset(manifest)            # unreadable images, duplicates, counts ...
    manifest = assign_splits(manifest, val=0.1, test=0.1, seed=42)
    balanced = balance_classes(manifest, below_min="merge:other", split=Split.TRAIN)
    save_manifest(balanced.manifest, Path("my-flowcam-set/manifest.json"))
"""

from seascope.datasets.balance import BalanceReport, BalanceResult, ClassChange, balance_classes
from seascope.datasets.check_report import (
    ClassSummary,
    DatasetReport,
    DuplicateGroup,
    Finding,
    ImageProblem,
    LabelProblem,
    SizeStats,
    render_report,
)
from seascope.datasets.checks import (
    DEFAULT_MAX_PER_CLASS,
    DEFAULT_MIN_PER_CLASS,
    check_dataset,
    label_problems,
)
from seascope.datasets.folder import IMAGE_SUFFIXES, LabelledImage, scan_class_folders
from seascope.datasets.formats import (
    extract_zip,
    read_class_folders,
    read_csv_manifest,
    read_ecotaxa,
    read_split_lists,
    write_csv_manifest,
    write_split_lists,
)
from seascope.datasets.manifest import (
    DatasetManifest,
    ManifestRow,
    ProgressCallback,
    Split,
    sha256_file,
)
from seascope.datasets.manifest_files import load_manifest, save_manifest
from seascope.datasets.splits import assign_folds, assign_splits, k_fold_manifests
from seascope.datasets.synthetic import MORPHOLOGIES, generate_dataset, render_particle

__all__ = [
    "DEFAULT_MAX_PER_CLASS",
    "DEFAULT_MIN_PER_CLASS",
    "IMAGE_SUFFIXES",
    "MORPHOLOGIES",
    "BalanceReport",
    "BalanceResult",
    "ClassChange",
    "ClassSummary",
    "DatasetManifest",
    "DatasetReport",
    "DuplicateGroup",
    "Finding",
    "ImageProblem",
    "LabelProblem",
    "LabelledImage",
    "ManifestRow",
    "ProgressCallback",
    "SizeStats",
    "Split",
    "assign_folds",
    "assign_splits",
    "balance_classes",
    "check_dataset",
    "extract_zip",
    "generate_dataset",
    "k_fold_manifests",
    "label_problems",
    "load_manifest",
    "read_class_folders",
    "read_csv_manifest",
    "read_ecotaxa",
    "read_split_lists",
    "render_particle",
    "render_report",
    "save_manifest",
    "scan_class_folders",
    "sha256_file",
    "write_csv_manifest",
    "write_split_lists",
]
