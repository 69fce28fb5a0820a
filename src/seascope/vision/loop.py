"""The inner loops: one training epoch, and logits over a loader.

They stay small on purpose: everything per-run (resume, early stopping, logging) lives
in :mod:`seascope.vision.fitting`, so that the step itself costs what a plain PyTorch
loop costs (``bench/train_classifier.py`` measures the ratio).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from seascope.vision.runtime import Precision, autocast

__all__ = ["EpochStats", "predict_logits", "train_epoch"]

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True, slots=True)
class EpochStats:
    """What one pass over the training loader did.

    Attributes:
        loss: Mean training loss per image.
        images: Images seen.
        seconds: Wall time of the pass (loading included).
        stopped: The pass ended early because a stop was requested.
    """

    loss: float
    images: int
    seconds: float
    stopped: bool = False

    @property
    def images_per_second(self) -> float:
        """Training throughput."""
        return self.images / self.seconds if self.seconds > 0 else 0.0


def train_epoch(
    network: nn.Module,
    batches: Iterable[Batch],
    *,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    loss_fn: nn.Module,
    device: torch.device,
    precision: Precision,
    scaler: torch.amp.GradScaler | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_step: Callable[[int], None] | None = None,
) -> EpochStats:
    """Train ``network`` over ``batches`` once; checks ``should_stop`` before every step.

    ``on_step(images_so_far)`` is called after every step (for progress reports).
    """
    network.train()
    started = time.perf_counter()
    total = torch.zeros((), device=device)
    images = 0
    stopped = False
    for inputs, targets in batches:
        if should_stop():
            stopped = True
            break
        inputs = inputs.to(device, non_blocking=True)
        if precision.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        targets = targets.to(device, non_blocking=True)
        with autocast(device, precision):
            loss = loss_fn(network(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        scheduler.step()
        count = int(targets.shape[0])
        # Accumulate on the device: a .item() per step would synchronise the GPU.
        total += loss.detach().float() * count
        images += count
        if on_step is not None:
            on_step(images)
    mean = float(total.item()) / images if images else 0.0
    return EpochStats(
        loss=mean, images=images, seconds=time.perf_counter() - started, stopped=stopped
    )


def predict_logits(
    network: nn.Module,
    batches: Iterable[Batch],
    *,
    device: torch.device,
    precision: Precision,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Logits and labels of every image in ``batches``, in order (eval mode, no grad)."""
    network.eval()
    logits: list[npt.NDArray[np.float64]] = []
    labels: list[npt.NDArray[np.int64]] = []
    with torch.inference_mode():
        for inputs, targets in batches:
            inputs = inputs.to(device, non_blocking=True)
            if precision.channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            with autocast(device, precision):
                output = network(inputs)
            logits.append(output.float().cpu().numpy().astype(np.float64))
            labels.append(targets.cpu().numpy().astype(np.int64))
    if not logits:
        return np.zeros((0, 0), dtype=np.float64), np.zeros(0, dtype=np.int64)
    return np.concatenate(logits), np.concatenate(labels)
