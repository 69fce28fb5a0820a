"""The classifier's ``train``: dataset in, model package out.

Steps: read the dataset (any supported layout), check it (unreadable files, empty or
single classes, label mistakes), split it, fit and calibrate
(:mod:`seascope.vision.pipeline`), then write the package atomically. Every failure
before the last step leaves no package behind; checkpoints stay for resuming.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from seascope.datasets import Split
from seascope.errors import InvalidParameters
from seascope.imaging import decode_image
from seascope.modules import TrainingContext, TrainResult
from seascope.types import JsonValue
from seascope.vision.calibration import TemperatureFit
from seascope.vision.data import LabelledFile
from seascope.vision.evaluation import SplitEvaluation, write_evaluation_files
from seascope.vision.export import OnnxCheck, export_onnx
from seascope.vision.fitting import CHECKPOINT_FILE, FitConfig
from seascope.vision.package import (
    Calibration,
    ModelCard,
    Preprocessing,
    UnknownRejection,
    software_versions,
    write_package,
)
from seascope.vision.pipeline import (
    TrainedClassifier,
    files_by_split,
    split_for_training,
    train_and_evaluate,
)
from seascope.vision.sources import check_for_training, read_dataset
from seascope.vision.transforms import build_eval_transform, image_to_tensor
from seascope.zoo.classifier.params import TrainParams

__all__ = ["PACKAGE_DIR", "train_classifier"]

PACKAGE_DIR = "model-package"
_CHECK_IMAGES = 8
_FIT_FIELDS = frozenset(
    {
        "backbone",
        "image_size",
        "size_mode",
        "epochs",
        "batch_size",
        "lr",
        "weight_decay",
        "warmup_epochs",
        "label_smoothing",
        "balanced_sampling",
        "seed",
        "pretrained",
        "patience",
        "num_workers",
        "amp",
    }
)


def train_classifier(params: TrainParams, ctx: TrainingContext, *, name: str) -> TrainResult:
    """Train the classifier described by ``params``; the package lands in ``ctx.output_dir``.

    Raises:
        DatasetError: the dataset cannot be read, fails the checks, or is too small
            for the splits.
        InvalidParameters: unknown backbone or labels in ``aphia_ids``, a missing
            ``pretrained`` file or a checkpoint made with other settings.
    """
    started = time.monotonic()
    output = ctx.output_dir
    manifest, dataset_format = read_dataset(
        Path(params.dataset),
        dataset_format=params.dataset_format,
        image_root=Path(params.image_root) if params.image_root else None,
        extract_to=output / "dataset",
    )
    unknown_taxa = sorted(set(params.aphia_ids) - set(manifest.classes))
    if unknown_taxa:
        raise InvalidParameters(
            f"aphia_ids names classes the dataset does not have: {', '.join(unknown_taxa)}",
            {"aphia_ids": [f"unknown class {name!r}" for name in unknown_taxa]},
        )
    checked = check_for_training(manifest, skip_unreadable=params.skip_unreadable)
    split, split_note = split_for_training(
        checked.manifest,
        val_fraction=params.val_fraction,
        test_fraction=params.test_fraction,
        seed=params.seed,
        grouped=params.grouped,
    )
    files = files_by_split(split)
    config = FitConfig(**params.model_dump(include=set(_FIT_FIELDS)))
    trained = train_and_evaluate(
        config,
        files,
        ctx,
        checkpoint_dir=output / "checkpoints",
        resume_from=Path(params.resume_from) if params.resume_from else None,
        target_accuracy=params.unknown_target_accuracy,
        tta=params.tta,
    )
    if trained.fit.stopped or trained.temperature is None or trained.val is None:
        return _stopped_result(trained, output)
    temperature, val = trained.temperature, trained.val
    dataset_facts: dict[str, JsonValue] = {
        "source": params.dataset,
        "format": dataset_format,
        "content_fingerprint": checked.content_fingerprint,
        "rows_fingerprint": split.rows_fingerprint(),
        "images": len(split.rows),
        "per_class": split.class_counts(),
        "per_split": {s.value: sum(split.class_counts(split=s).values()) for s in Split},
        "splits": split_note,
        "skipped": list(checked.skipped),
        "warnings": list(checked.warnings),
    }
    card = _card(
        params,
        config,
        trained,
        dataset_facts,
        temperature=temperature,
        val=val,
        name=name,
        started=started,
    )
    network = trained.fit.network
    check_batch = _check_batch(files.val, card)
    onnx_writer = None
    if params.export_onnx:

        def onnx_writer(path: Path) -> OnnxCheck:
            return export_onnx(
                network,
                path,
                image_size=config.image_size,
                temperature=card.calibration.temperature,
                check_batch=check_batch,
            )

    def evaluation_files(folder: Path) -> None:
        for evaluation in (trained.val, trained.test, trained.test_tta):
            if evaluation is not None:
                write_evaluation_files(evaluation, folder / "evaluation")

    ctx.report_progress(0, 1, message="writing the model package")
    package = output / PACKAGE_DIR
    written = write_package(
        package, card=card, network=network, export_onnx=onnx_writer, extra_files=evaluation_files
    )
    ctx.report_progress(1, 1, message="done")
    return TrainResult(
        model_path=str(package),
        metrics=_summary(trained),
        extra={
            "classes": list(written.classes),
            "weights_init": trained.fit.weights_source.message,
            "epochs_run": trained.fit.epochs_run,
            "best_epoch": trained.fit.best_epoch,
            "resumed_from": trained.fit.resumed_from,
            "dataset_fingerprint": checked.content_fingerprint,
            "skipped": list(checked.skipped),
            "warnings": list(checked.warnings),
            "onnx": written.onnx.model_dump() if written.onnx is not None else None,
            "seconds": round(time.monotonic() - started, 3),
        },
    )


def _card(
    params: TrainParams,
    config: FitConfig,
    trained: TrainedClassifier,
    dataset: dict[str, JsonValue],
    *,
    temperature: TemperatureFit,
    val: SplitEvaluation,
    name: str,
    started: float,
) -> ModelCard:
    fit = trained.fit
    threshold = trained.threshold
    metrics: dict[str, JsonValue] = {"val": val.model_dump(mode="json")}
    if trained.test is not None:
        metrics["test"] = trained.test.model_dump(mode="json")
    if trained.test_tta is not None:
        metrics["test_tta"] = trained.test_tta.model_dump(mode="json")
    return ModelCard(
        name=name,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        classes=trained.classes,
        aphia_ids=dict(params.aphia_ids),
        backbone=config.backbone,
        drop_rate=config.drop_rate,
        preprocessing=Preprocessing(
            image_size=config.image_size, size_mode=config.size_mode, mean=fit.mean, std=fit.std
        ),
        calibration=Calibration(
            temperature=temperature.temperature,
            temperature_tta=(
                trained.temperature_tta.temperature if trained.temperature_tta else None
            ),
            images=temperature.images,
            before=temperature.before,
            after=temperature.after,
        ),
        unknown=UnknownRejection(
            threshold=threshold.threshold if threshold is not None else 0.0,
            target_accuracy=threshold.target_accuracy if threshold is not None else None,
            reached=threshold.reached if threshold is not None else False,
            val_coverage=threshold.coverage if threshold is not None else None,
            val_accuracy=threshold.accuracy if threshold is not None else None,
        ),
        weights_init=fit.weights_source.model_dump(mode="json"),
        metrics=metrics,
        dataset=dataset,
        training={
            "params": params.model_dump(mode="json"),
            "fit_config": config.model_dump(mode="json"),
            "device": fit.device,
            "epochs_run": fit.epochs_run,
            "best_epoch": fit.best_epoch,
            "best_val_macro_f1": fit.best_score,
            "resumed_from": fit.resumed_from,
            "history": fit.history,
            "seconds": round(time.monotonic() - started, 3),
        },
        software=software_versions(),
    )


def _check_batch(files: Sequence[LabelledFile], card: ModelCard) -> npt.NDArray[np.float32] | None:
    """Up to 8 real validation images, preprocessed, to compare ONNX with torch on."""
    pre = card.preprocessing
    transform = build_eval_transform(pre.image_size, pre.mean, pre.std, pre.size_mode)
    tensors: list[torch.Tensor] = []
    for item in files[:_CHECK_IMAGES]:
        image = decode_image(item.path.read_bytes(), str(item.path))
        tensors.append(transform(image_to_tensor(image.array)))
    return torch.stack(tensors).numpy().astype(np.float32) if tensors else None


def _summary(trained: TrainedClassifier) -> dict[str, float]:
    metrics: dict[str, float] = {
        "epochs_run": float(trained.fit.epochs_run),
        "best_epoch": float(trained.fit.best_epoch),
    }
    for evaluation in (trained.val, trained.test):
        if evaluation is None:
            continue
        prefix = evaluation.split
        metrics[f"{prefix}_accuracy"] = evaluation.report.accuracy
        metrics[f"{prefix}_macro_f1"] = evaluation.report.macro.f1
        metrics[f"{prefix}_weighted_f1"] = evaluation.report.weighted.f1
        metrics[f"{prefix}_log_loss_before"] = evaluation.uncalibrated.log_loss
        metrics[f"{prefix}_log_loss_after"] = evaluation.calibrated.log_loss
        metrics[f"{prefix}_ece_before"] = evaluation.uncalibrated.ece
        metrics[f"{prefix}_ece_after"] = evaluation.calibrated.ece
    if trained.temperature is not None:
        metrics["temperature"] = trained.temperature.temperature
    if trained.threshold is not None:
        metrics["unknown_threshold"] = trained.threshold.threshold
    return metrics


def _stopped_result(trained: TrainedClassifier, output: Path) -> TrainResult:
    checkpoint = output / "checkpoints" / CHECKPOINT_FILE
    return TrainResult(
        model_path=None,
        metrics=dict(trained.fit.history[-1]) if trained.fit.history else {},
        extra={
            "stopped": True,
            "epochs_run": trained.fit.epochs_run,
            "checkpoint": str(checkpoint) if checkpoint.is_file() else None,
            "message": (
                f"stopped on request after {trained.fit.epochs_run} epoch(s); no package was "
                "written. Train again with the same output folder (or resume_from) to continue"
            ),
        },
    )
