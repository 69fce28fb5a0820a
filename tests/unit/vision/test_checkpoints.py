"""Checkpoints and weights are written atomically and read without pickle."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from seascope.errors import ModuleLoadFailed
from seascope.vision.checkpoints import (
    load_training_checkpoint,
    load_weights,
    save_training_checkpoint,
    save_weights,
)
from seascope.vision.schedule import warmup_cosine_factor


def test_round_trip_leaves_no_temporary_files(tmp_path: Path) -> None:
    state = {"epoch": 3, "model": {"w": torch.ones(2)}, "history": [{"loss": 0.5}], "note": "x"}
    save_training_checkpoint(state, tmp_path / "last.pt")
    save_training_checkpoint({**state, "epoch": 4}, tmp_path / "last.pt")
    assert load_training_checkpoint(tmp_path / "last.pt")["epoch"] == 4
    save_weights({"w": torch.arange(3.0)}, tmp_path / "w.safetensors", metadata={"a": "b"})
    assert torch.equal(load_weights(tmp_path / "w.safetensors")["w"], torch.arange(3.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt", "w.safetensors"]


def test_pickled_objects_and_garbage_are_refused(tmp_path: Path) -> None:
    torch.save({"object": Path("x")}, tmp_path / "evil.pt")
    with pytest.raises(ModuleLoadFailed, match="not a readable training checkpoint"):
        load_training_checkpoint(tmp_path / "evil.pt")
    (tmp_path / "bad.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModuleLoadFailed, match="not a readable safetensors"):
        load_weights(tmp_path / "bad.safetensors")
    with pytest.raises(ModuleLoadFailed, match="not found"):
        load_training_checkpoint(tmp_path / "absent.pt")


def test_failed_write_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    save_training_checkpoint({"epoch": 1}, tmp_path / "last.pt")
    with pytest.raises((AttributeError, TypeError)):  # a lambda cannot be pickled
        save_training_checkpoint({"epoch": 2, "hook": lambda: 1}, tmp_path / "last.pt")
    assert load_training_checkpoint(tmp_path / "last.pt")["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_warmup_then_cosine() -> None:
    factors = [warmup_cosine_factor(s, warmup_steps=4, total_steps=20) for s in range(21)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert factors[4] == 1.0
    assert all(a >= b for a, b in zip(factors[4:], factors[5:], strict=False))
    assert factors[20] == pytest.approx(0.01)
