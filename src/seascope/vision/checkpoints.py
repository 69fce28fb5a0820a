"""Atomic checkpoints: written to a temporary file, then renamed over the old one.

A crash mid-write leaves the previous checkpoint intact. Training checkpoints hold only
tensors, numbers, strings, lists and dicts, so they load with ``weights_only=True``
(no arbitrary pickled objects); model weights travel as safetensors.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from seascope.errors import ModuleLoadFailed

__all__ = [
    "load_training_checkpoint",
    "load_weights",
    "save_training_checkpoint",
    "save_weights",
]


def save_training_checkpoint(state: Mapping[str, Any], path: Path) -> Path:
    """Write ``state`` (tensors and plain values) to ``path`` atomically."""
    return _atomic(path, lambda tmp: torch.save(dict(state), tmp))


def load_training_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_training_checkpoint` (``weights_only``).

    Raises:
        ModuleLoadFailed: missing, truncated, or holding anything but plain values.
    """
    if not path.is_file():
        raise ModuleLoadFailed(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many unrelated types for a bad file
        raise ModuleLoadFailed(f"{path}: not a readable training checkpoint: {exc}") from exc
    if not isinstance(state, dict):
        raise ModuleLoadFailed(f"{path}: not a training checkpoint ({type(state).__name__})")
    return state


def save_weights(
    weights: Mapping[str, torch.Tensor], path: Path, *, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write a state dict as safetensors, atomically (tensors are copied to the CPU)."""
    tensors = {name: tensor.detach().cpu().clone().contiguous() for name, tensor in weights.items()}
    return _atomic(path, lambda tmp: save_file(tensors, str(tmp), metadata=dict(metadata or {})))


def load_weights(path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors state dict onto the CPU.

    Raises:
        ModuleLoadFailed: missing or not a safetensors file.
    """
    if not path.is_file():
        raise ModuleLoadFailed(f"weights file not found: {path}")
    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:  # safetensors raises its own error types
        raise ModuleLoadFailed(f"{path}: not a readable safetensors file: {exc}") from exc


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
