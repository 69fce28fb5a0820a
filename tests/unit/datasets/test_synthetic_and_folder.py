"""The synthetic set is deterministic; folder datasets are checked for mistakes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from seascope.datasets import MORPHOLOGIES, generate_dataset, scan_class_folders
from seascope.errors import DatasetError


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.jpg")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_pixels(tmp_path: Path) -> None:
    counts = generate_dataset(tmp_path / "a", per_class=3, seed=7)
    generate_dataset(tmp_path / "b", per_class=3, seed=7)
    generate_dataset(tmp_path / "c", per_class=3, seed=8)
    assert counts == dict.fromkeys(MORPHOLOGIES, 3)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_scan_lists_images_and_ignores_other_files(tmp_path: Path) -> None:
    generate_dataset(tmp_path, per_class=2, morphologies=("disc", "chain"))
    (tmp_path / "disc" / "notes.txt").write_text("ignored")
    (tmp_path / "disc" / ".hidden.jpg").write_bytes(b"")
    items = scan_class_folders(tmp_path)
    assert [(i.label, i.path.name) for i in items] == [
        ("chain", "chain_00000.jpg"),
        ("chain", "chain_00001.jpg"),
        ("disc", "disc_00000.jpg"),
        ("disc", "disc_00001.jpg"),
    ]


def test_scan_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        scan_class_folders(tmp_path / "missing")
    generate_dataset(tmp_path, per_class=1, morphologies=("disc", "chain"))
    (tmp_path / "Empty class").mkdir()
    with pytest.raises(DatasetError, match="without images: Empty class"):
        scan_class_folders(tmp_path)
