"""From a checked dataset to a fitted, calibrated and evaluated classifier.

:func:`split_for_training` keeps the splits a dataset brings (carving a validation split
out of train when it has none) or assigns stratified, seeded ones;
:func:`train_and_evaluate` fits the network, fits the temperature and the unknown
threshold on val, and evaluates val and test. Both the ``classifier`` module and
cross-validation (:mod:`seascope.vision.crossval`) run exactly this code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from seascope.datasets import DatasetManifest, Split, assign_splits
from seascope.modules import TrainingContext
from seascope.vision.calibration import TemperatureFit, fit_temperature, softmax
from seascope.vision.data import LabelledFile, LabelledImages, make_loader
from seascope.vision.evaluation import SplitEvaluation, evaluate_logits
from seascope.vision.fitting import FitConfig, FitData, FitOutcome, fit_classifier
from seascope.vision.predictor import TorchEngine, tta_logits, tta_views
from seascope.vision.selective import ThresholdChoice, choose_unknown_threshold
from seascope.vision.transforms import build_base_transform, normalise

__all__ = [
    "SplitFiles",
    "TrainedClassifier",
    "files_by_split",
    "split_for_training",
    "train_and_evaluate",
    "without_splits",
]


@dataclass(frozen=True)
class SplitFiles:
    """Labelled files of each split; val and test leave out oversampled copies."""

    classes: tuple[str, ...]
    train: tuple[LabelledFile, ...]
    val: tuple[LabelledFile, ...]
    test: tuple[LabelledFile, ...]

    def counts(self) -> dict[str, int]:
        """Images per split."""
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


@dataclass
class TrainedClassifier:
    """A fitted network and everything measured about it.

    ``val``/``test`` are ``None`` when training was stopped before they could be computed
    (or, for ``test``, when there is no test split).
    """

    fit: FitOutcome
    classes: tuple[str, ...]
    temperature: TemperatureFit | None = None
    temperature_tta: TemperatureFit | None = None
    threshold: ThresholdChoice | None = None
    val: SplitEvaluation | None = None
    test: SplitEvaluation | None = None
    test_tta: SplitEvaluation | None = None


def split_for_training(
    manifest: DatasetManifest,
    *,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    grouped: bool,
) -> tuple[DatasetManifest, str]:
    """Rows with train/val(/test) splits, and a sentence saying where they came from.

    Raises:
        DatasetError: a class too small for the splits, or groups missing with
            ``grouped`` (messages from :func:`seascope.datasets.assign_splits`).
        InvalidParameters: invalid fractions.
    """
    has_split = all(row.split is not None for row in manifest.rows)
    if has_split and any(row.split == Split.VAL for row in manifest.rows):
        return manifest, "splits given by the dataset"
    if has_split:
        train = manifest.with_rows(row for row in manifest.rows if row.split == Split.TRAIN)
        carved = assign_splits(train, val=val_fraction, test=0.0, seed=seed, grouped=grouped)
        others = [row for row in manifest.rows if row.split != Split.TRAIN]
        note = f"validation carved from the dataset's train split ({val_fraction:g})"
        return manifest.with_rows([*carved.rows, *others]), note
    assigned = assign_splits(
        manifest, val=val_fraction, test=test_fraction, seed=seed, grouped=grouped
    )
    note = (
        f"stratified{' grouped' if grouped else ''} splits: val {val_fraction:g}, "
        f"test {test_fraction:g}, seed {seed}"
    )
    return assigned, note


def files_by_split(manifest: DatasetManifest) -> SplitFiles:
    """Absolute files and class ids per split (oversampled copies only in train)."""
    index = {name: i for i, name in enumerate(manifest.classes)}

    def pick(split: Split, copies: bool) -> tuple[LabelledFile, ...]:
        return tuple(
            LabelledFile(manifest.path_of(row), index[row.label])
            for row in manifest.rows
            if row.split == split and (copies or not row.augmented)
        )

    return SplitFiles(
        classes=manifest.classes,
        train=pick(Split.TRAIN, True),
        val=pick(Split.VAL, False),
        test=pick(Split.TEST, False),
    )


def train_and_evaluate(
    config: FitConfig,
    files: SplitFiles,
    ctx: TrainingContext,
    *,
    checkpoint_dir: Path,
    resume_from: Path | None = None,
    target_accuracy: float | None = 0.95,
    tta: bool = False,
) -> TrainedClassifier:
    """Fit, calibrate on val, choose the unknown threshold on val, evaluate val and test.

    Args:
        config: Hyper-parameters.
        files: The splits.
        ctx: Metrics, progress, stop requests and the device.
        checkpoint_dir: Where the per-epoch checkpoint lives (and is resumed from).
        resume_from: An explicit checkpoint to resume.
        target_accuracy: Accuracy the unknown threshold must reach on val (``None``:
            never reject).
        tta: Also fit a temperature for test-time augmentation and evaluate test with it.
    """
    fit = fit_classifier(
        config,
        FitData(files.classes, files.train, files.val),
        ctx,
        checkpoint_dir=checkpoint_dir,
        resume_from=resume_from,
    )
    result = TrainedClassifier(fit=fit, classes=files.classes)
    if fit.stopped:
        return result
    ctx.report_progress(0, 1, message="calibrating and evaluating")
    engine = TorchEngine(fit.network, fit.device, amp=config.amp)
    val_logits, val_labels = _logits(engine, files.val, config, fit, tta=False)
    result.temperature = fit_temperature(val_logits, val_labels)
    temperature = result.temperature.temperature
    if target_accuracy is not None:
        probabilities = softmax(val_logits, temperature)
        result.threshold = choose_unknown_threshold(
            probabilities.max(axis=1),
            probabilities.argmax(axis=1) == val_labels,
            target_accuracy=target_accuracy,
        )
    threshold = result.threshold.threshold if result.threshold is not None else None
    result.val = evaluate_logits(
        val_logits,
        val_labels,
        files.classes,
        temperature=temperature,
        unknown_threshold=threshold,
        split="val",
    )
    if files.test:
        test_logits, test_labels = _logits(engine, files.test, config, fit, tta=False)
        result.test = evaluate_logits(
            test_logits,
            test_labels,
            files.classes,
            temperature=temperature,
            unknown_threshold=threshold,
            split="test",
        )
    if tta:
        val_tta, _ = _logits(engine, files.val, config, fit, tta=True)
        result.temperature_tta = fit_temperature(val_tta, val_labels)
        if files.test:
            test_tta, test_labels = _logits(engine, files.test, config, fit, tta=True)
            result.test_tta = evaluate_logits(
                test_tta,
                test_labels,
                files.classes,
                temperature=result.temperature_tta.temperature,
                unknown_threshold=threshold,
                split="test-tta",
            )
    ctx.report_progress(1, 1, message="calibrating and evaluating")
    return result


def _logits(
    engine: TorchEngine,
    files: Sequence[LabelledFile],
    config: FitConfig,
    fit: FitOutcome,
    *,
    tta: bool,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    dataset = LabelledImages(
        files,
        base=build_base_transform(config.image_size, config.size_mode),
        augment=None,
        finish=normalise(fit.mean, fit.std),
        image_size=config.image_size,
    )
    loader = make_loader(dataset, batch_size=max(1, config.batch_size * 2), shuffle=False)
    logits: list[npt.NDArray[np.float64]] = []
    labels: list[npt.NDArray[np.int64]] = []
    for inputs, targets in loader:
        batch = inputs.numpy().astype(np.float32, copy=False)
        if tta:
            logits.append(tta_logits([engine.logits(view) for view in tta_views(batch)]))
        else:
            logits.append(engine.logits(batch))
        labels.append(torch.as_tensor(targets).numpy().astype(np.int64))
    return np.concatenate(logits), np.concatenate(labels)


def without_splits(manifest: DatasetManifest) -> DatasetManifest:
    """The manifest with every split cleared (for cross-validation)."""
    return manifest.with_rows(replace(row, split=None) for row in manifest.rows)
