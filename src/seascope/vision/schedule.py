"""Learning-rate schedule: linear warm-up, then cosine decay, stepped once per batch."""

from __future__ import annotations

import math

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

__all__ = ["warmup_cosine", "warmup_cosine_factor"]


def warmup_cosine_factor(
    step: int, *, warmup_steps: int, total_steps: int, floor: float = 0.01
) -> float:
    """Multiplier of the base learning rate at ``step`` (0-based).

    Rises linearly from ``1 / warmup_steps`` to 1 over ``warmup_steps``, then follows a
    half cosine down to ``floor`` at ``total_steps``.

    Example:
        >>> warmup_cosine_factor(0, warmup_steps=10, total_steps=100)
        0.1
        >>> round(warmup_cosine_factor(100, warmup_steps=10, total_steps=100), 3)
        0.01
    """
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def warmup_cosine(optimizer: Optimizer, *, warmup_steps: int, total_steps: int) -> LambdaLR:
    """A scheduler applying :func:`warmup_cosine_factor`; call ``step()`` after each batch."""

    def factor(step: int) -> float:
        return warmup_cosine_factor(step, warmup_steps=warmup_steps, total_steps=total_steps)

    return LambdaLR(optimizer, factor)
