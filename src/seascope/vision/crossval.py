"""Stratified k-fold cross-validation of the classifier: macro-F1 mean and spread.

Each fold holds out one stratified k-th of the images as its test set, carves a
validation split out of the rest (for early stopping and calibration) and trains with
exactly the pipeline of the ``classifier`` module. Run it as::

    python -m seascope.vision.crossval DATASET --folds 5 --backbone efficientnet_lite0 \\
        --pretrained none --pretrained auto --image-size 64 --epochs 10

It prints one JSON line per fold and one summary line per ``--pretrained`` setting
(``macro_f1_mean``, ``macro_f1_sd``), and a human summary on stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from seascope.datasets import DatasetManifest, k_fold_manifests
from seascope.vision.fitting import FitConfig
from seascope.vision.pipeline import (
    files_by_split,
    split_for_training,
    train_and_evaluate,
    without_splits,
)
from seascope.vision.sources import check_for_training, read_dataset

__all__ = ["CrossValidation", "FoldResult", "cross_validate", "main"]


@dataclass(frozen=True)
class FoldResult:
    """Test metrics of one fold."""

    fold: int
    macro_f1: float
    accuracy: float
    test_images: int
    epochs_run: int
    best_epoch: int
    seconds: float


@dataclass
class CrossValidation:
    """All folds of one configuration."""

    config: FitConfig
    weights: str
    folds: list[FoldResult] = field(default_factory=list)

    @property
    def macro_f1_mean(self) -> float:
        """Mean test macro-F1 over folds."""
        return statistics.fmean(f.macro_f1 for f in self.folds)

    @property
    def macro_f1_sd(self) -> float:
        """Sample standard deviation of the folds' macro-F1 (0 for one fold)."""
        values = [f.macro_f1 for f in self.folds]
        return statistics.stdev(values) if len(values) > 1 else 0.0

    @property
    def accuracy_mean(self) -> float:
        """Mean test accuracy over folds."""
        return statistics.fmean(f.accuracy for f in self.folds)


class _QuietContext:
    """A training context that keeps nothing but forwards epoch lines when verbose."""

    def __init__(self, output_dir: Path, device: str, *, verbose: bool, fold: int) -> None:
        self._output_dir = output_dir
        self._device = device
        self._verbose = verbose
        self._fold = fold

    @property
    def output_dir(self) -> Path:
        return self._output_dir

    @property
    def device(self) -> str:
        return self._device

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        if self._verbose:
            shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
            sys.stderr.write(f"  fold {self._fold} epoch {step}: {shown}\n")

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        """Progress is not shown; epochs are."""

    def should_stop(self) -> bool:
        return False


def cross_validate(
    manifest: DatasetManifest,
    config: FitConfig,
    *,
    folds: int = 5,
    val_fraction: float = 0.15,
    grouped: bool = False,
    device: str = "cpu",
    work_dir: Path,
    verbose: bool = False,
) -> CrossValidation:
    """Train and test ``config`` on each of ``folds`` stratified folds of ``manifest``.

    Raises:
        DatasetError: a class has fewer images than folds, or too few to carve val.
    """
    result = CrossValidation(config=config, weights="")
    for index, fold in enumerate(
        k_fold_manifests(manifest, k=folds, seed=config.seed, grouped=grouped)
    ):
        started = time.monotonic()
        split, _ = split_for_training(
            fold, val_fraction=val_fraction, test_fraction=0.0, seed=config.seed, grouped=grouped
        )
        files = files_by_split(split)
        ctx = _QuietContext(work_dir / f"fold-{index}", device, verbose=verbose, fold=index)
        trained = train_and_evaluate(
            config,
            files,
            ctx,
            checkpoint_dir=work_dir / f"fold-{index}" / "checkpoints",
            target_accuracy=None,
        )
        if trained.test is None:
            raise RuntimeError(f"fold {index} produced no test evaluation")
        result.weights = trained.fit.weights_source.message
        result.folds.append(
            FoldResult(
                fold=index,
                macro_f1=trained.test.report.macro.f1,
                accuracy=trained.test.report.accuracy,
                test_images=trained.test.report.images,
                epochs_run=trained.fit.epochs_run,
                best_epoch=trained.fit.best_epoch,
                seconds=round(time.monotonic() - started, 2),
            )
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m seascope.vision.crossval", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--format", default="auto", dest="dataset_format")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--backbone", default="efficientnet_lite0")
    parser.add_argument(
        "--pretrained", action="append", help="auto, none or a file; repeat to compare"
    )
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--patience", type=int, default=100)
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grouped", action="store_true")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    manifest, _ = read_dataset(args.dataset, dataset_format=args.dataset_format)
    checked = check_for_training(manifest, skip_unreadable=False)
    plain = without_splits(
        checked.manifest.with_rows(row for row in checked.manifest.rows if not row.augmented)
    )
    for pretrained in args.pretrained or ["auto"]:
        config = FitConfig(
            backbone=args.backbone,
            image_size=args.image_size,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            patience=args.patience,
            seed=args.seed,
            pretrained=pretrained,
            num_workers=0,
        )
        with tempfile.TemporaryDirectory(prefix="seascope-crossval-") as work:
            result = cross_validate(
                plain,
                config,
                folds=args.folds,
                val_fraction=args.val_fraction,
                grouped=args.grouped,
                device=args.device,
                work_dir=Path(work),
                verbose=args.verbose,
            )
        for fold in result.folds:
            line = {"pretrained": pretrained, **fold.__dict__}
            sys.stdout.write(json.dumps(line) + "\n")
        summary = {
            "name": f"crossval-{args.backbone}-{pretrained}",
            "pretrained": pretrained,
            "weights": result.weights,
            "folds": len(result.folds),
            "images": len(plain.rows),
            "image_size": args.image_size,
            "epochs": args.epochs,
            "macro_f1_mean": round(result.macro_f1_mean, 4),
            "macro_f1_sd": round(result.macro_f1_sd, 4),
            "accuracy_mean": round(result.accuracy_mean, 4),
            "seconds": round(sum(f.seconds for f in result.folds), 1),
        }
        sys.stdout.write(json.dumps(summary) + "\n")
        sys.stdout.flush()
        sys.stderr.write(
            f"{args.backbone} pretrained={pretrained}: macro-F1 {result.macro_f1_mean:.3f} "
            f"± {result.macro_f1_sd:.3f} over {len(result.folds)} folds ({result.weights})\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
