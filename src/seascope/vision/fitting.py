"""Fit a classifier: AdamW, warm-up + cosine, label smoothing, early stopping, resume.

:func:`fit_classifier` trains one timm backbone on the train split and chooses the epoch
with the best validation macro-F1. After every epoch it writes ``last.pt`` (atomically)
into the checkpoint folder: the model, optimiser, scheduler, the best weights so far and
the history. A run given the same folder again resumes from there (same configuration
required; ``epochs``, ``patience`` and ``num_workers`` may change).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field
from torch import nn

from seascope.errors import DatasetError, InvalidParameters
from seascope.modules import TrainingContext
from seascope.vision.backbones import WeightsSource, create_backbone
from seascope.vision.calibration import log_softmax
from seascope.vision.checkpoints import load_training_checkpoint, save_training_checkpoint
from seascope.vision.data import LabelledFile, LabelledImages, make_loader
from seascope.vision.loop import predict_logits, train_epoch
from seascope.vision.metrics import macro_f1
from seascope.vision.runtime import (
    default_num_workers,
    resolve_device,
    resolve_precision,
    seed_everything,
)
from seascope.vision.schedule import warmup_cosine
from seascope.vision.transforms import (
    SizeMode,
    build_base_transform,
    build_train_transform,
    normalise,
)

__all__ = ["CHECKPOINT_FILE", "FitConfig", "FitData", "FitOutcome", "fit_classifier"]

CHECKPOINT_FILE = "last.pt"
_MAY_CHANGE_ON_RESUME = frozenset({"epochs", "patience", "num_workers"})
_PROGRESS_INTERVAL_S = 1.0


class FitConfig(BaseModel):
    """The hyper-parameters of one fit (a subset of the classifier's ``TrainParams``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backbone: str = "efficientnet_lite0"
    image_size: int = Field(default=128, ge=16, le=1024)
    size_mode: SizeMode = "fit"
    epochs: int = Field(default=30, ge=1)
    batch_size: int = Field(default=32, ge=1)
    lr: float = Field(default=1e-3, gt=0)
    weight_decay: float = Field(default=0.05, ge=0)
    warmup_epochs: float = Field(default=1.0, ge=0)
    label_smoothing: float = Field(default=0.1, ge=0, lt=1)
    balanced_sampling: bool = True
    seed: int = Field(default=0, ge=0)
    pretrained: str = "auto"
    patience: int = Field(default=8, ge=1)
    num_workers: int | None = Field(default=None, ge=0)
    amp: bool = True
    drop_rate: float = Field(default=0.2, ge=0, lt=1)
    augment: bool = True


@dataclass(frozen=True)
class FitData:
    """The images of a fit: class names, and labelled files per split."""

    classes: tuple[str, ...]
    train: Sequence[LabelledFile]
    val: Sequence[LabelledFile]


@dataclass
class FitOutcome:
    """A fitted network (best epoch's weights, eval mode) and how it got there.

    Attributes:
        network: The network on ``device``.
        weights_source: Where the starting weights came from.
        mean: Input normalisation mean the weights expect.
        std: Input normalisation std.
        history: One dict of metrics per epoch.
        best_epoch: 1-based epoch of the kept weights (0 if no epoch completed).
        best_score: Its validation macro-F1.
        stopped: Training ended because a stop was requested.
        resumed_from: The checkpoint the run continued, if any.
        device: Where it trained.
        seconds: Wall time of this call.
    """

    network: nn.Module
    weights_source: WeightsSource
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -1.0
    stopped: bool = False
    resumed_from: str | None = None
    device: str = "cpu"
    seconds: float = 0.0

    @property
    def epochs_run(self) -> int:
        """Completed epochs (resumed ones included)."""
        return len(self.history)


def fit_classifier(
    config: FitConfig,
    data: FitData,
    ctx: TrainingContext,
    *,
    checkpoint_dir: Path,
    resume_from: Path | None = None,
) -> FitOutcome:
    """Train on ``data.train``, early-stop on ``data.val`` macro-F1, keep the best epoch.

    Args:
        config: Hyper-parameters.
        data: Class names and the train/val files (every class id below
            ``len(data.classes)``).
        ctx: Receives per-epoch metrics and progress; ``ctx.should_stop()`` is checked
            before every step. ``ctx.device`` chooses the device.
        checkpoint_dir: Where ``last.pt`` is written after every epoch; a ``last.pt``
            already there is resumed.
        resume_from: Resume from this checkpoint file (or a folder holding ``last.pt``)
            instead.

    Raises:
        DatasetError: an empty split or unreadable images.
        InvalidParameters: the checkpoint to resume was made with another configuration.
        ModuleLoadFailed: pretrained weights that do not fit the backbone.
        ConfigError: an unavailable device.
    """
    started = time.monotonic()
    if not data.train or not data.val:
        raise DatasetError(
            f"training needs images in train and val ({len(data.train)} and {len(data.val)})"
        )
    device = resolve_device(ctx.device)
    precision = resolve_precision(device, amp=config.amp)
    seed_everything(config.seed)
    backbone = create_backbone(
        config.backbone,
        num_classes=len(data.classes),
        pretrained=config.pretrained,
        drop_rate=config.drop_rate,
    )
    network = backbone.network.to(device)
    if precision.channels_last:
        network = network.to(memory_format=torch.channels_last)
    base = build_base_transform(config.image_size, config.size_mode)
    finish = normalise(backbone.mean, backbone.std)
    total_images = len(data.train) + len(data.val)

    def preparing(done: int, _total: int, offset: int = 0) -> None:
        if (offset + done) % 50 == 0 or offset + done == total_images:
            ctx.report_progress(offset + done, total_images, message="preparing images")

    train_set = LabelledImages(
        data.train,
        base=base,
        augment=build_train_transform() if config.augment else None,
        finish=finish,
        image_size=config.image_size,
        progress=preparing,
    )
    val_set = LabelledImages(
        data.val,
        base=base,
        augment=None,
        finish=finish,
        image_size=config.image_size,
        progress=lambda done, total: preparing(done, total, len(data.train)),
    )
    workers = default_num_workers(device) if config.num_workers is None else config.num_workers
    pin = device.type == "cuda"
    train_loader = make_loader(
        train_set,
        batch_size=config.batch_size,
        shuffle=True,
        balanced=config.balanced_sampling,
        num_workers=workers,
        seed=config.seed,
        pin_memory=pin,
        drop_last=True,
    )
    val_loader = make_loader(
        val_set, batch_size=config.batch_size * 2, shuffle=False, num_workers=0, pin_memory=pin
    )
    steps_per_epoch = len(train_loader)
    optimizer = torch.optim.AdamW(
        _parameter_groups(network, config.weight_decay), lr=config.lr, weight_decay=0.0
    )
    scheduler = warmup_cosine(
        optimizer,
        warmup_steps=round(config.warmup_epochs * steps_per_epoch),
        total_steps=config.epochs * steps_per_epoch,
    )
    scaler = torch.amp.GradScaler(device.type) if precision.needs_scaler else None
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    outcome = FitOutcome(
        network=network,
        weights_source=backbone.source,
        mean=backbone.mean,
        std=backbone.std,
        device=str(device),
    )
    best_state: dict[str, torch.Tensor] | None = None
    best_loss = math.inf
    waited = 0
    start_epoch = 0
    checkpoint_path = checkpoint_dir / CHECKPOINT_FILE
    resume = _resume_path(resume_from, checkpoint_path)
    if resume is not None:
        state = load_training_checkpoint(resume)
        _check_resumable(state, config, data.classes, resume)
        network.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        start_epoch = int(state["epoch"])
        best_state = state["best_model"]
        outcome.best_epoch = int(state["best_epoch"])
        outcome.best_score = float(state["best_score"])
        best_loss = float(state["best_loss"])
        waited = int(state["waited"])
        outcome.history = [dict(entry) for entry in state["history"]]
        outcome.resumed_from = str(resume)
    seen = start_epoch * len(train_set)
    last_report = 0.0
    for epoch in range(start_epoch, config.epochs):
        if waited >= config.patience:
            break
        # Reseeding per epoch makes a resumed run draw the same order as an unbroken one.
        train_loader.generator.manual_seed(config.seed * 1_000_003 + epoch)
        torch.manual_seed(config.seed * 1_000_003 + epoch)

        def on_step(images: int, epoch: int = epoch, before: int = seen) -> None:
            nonlocal last_report
            now = time.monotonic()
            if now - last_report >= _PROGRESS_INTERVAL_S:
                last_report = now
                ctx.report_progress(
                    before + images,
                    config.epochs * len(train_set),
                    message=f"epoch {epoch + 1}/{config.epochs}",
                )

        stats = train_epoch(
            network,
            train_loader,
            optimizer=optimizer,
            scheduler=scheduler,
            loss_fn=loss_fn,
            device=device,
            precision=precision,
            scaler=scaler,
            should_stop=ctx.should_stop,
            on_step=on_step,
        )
        if stats.stopped:
            outcome.stopped = True
            break
        seen += stats.images
        logits, labels = predict_logits(network, val_loader, device=device, precision=precision)
        predicted = logits.argmax(axis=1)
        val_loss = float(-log_softmax(logits)[np.arange(labels.size), labels].mean())
        score = macro_f1(labels, predicted, len(data.classes))
        metrics = {
            "epoch": float(epoch + 1),
            "train_loss": stats.loss,
            "val_loss": val_loss,
            "val_accuracy": float((predicted == labels).mean()),
            "val_macro_f1": score,
            "lr": float(scheduler.get_last_lr()[0]),
            "images_per_s": stats.images_per_second,
        }
        outcome.history.append(metrics)
        ctx.log_metrics(metrics, step=epoch + 1)
        ctx.report_progress(
            seen, config.epochs * len(train_set), message=f"epoch {epoch + 1}/{config.epochs}"
        )
        if score > outcome.best_score + 1e-9 or (
            abs(score - outcome.best_score) <= 1e-9 and val_loss < best_loss
        ):
            outcome.best_score, outcome.best_epoch, best_loss, waited = (
                score,
                epoch + 1,
                val_loss,
                0,
            )
            best_state = _cpu_copy(network.state_dict())
        else:
            waited += 1
        save_training_checkpoint(
            {
                "epoch": epoch + 1,
                "config": config.model_dump_json(),
                "classes": list(data.classes),
                "model": _cpu_copy(network.state_dict()),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else {},
                "best_model": best_state,
                "best_epoch": outcome.best_epoch,
                "best_score": outcome.best_score,
                "best_loss": best_loss,
                "waited": waited,
                "history": outcome.history,
            },
            checkpoint_path,
        )
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    outcome.seconds = time.monotonic() - started
    return outcome


def _parameter_groups(network: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """No weight decay on biases and normalisation parameters (1-D tensors)."""
    decay = [p for p in network.parameters() if p.requires_grad and p.ndim > 1]
    plain = [p for p in network.parameters() if p.requires_grad and p.ndim <= 1]
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": plain, "weight_decay": 0.0},
    ]


def _cpu_copy(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().cpu().clone() for name, tensor in state.items()}


def _resume_path(resume_from: Path | None, default: Path) -> Path | None:
    if resume_from is None:
        return default if default.is_file() else None
    path = resume_from / CHECKPOINT_FILE if resume_from.is_dir() else resume_from
    if not path.is_file():
        raise InvalidParameters(
            f"checkpoint to resume from not found: {path}",
            {"resume_from": [f"no checkpoint at {path}"]},
        )
    return path


def _check_resumable(
    state: dict[str, Any], config: FitConfig, classes: Sequence[str], path: Path
) -> None:
    stored = json.loads(str(state.get("config", "{}")))
    current = config.model_dump(mode="json")
    changed = sorted(
        name
        for name in set(stored) | set(current)
        if name not in _MAY_CHANGE_ON_RESUME and stored.get(name) != current.get(name)
    )
    if list(state.get("classes", [])) != list(classes):
        changed.append("classes")
    if changed:
        details = ", ".join(
            f"{name}: {stored.get(name)!r} -> {current.get(name)!r}"
            for name in changed
            if name != "classes"
        )
        if "classes" in changed:
            details = (details + "; " if details else "") + "the class list differs"
        raise InvalidParameters(
            f"cannot resume from {path}: it was made with other settings ({details}); "
            "use the same settings, or a fresh output folder to start over",
            {"resume_from": [f"settings differ: {', '.join(changed)}"]},
        )
