"""Where and how a network runs: device checks, mixed precision, seeds, loader workers."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from seascope.errors import ConfigError
from seascope.machine import cpu_cores

__all__ = [
    "Precision",
    "autocast",
    "default_num_workers",
    "resolve_device",
    "resolve_precision",
    "seed_everything",
]


@dataclass(frozen=True, slots=True)
class Precision:
    """Mixed-precision settings for one run.

    Attributes:
        enabled: Whether autocast is on (only ever on CUDA).
        dtype: ``torch.bfloat16`` where the GPU supports it (no loss scaling needed),
            else ``torch.float16`` with a gradient scaler.
        channels_last: Whether inputs and weights use the channels-last memory layout
            (faster convolutions on tensor cores; only on CUDA).
    """

    enabled: bool
    dtype: torch.dtype
    channels_last: bool

    @property
    def needs_scaler(self) -> bool:
        """float16 autocast needs a gradient scaler; bfloat16 does not."""
        return self.enabled and self.dtype == torch.float16


def resolve_device(device: str) -> torch.device:
    """``"cpu"``, ``"cuda"`` or ``"cuda:N"`` as a torch device, checked to exist.

    Raises:
        ConfigError: CUDA asked for but not available, or an unknown device string.
    """
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ConfigError(f"unknown device {device!r} (use cpu, cuda or cuda:N)") from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {device!r} asked for, but CUDA is not available here")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ConfigError(
                f"device {device!r} asked for, but only {torch.cuda.device_count()} GPU(s) exist"
            )
    elif resolved.type != "cpu":
        raise ConfigError(f"device {device!r} is not supported (use cpu, cuda or cuda:N)")
    return resolved


def resolve_precision(device: torch.device, *, amp: bool) -> Precision:
    """Autocast and channels-last on CUDA when ``amp`` is set; plain float32 elsewhere."""
    if device.type != "cuda" or not amp:
        return Precision(enabled=False, dtype=torch.float32, channels_last=device.type == "cuda")
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return Precision(enabled=True, dtype=dtype, channels_last=True)


@contextlib.contextmanager
def autocast(device: torch.device, precision: Precision) -> Iterator[None]:
    """Autocast on ``device`` when ``precision.enabled``; a no-op otherwise."""
    if not precision.enabled:
        yield
        return
    with torch.autocast(device_type=device.type, dtype=precision.dtype):
        yield


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and every GPU)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def default_num_workers(device: torch.device) -> int:
    """Loader workers for this machine: the cores the training step leaves free.

    On CPU the step itself uses every core, so workers only compete with it: none on a
    machine with 1-2 cores (augmenting cached images in the main process is cheaper than
    moving them between processes), a quarter of the cores (at most 4) on larger ones.
    On GPU up to 8 workers feed the device.
    """
    cores = cpu_cores()
    if device.type == "cuda":
        return max(1, min(8, cores - 1))
    return 0 if cores <= 2 else min(4, cores // 4)
